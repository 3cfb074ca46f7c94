"""Handing the professional's tablet to a resident: while the session is locked it
reaches only the pages handed over (a questionnaire, the board in conversation mode),
the hand-back, the language switch and logging out (see feedback.middleware.TabletMode).
Only the professional's password and second-factor code end it, or logging out.

The app that hands over names the pages; this module keeps the lock and checks the
hand-back, so the feedback tablet and the board's conversation mode share one lock."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from . import lockout
from .forms import ReauthenticateForm
from .models import Staff

LOCK_KEY = "feedback_tablet_mode"
"""What is handed over; while set, the session is locked to the pages below."""
PAGES_KEY = "handover_pages"
"""The paths the locked session may reach; the first is where any other page leads."""
BACK_KEY = "handover_back"
"""Where the professional lands after handing back, if not the app's own default."""
FAILED_HAND_BACKS_KEY = "feedback_tablet_failed_hand_backs"
HAND_BACK_ATTEMPTS = 5
"""Wrong password-or-code attempts before the session is logged out altogether."""


def lock(request: HttpRequest, what: object, pages: Iterable[str], back: str | None = None) -> None:
    """Lock the session to `pages` (paths; the first is the home of the hand-over)."""
    request.session[LOCK_KEY] = what
    request.session[PAGES_KEY] = list(pages)
    if back:
        request.session[BACK_KEY] = back
    else:
        request.session.pop(BACK_KEY, None)
    request.session.pop(FAILED_HAND_BACKS_KEY, None)


def is_locked(request: HttpRequest) -> bool:
    return LOCK_KEY in request.session


def locked_to(request: HttpRequest) -> object:
    """What was handed over (e.g. the questionnaire's or the measurement's id)."""
    return request.session.get(LOCK_KEY)


def pages(request: HttpRequest) -> list[str]:
    return list(request.session.get(PAGES_KEY, []))


def home(request: HttpRequest) -> str | None:
    handed = pages(request)
    return handed[0] if handed else None


def back(request: HttpRequest) -> str | None:
    return request.session.get(BACK_KEY)


def end(request: HttpRequest) -> None:
    for key in (LOCK_KEY, PAGES_KEY, BACK_KEY, FAILED_HAND_BACKS_KEY):
        request.session.pop(key, None)


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


def take_back(
    request: HttpRequest, user: Staff, form: ReauthenticateForm, done: str
) -> HttpResponse | None:
    """The hand-back form posted: on the right password and code the session is unlocked
    and the professional goes to the lock's own way back, else to `done`; too many
    wrong attempts log out. None: stay on the form (its error says why)."""
    if not (form.is_bound and form.is_valid()):
        return None
    data = form.cleaned_data
    way_back = back(request) or done
    if hand_back(request, user, data["password"], data["code"]):
        messages.success(request, _("The tablet is unlocked: welcome back."))
        return redirect(way_back)
    if lockout.is_locked_out(request):
        # The account's lockout (shared with the login) ends the session at once.
        return lockout.refuse_locked_out(request)
    if failed_hand_backs(request) >= HAND_BACK_ATTEMPTS:
        logout(request)
        messages.error(
            request, _("Too many wrong attempts to unlock the tablet: you have been logged out.")
        )
        return redirect("login")
    form.add_error(None, _("Password or code is not right. The tablet stays locked; try again."))
    return None
