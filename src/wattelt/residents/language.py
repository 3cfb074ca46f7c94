"""The resident's language: the one place that decides in which language a screen for the
resident speaks, and switches to it.

Staff screens speak Dutch or English (settings.LANGUAGES, the header's switch). What the
resident reads (conversation mode, the plan on screen and as PDF, "what changed", the
feedback questionnaires) speaks the resident's language, stored on the resident
(`Resident.language`) and switchable during the conversation. For a one-time feedback
link without a resident, the resident's own choice is kept in the session.

    with speaking(resident_language(request, resident)):
        return render(request, ...)

or, for a whole view, the `in_resident_language(choose)` decorator.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ParamSpec

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme

if TYPE_CHECKING:
    from .models import Resident

DEFAULT = "nl"

RESIDENT_LANGUAGES: tuple[tuple[str, str], ...] = (
    ("nl", "Nederlands"),
    ("en", "English"),
    ("ar", "العربية"),
    ("tr", "Türkçe"),
    ("pl", "Polski"),
    ("uk", "Українська"),
    ("ti", "ትግርኛ"),
)
"""Each language in its own name and script, as the language switch shows it."""

CODES = frozenset(code for code, _name in RESIDENT_LANGUAGES)
RIGHT_TO_LEFT = frozenset({"ar"})

SESSION_KEY = "resident_language"
"""A resident's own choice on a screen without a stored resident (a one-time link)."""


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    direction: str  # "rtl" or "ltr"


def language(code: str) -> Language:
    code = code if code in CODES else DEFAULT
    return Language(code, dict(RESIDENT_LANGUAGES)[code], "rtl" if code in RIGHT_TO_LEFT else "ltr")


def all_languages() -> list[Language]:
    return [language(code) for code, _name in RESIDENT_LANGUAGES]


def direction(code: str) -> str:
    return language(code).direction


def resident_language(request: HttpRequest | None, resident: Resident | None = None) -> str:
    """The language of the screen for this resident: the stored one, else the choice made
    in this session on a screen without a resident, else Dutch."""
    if resident is not None and resident.language in CODES:
        return resident.language
    if request is not None and hasattr(request, "session"):
        chosen = request.session.get(SESSION_KEY, "")
        if chosen in CODES:
            return str(chosen)
    return DEFAULT


def chosen_in_session(request: HttpRequest) -> str | None:
    """The resident's own choice in this session (a one-time link or the tablet)."""
    chosen = request.session.get(SESSION_KEY, "") if hasattr(request, "session") else ""
    return str(chosen) if chosen in CODES else None


def forget_choice(request: HttpRequest) -> None:
    """A new hand-over starts from the next resident's own language."""
    request.session.pop(SESSION_KEY, None)


@contextmanager
def speaking(code: str) -> Iterator[Language]:
    """Render inside this block in the resident's language (Dutch for unknown codes)."""
    chosen = language(code)
    with translation.override(chosen.code):
        yield chosen


P = ParamSpec("P")


def in_resident_language(
    choose: Callable[..., str],
) -> Callable[[Callable[P, HttpResponse]], Callable[P, HttpResponse]]:
    """A view that renders in the language `choose(request, *args, **kwargs)` returns.
    The view must render eagerly (render(), not a lazy TemplateResponse)."""

    def decorate(view: Callable[P, HttpResponse]) -> Callable[P, HttpResponse]:
        @functools.wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            with speaking(choose(*args, **kwargs)) as chosen:
                response = view(*args, **kwargs)
            response.headers["Content-Language"] = chosen.code
            return response

        return wrapped

    return decorate


def remember_choice(request: HttpRequest, code: str) -> bool:
    """Keep a resident's choice for this session (screens without a stored resident)."""
    if code not in CODES:
        return False
    request.session[SESSION_KEY] = code
    return True


def safe_next(request: HttpRequest, fallback: str) -> str:
    """Where to go back to after a switch: a path on this site, else `fallback`."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def template_context(code: str, action: str, next_url: str) -> dict[str, Any]:
    """What templates/resident_base.html and its language switch need."""
    return {
        "resident_language": language(code),
        "resident_languages": all_languages(),
        "language_action": action,
        "language_next": next_url,
    }
