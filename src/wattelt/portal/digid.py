"""Signing in to Mijn Wat telt with DigiD, through the organisation's OpenID Connect broker.

A small authorization code flow of our own (mozilla-django-oidc is built around Django
users; a resident has none): state, nonce and PKCE (S256) kept in the session; the
id_token's signature (the broker's JWKS), issuer, audience, expiry and nonce checked with
PyJWT. The BSN comes from `settings.DIGID_BSN_CLAIM`; the assurance level from
`settings.DIGID_ASSURANCE_CLAIM` must be at least `settings.DIGID_MINIMUM_ASSURANCE`.

More than one resident record with the BSN (the person is known to two organisations, or
was registered twice): the sign-in is refused with a message to use an invitation, which
names one record. Choosing a record ourselves could show someone another file's data.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _

from wattelt.residents.models import Resident

from .invitations import too_young

logger = logging.getLogger(__name__)

FLOW = "portal_digid_flow"
TIMEOUT = 10
LEVELS = ("basis", "midden", "substantieel", "hoog")
"""DigiD's assurance levels, lowest first."""
SAML_CLASSES = {
    "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport": "basis",
    "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract": "midden",
    "urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard": "substantieel",
    "urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI": "hoog",
}
"""How DigiD names its levels in SAML, as brokers often pass them on."""


class DigiDRefused(Exception):
    """The DigiD sign-in did not lead to a resident; the message is for the resident."""


def enabled() -> bool:
    return bool(settings.DIGID_PROVIDER_URL)


def assurance_level(value: object) -> str | None:
    """basis/midden/substantieel/hoog from the claim's value (plain or a SAML class)."""
    text = str(value or "").strip()
    if text.lower() in LEVELS:
        return text.lower()
    return SAML_CLASSES.get(text)


def strong_enough(value: object) -> bool:
    level = assurance_level(value)
    return level is not None and LEVELS.index(level) >= LEVELS.index(
        settings.DIGID_MINIMUM_ASSURANCE
    )


def _pkce_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorization_url(request: HttpRequest, redirect_uri: str, next_url: str) -> str:
    """Where to send the resident: the broker's login, with a fresh state, nonce and
    PKCE verifier kept in this session."""
    flow = {
        "state": secrets.token_urlsafe(32),
        "nonce": secrets.token_urlsafe(32),
        "verifier": secrets.token_urlsafe(48),
        "redirect_uri": redirect_uri,
        "next": next_url,
    }
    request.session[FLOW] = flow
    query = urlencode(
        {
            "response_type": "code",
            "client_id": settings.DIGID_CLIENT_ID,
            "redirect_uri": redirect_uri,
            "scope": settings.DIGID_SCOPES,
            "state": flow["state"],
            "nonce": flow["nonce"],
            "code_challenge": _pkce_challenge(flow["verifier"]),
            "code_challenge_method": "S256",
        }
    )
    return f"{settings.DIGID_ENDPOINTS['authorization']}?{query}"


def _failed() -> DigiDRefused:
    return DigiDRefused(_("Signing in with DigiD did not work. Please try again."))


def _id_token(flow: dict[str, str], code: str) -> str:
    try:
        response = requests.post(
            settings.DIGID_ENDPOINTS["token"],
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": flow["redirect_uri"],
                "code_verifier": flow["verifier"],
            },
            auth=(settings.DIGID_CLIENT_ID, settings.DIGID_CLIENT_SECRET),
            timeout=TIMEOUT,
        )
        response.raise_for_status()
        return str(response.json()["id_token"])
    except (requests.RequestException, ValueError, KeyError) as problem:
        logger.warning("DigiD sign-in: the token request failed (%s)", type(problem).__name__)
        raise _failed() from problem


def verified_claims(id_token: str, nonce: str) -> dict[str, Any]:
    """The id_token's claims, once its signature, issuer, audience, expiry and nonce
    check out."""
    try:
        key = jwt.PyJWKClient(settings.DIGID_ENDPOINTS["jwks"], timeout=TIMEOUT)
        signing_key = key.get_signing_key_from_jwt(id_token)
        claims: dict[str, Any] = jwt.decode(
            id_token,
            signing_key.key,
            algorithms=["RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256"],
            audience=settings.DIGID_CLIENT_ID,
            issuer=settings.DIGID_PROVIDER_URL,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
    except jwt.PyJWTError as problem:
        logger.warning("DigiD sign-in: id token refused (%s)", type(problem).__name__)
        raise _failed() from problem
    if not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
        logger.warning("DigiD sign-in: the id token's nonce is not ours")
        raise _failed()
    return claims


def resident_by_bsn(bsn: str) -> Resident:
    """The one resident record with this BSN who is old enough for Mijn Wat telt."""
    found = list(Resident.objects.filter(bsn=bsn).select_related("organisation")[:2]) if bsn else []
    if not found:
        raise DigiDRefused(
            _("We do not know you in Mijn Wat telt yet. Ask your professional for an invitation.")
        )
    if len(found) > 1:
        logger.warning("DigiD sign-in refused: more than one resident record with this BSN")
        raise DigiDRefused(
            _(
                "You are known to us more than once, so we cannot sign you in with DigiD. "
                "Ask your professional for an invitation."
            )
        )
    resident = found[0]
    if too_young(resident):
        raise DigiDRefused(
            _("Mijn Wat telt is not yet open to you because of your age. Ask your professional.")
        )
    return resident


def finish(request: HttpRequest, state: str, code: str) -> tuple[Resident, str]:
    """The resident the broker vouched for, and where to go next."""
    flow = request.session.pop(FLOW, None)
    if not flow or not state or not secrets.compare_digest(str(flow["state"]), state) or not code:
        logger.warning("DigiD sign-in: no flow in this session or the state does not match")
        raise _failed()
    claims = verified_claims(_id_token(flow, code), flow["nonce"])
    if not strong_enough(claims.get(settings.DIGID_ASSURANCE_CLAIM)):
        raise DigiDRefused(
            _(
                "Mijn Wat telt needs DigiD with assurance level %(level)s or higher: sign "
                "in with the DigiD app and check your identity document in it."
            )
            % {"level": settings.DIGID_MINIMUM_ASSURANCE.capitalize()}
        )
    return resident_by_bsn(str(claims.get(settings.DIGID_BSN_CLAIM, ""))), str(flow["next"])
