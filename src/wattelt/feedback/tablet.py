"""Tablet mode: while a resident holds the professional's tablet, the session reaches
nothing but the questionnaire, the hand-back and the way out (see middleware.TabletMode).
The lock itself is the shared hand-over lock of `organisations.handover`."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from wattelt.organisations import handover
from wattelt.organisations.handover import HAND_BACK_ATTEMPTS, failed_hand_backs
from wattelt.residents import language

__all__ = ["HAND_BACK_ATTEMPTS", "end", "failed_hand_backs", "is_locked", "start"]

TABLET_SESSION_KEY = "feedback_tablet_token"
"""The hand-over's one-time token; gone once the resident has answered."""


def start(request: HttpRequest, questionnaire_pk: int, token: str) -> None:
    request.session[TABLET_SESSION_KEY] = token
    pages = (reverse("feedback:tablet"), reverse("feedback:tablet_return"))
    handover.lock(request, questionnaire_pk, pages)
    language.forget_choice(request)


def is_locked(request: HttpRequest) -> bool:
    return handover.is_locked(request)


def end(request: HttpRequest) -> None:
    """The hand-over is over: the next resident starts from their own language."""
    request.session.pop(TABLET_SESSION_KEY, None)
    handover.end(request)
    language.forget_choice(request)
