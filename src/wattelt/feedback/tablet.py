"""Tablet mode: while a resident holds the professional's tablet, the session reaches
nothing but the questionnaire, the hand-back and the way out (see middleware.TabletMode).
Only the professional's password and second-factor code end it, or logging out."""

from __future__ import annotations

from django.http import HttpRequest

from wattelt.organisations import lockout
from wattelt.organisations.models import Staff
from wattelt.residents import language

TABLET_SESSION_KEY = "feedback_tablet_token"
"""The hand-over's one-time token; gone once the resident has answered."""
TABLET_MODE_KEY = "feedback_tablet_mode"
"""The questionnaire handed over; while set, the session is locked to the tablet."""
FAILED_HAND_BACKS_KEY = "feedback_tablet_failed_hand_backs"
HAND_BACK_ATTEMPTS = 5
"""Wrong password-or-code attempts before the session is logged out altogether."""


def start(request: HttpRequest, questionnaire_pk: int, token: str) -> None:
    request.session[TABLET_SESSION_KEY] = token
    request.session[TABLET_MODE_KEY] = questionnaire_pk
    language.forget_choice(request)
    request.session.pop(FAILED_HAND_BACKS_KEY, None)


def is_locked(request: HttpRequest) -> bool:
    return TABLET_MODE_KEY in request.session


def end(request: HttpRequest) -> None:
    for key in (TABLET_SESSION_KEY, TABLET_MODE_KEY, FAILED_HAND_BACKS_KEY):
        request.session.pop(key, None)
    language.forget_choice(request)


def hand_back(request: HttpRequest, user: Staff, password: str, code: str) -> bool:
    """Unlock when password and code are right: sudo mode's check, so a wrong attempt
    counts towards the account's lockout as at the login, and in this session."""
    if not lockout.confirm_password_and_code(request, user, password, code):
        request.session[FAILED_HAND_BACKS_KEY] = failed_hand_backs(request) + 1
        return False
    end(request)
    return True


def failed_hand_backs(request: HttpRequest) -> int:
    return int(request.session.get(FAILED_HAND_BACKS_KEY, 0))
