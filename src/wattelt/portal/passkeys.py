"""Passkeys (WebAuthn, py_webauthn) for Mijn Wat telt.

A resident registers a passkey on their own phone when they first use an invitation,
and signs in with it afterwards without a user name: the credential is discoverable, and
the server finds the resident by the credential's id. The challenge of each ceremony is
kept in the session. The relying party is `settings.PORTAL_ORIGIN`, or else the origin
of the request (whose host Django checked against ALLOWED_HOSTS).

py_webauthn is imported on first use in each function: with cryptography and OpenSSL
it costs an app server's start over half a second, and few requests need it."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from wattelt.residents.models import Resident

from . import invitations
from .models import Invitation, Passkey

REGISTRATION_CHALLENGE = "portal_passkey_registration"
SIGN_IN_CHALLENGE = "portal_passkey_sign_in"
RP_NAME = "Mijn Wat telt"


class PasskeyRefused(Exception):
    """The passkey could not be registered or used; the message is for the resident."""


@dataclass(frozen=True)
class RelyingParty:
    id: str
    origin: str


def relying_party(request: HttpRequest) -> RelyingParty:
    origin = settings.PORTAL_ORIGIN or f"{request.scheme}://{request.get_host()}"
    return RelyingParty(id=str(urlsplit(origin).hostname), origin=origin)


def registration_options(request: HttpRequest, resident: Resident) -> str:
    """The options for navigator.credentials.create(), as JSON: a discoverable credential
    with user verification (the phone's fingerprint, face or PIN)."""
    from webauthn import generate_registration_options, options_to_json
    from webauthn.helpers import bytes_to_base64url
    from webauthn.helpers.structs import (
        AuthenticatorSelectionCriteria,
        ResidentKeyRequirement,
        UserVerificationRequirement,
    )

    options = generate_registration_options(
        rp_id=relying_party(request).id,
        rp_name=RP_NAME,
        user_id=f"resident-{resident.pk}".encode(),
        user_name=resident.first_name,
        user_display_name=str(resident),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
    )
    request.session[REGISTRATION_CHALLENGE] = bytes_to_base64url(options.challenge)
    return options_to_json(options)


def _challenge(request: HttpRequest, key: str) -> bytes:
    from webauthn.helpers import base64url_to_bytes

    stored = request.session.pop(key, None)
    if not stored:
        raise PasskeyRefused(_("This page was open too long. Please try again."))
    return base64url_to_bytes(stored)


def register(request: HttpRequest, invitation: Invitation, credential: str) -> Passkey:
    """Store the passkey the resident made with this invitation, use the invitation up
    and revoke the resident's earlier passkeys: all or nothing."""
    from webauthn import verify_registration_response
    from webauthn.helpers import bytes_to_base64url
    from webauthn.helpers.exceptions import InvalidJSONStructure, WebAuthnException

    party = relying_party(request)
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=_challenge(request, REGISTRATION_CHALLENGE),
            expected_rp_id=party.id,
            expected_origin=party.origin,
            require_user_verification=True,
        )
    except (WebAuthnException, InvalidJSONStructure, ValueError) as problem:
        raise PasskeyRefused(
            _("Your phone's passkey could not be saved. Please try again.")
        ) from problem
    with transaction.atomic():
        invitations.use(invitation)
        return Passkey.objects.create(
            resident=invitation.resident,
            credential_id=bytes_to_base64url(verified.credential_id),
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            invitation=invitation,
        )


def sign_in_options(request: HttpRequest) -> str:
    """The options for navigator.credentials.get(): no user name, any of our passkeys."""
    from webauthn import generate_authentication_options, options_to_json
    from webauthn.helpers import bytes_to_base64url
    from webauthn.helpers.structs import UserVerificationRequirement

    options = generate_authentication_options(
        rp_id=relying_party(request).id,
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    request.session[SIGN_IN_CHALLENGE] = bytes_to_base64url(options.challenge)
    return options_to_json(options)


def authenticate(request: HttpRequest, credential: str) -> Resident:
    """The resident whose active passkey signed this challenge, or a refusal."""
    from webauthn import verify_authentication_response
    from webauthn.helpers import bytes_to_base64url, parse_authentication_credential_json
    from webauthn.helpers.exceptions import InvalidJSONStructure, WebAuthnException

    refused = _(
        "This passkey does not work (any more). Ask your professional for a new invitation."
    )
    challenge = _challenge(request, SIGN_IN_CHALLENGE)
    try:
        parsed = parse_authentication_credential_json(credential)
    except (InvalidJSONStructure, ValueError) as problem:
        raise PasskeyRefused(refused) from problem
    passkey = (
        Passkey.objects.active()
        .select_related("resident")
        .filter(credential_id=bytes_to_base64url(parsed.raw_id))
        .first()
    )
    if passkey is None:
        raise PasskeyRefused(refused)
    party = relying_party(request)
    try:
        verified = verify_authentication_response(
            credential=parsed,
            expected_challenge=challenge,
            expected_rp_id=party.id,
            expected_origin=party.origin,
            credential_public_key=bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=True,
        )
    except WebAuthnException as problem:
        raise PasskeyRefused(refused) from problem
    Passkey.objects.filter(pk=passkey.pk).update(
        sign_count=verified.new_sign_count, last_used_at=timezone.now()
    )
    return passkey.resident
