"""Logging in through the organisation's OpenID Connect provider (mozilla-django-oidc).

Only existing, active accounts of the configured organisation get in, matched by the
e-mail address (or, without one, the username) the provider vouches for: an administrator
creates accounts, a first login never does. A login the provider reports as multi-factor
(`amr`/`acr`) counts as our second factor; otherwise the usual TOTP step follows."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from . import two_factor
from .models import Staff

logger = logging.getLogger(__name__)

Claims = Mapping[str, Any]
OIDC_DEVICE_NAME = "oidc"


def used_multi_factor(claims: Claims) -> bool:
    """Does the provider say this login took more than a password?"""
    amr = claims.get("amr") or []
    methods = {amr} if isinstance(amr, str) else {str(method) for method in amr}
    methods.add(str(claims.get("acr") or ""))
    return bool(methods & set(settings.OIDC_MFA_VALUES))


def trust_provider_second_factor(user: Staff, claims: Claims) -> bool:
    """When the provider did multi-factor, mark the session OTP-verified at login.

    django_otp's `user_logged_in` handler calls `django_otp.login(request, user.otp_device)`
    as soon as `auth.login()` has run, which stores the device in the session just like
    a TOTP code would. The device is a token-less static device named "oidc": it proves
    nothing by itself and cannot be used to enter a code."""
    if not used_multi_factor(claims):
        return False
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=OIDC_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    user.otp_device = device  # type: ignore[attr-defined]
    return True


class OrganisationOIDCBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    """The configured organisation's staff, through its provider; nobody else."""

    def get_or_create_user(self, access_token: str, id_token: str, payload: Claims) -> Any:
        check_id_token(payload)
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("userinfo is about someone else than the id token")
        claims = {**payload, **userinfo}
        user = find_staff(claims)
        if user is None:
            return None
        self.update_user(user, claims)
        if trust_provider_second_factor(user, claims):
            # The provider just authenticated with more than a password (within max_age):
            # that counts as the fresh confirmation that sudo mode asks for.
            two_factor.mark_reauthenticated(self.request)
        return user

    def update_user(self, user: Staff, claims: Claims) -> Staff:
        names = {"first_name": claims.get("given_name"), "last_name": claims.get("family_name")}
        changed = [
            field for field, value in names.items() if value and getattr(user, field) != value
        ]
        for field in changed:
            setattr(user, field, names[field])
        if changed:
            user.save(update_fields=changed)
        return user

    def get_user(self, user_id: int) -> Any:
        # Django's check, not the library's: a deactivated account loses its session.
        return ModelBackend.get_user(self, user_id)


def check_id_token(payload: Claims) -> None:
    """The signature and nonce are checked by the library; issuer and audience here."""
    audience = payload.get("aud")
    audiences = [audience] if isinstance(audience, str) else list(audience or [])
    if settings.OIDC_RP_CLIENT_ID not in audiences:
        raise SuspiciousOperation("id token is meant for another client")
    if str(payload.get("iss", "")).rstrip("/") != settings.OIDC_PROVIDER_URL:
        raise SuspiciousOperation("id token comes from another issuer")


def find_staff(claims: Claims) -> Staff | None:
    """The active account of the configured organisation these claims are about."""
    email, username = claims.get("email"), claims.get("preferred_username")
    if email and claims.get("email_verified") is False:
        logger.warning("OIDC login refused: the provider has not verified %s", email)
        return None
    if email:
        who, accounts = email, Staff.objects.filter(email__iexact=email)
    elif username:
        who, accounts = username, Staff.objects.filter(username__iexact=username)
    else:
        logger.warning("OIDC login refused: no email or preferred_username claim")
        return None
    found = list(accounts.select_related("organisation")[:2])
    if len(found) != 1:
        problem = "no account" if not found else "more than one account"
        logger.warning("OIDC login refused: %s for %s", problem, who)
        return None
    user = found[0]
    organisation = user.organisation.name if user.organisation else None
    if organisation != settings.OIDC_STAFF_ORGANISATION:
        logger.warning("OIDC login refused: %s belongs to another organisation", who)
        return None
    if not user.is_active:
        logger.warning("OIDC login refused: the account of %s is inactive", who)
        return None
    return user


def login_options(request: HttpRequest) -> dict[str, str]:
    """Context processor: where the "Log in through your organisation" button goes."""
    if not settings.OIDC_LOGIN_ENABLED:
        return {}
    return {"oidc_login_url": reverse("oidc_authentication_init")}
