"""Lockout after failed logins and re-authentications (django-axes), on two counts.

- One account from one address: `WATTELT_LOGIN_FAILURE_LIMIT` failures (password or,
  in sudo mode, code) lock that account at that address (axes' own rule,
  `AXES_LOCKOUT_PARAMETERS`). A colleague at the next desk, or the same person at home,
  is not locked with it, and nobody can lock an account from elsewhere.
- One address, all accounts together: `WATTELT_LOGIN_ADDRESS_FAILURE_LIMIT` failures lock
  the address for every account (password spraying: one password tried on many
  accounts). Each account adds at most `WATTELT_LOGIN_FAILURE_LIMIT` to this count, and
  an account's failures are forgotten when it logs in, so one person who keeps mistyping
  cannot lock an office that shares one NAT address.

Both counts look back `WATTELT_LOGIN_LOCKOUT_MINUTES`; a failure during a lockout counts
too, so guessing on keeps the door shut. An administrator unlocks early with
`manage.py axes_reset_username <name>` or `manage.py axes_reset_ip <address>`."""

from __future__ import annotations

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import authenticate, logout
from django.contrib.auth.signals import user_login_failed
from django.db.models import Sum, Value
from django.db.models.functions import Least
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .models import Staff
from .two_factor import check_code

# Set on the request when the address as a whole, not the account, is locked out.
LOCKED_BY_ADDRESS = "wattelt_locked_by_address"
# Set on the request when the lockout ended the session it came in (sudo mode).
SESSION_ENDED = "wattelt_lockout_ended_session"


class LoginLockoutHandler(AxesDatabaseHandler):  # type: ignore[misc]
    """axes' database handler with the per-address limit on top of the per-account one."""

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        """The failures that count against this attempt, on the scale of the account
        limit: the account's own from this address, or the full limit once the
        address has passed its own."""
        account = int(super().get_failures(request, credentials))
        limit = int(get_failure_limit(request, credentials))
        if account >= limit:
            return account
        if address_failures(request, per_account_cap=limit) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            setattr(request, LOCKED_BY_ADDRESS, True)
            return limit
        return account


def address_failures(request: HttpRequest, *, per_account_cap: int) -> int:
    """Recent failures from the request's address, each account (and browser) counted
    at most `per_account_cap` times."""
    recent = AccessAttempt.objects.filter(
        ip_address=request.axes_ip_address,  # type: ignore[attr-defined]
        attempt_time__gte=get_cool_off_threshold(request),
    )
    capped = Sum(Least("failures_since_start", Value(per_account_cap)))
    return int(recent.aggregate(total=capped)["total"] or 0)


def confirm_password_and_code(request: HttpRequest, user: Staff, password: str, code: str) -> bool:
    """Sudo mode's check, counted by axes exactly like a login: a wrong password or a
    wrong code is one failure for this account from this address, and a locked-out
    account is refused whatever it sends (see `is_locked_out`)."""
    username = user.get_username()
    # authenticate() passes axes' backend first: it refuses a locked-out account, and a
    # wrong password is reported to axes through the user_login_failed signal.
    checked = authenticate(request, username=username, password=password)
    if checked is None or checked.pk != user.pk:
        return False
    if check_code(user, code) is None:
        user_login_failed.send(__name__, credentials={"username": username}, request=request)
        return False
    # Like a successful login (AXES_RESET_ON_SUCCESS): the account's failures are forgotten.
    AxesProxyHandler.update_request(request)
    AxesProxyHandler.get_implementation().reset_user_attempts(request, {"username": username})
    return True


def is_locked_out(request: HttpRequest) -> bool:
    """Did axes lock this request's account or address out (now or before)?"""
    return bool(getattr(request, "axes_locked_out", False))


def refuse_locked_out(request: HttpRequest) -> HttpResponse:
    """Sudo mode when locked out. A session whose own account is locked is ended (it
    guessed its own password or code): whoever holds it must log in again, which the
    lockout refuses until it expires. When only the address is locked, because of
    someone else's failures, the session stays and only the confirmation waits."""
    if not getattr(request, LOCKED_BY_ADDRESS, False):
        logout(request)
        setattr(request, SESSION_ENDED, True)
    return lockout_response(request)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """The page for a locked-out login or re-authentication (`AXES_LOCKOUT_CALLABLE`)."""
    context = {
        "minutes": settings.LOGIN_LOCKOUT_MINUTES,
        "by_address": bool(getattr(request, LOCKED_BY_ADDRESS, False)),
        "logged_out": bool(getattr(request, SESSION_ENDED, False)),
    }
    return render(request, "registration/locked_out.html", context, status=429)
