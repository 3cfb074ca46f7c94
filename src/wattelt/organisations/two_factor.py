"""Two-factor authentication, mandatory for every staff account: TOTP enrolled on first
login, with one-time recovery codes; and "sudo mode": a fresh confirmation of password
and code, valid 10 minutes, before exports, consent changes, erasure and the access log."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

import segno
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import rotate_token
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Staff

View = Callable[..., HttpResponse]
RECOVERY_CODES = 10
REAUTHENTICATED_AT = "wattelt_reauthenticated_at"
SUDO_SECONDS = 10 * 60
# Paths a logged-in but not yet verified user may reach.
OPEN_PATHS = ("/inloggen/", "/uitloggen/", "/static/", "/i18n/", "/oidc/")


def has_second_factor(user: Staff) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_verified(user: Any) -> bool:
    """Has this user done the second step of the login in this session? (OTPMiddleware
    gives request.user is_verified(); anyone else has not.)"""
    return bool(getattr(user, "is_verified", lambda: False)())


def pending_device(user: Staff) -> TOTPDevice:
    """The authenticator being enrolled: created once, confirmed by the first good code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def qr_code_svg(device: TOTPDevice) -> str:
    return str(segno.make(device.config_url, error="m").svg_inline(scale=4))


def confirm_enrolment(user: Staff, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the authenticator with a code from it; returns fresh recovery codes."""
    if not device.verify_token(token.replace(" ", "")):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return new_recovery_codes(user)


def new_recovery_codes(user: Staff) -> list[str]:
    """Replace the recovery codes: each works once, instead of the authenticator."""
    static, _ = StaticDevice.objects.get_or_create(user=user, name="recovery")
    static.token_set.all().delete()
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return codes


def check_code(user: Staff, token: str) -> Any:
    """The device that accepts this code (authenticator or a recovery code), or None."""
    return match_token(user, token.replace(" ", ""))


def safe_next(request: HttpRequest, fallback: str = "start") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse(fallback)


class RequireTwoFactor:
    """After the password, nothing but enrolment or the code until the second factor."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            isinstance(user, Staff)
            and not is_verified(user)
            and not request.path.startswith(OPEN_PATHS)
        ):
            name = "two_factor_verify" if has_second_factor(user) else "two_factor_enrol"
            return redirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def complete_login(request: HttpRequest, device: Any) -> None:
    """The second step is done: the session is verified by this device and gets a new
    id, so an id that leaked before the code (or was planted: session fixation) is
    worth nothing; the old id is deleted from the store. The CSRF token is renewed
    too, as Django does at the password step."""
    otp_login(request, device)
    request.session.cycle_key()
    rotate_token(request)
    mark_reauthenticated(request)


def mark_reauthenticated(request: HttpRequest) -> None:
    request.session[REAUTHENTICATED_AT] = time.time()


def recently_authenticated(request: HttpRequest) -> bool:
    return time.time() - request.session.get(REAUTHENTICATED_AT, 0) < SUDO_SECONDS


def sudo_mode(*, reads: bool = False) -> Callable[[View], View]:
    """Ask for password and code again unless confirmed in the last 10 minutes: before
    every change through the view, and before reading it too when `reads`."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            guarded = reads or request.method == "POST"
            if guarded and not recently_authenticated(request):
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('reauthenticate')}?{query}")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
