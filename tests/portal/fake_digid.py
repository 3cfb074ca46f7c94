"""A fake DigiD broker (OpenID Connect) on 127.0.0.1: /authorize signs in whoever
`claims` describe, /token checks the client (HTTP Basic), the code and PKCE, /jwks gives
the key. `sign_with` can be set to another key to make a token with a bad signature."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import jwt

from tests.fake_openid import FakeOpenIDProvider

CLIENT_ID = "wattelt-digid-test"
CLIENT_SECRET = "fake-digid-broker-secret-0123456789"


class FakeDigiD(FakeOpenIDProvider):
    client_id = CLIENT_ID
    client_secret = CLIENT_SECRET
    kid = "digid"

    def __init__(self) -> None:
        super().__init__()
        self.sign_with = self.key
        self.claims: dict[str, Any] = {}
        self.nonce_override: str | None = None

    def sign_in_as(
        self, bsn: str, acr: str = "urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard"
    ) -> None:
        self.claims = {"sub": "sub-" + secrets.token_hex(4), "bsn": bsn, "acr": acr}

    def settings(self) -> dict[str, Any]:
        return {
            "DIGID_PROVIDER_URL": self.url,
            "DIGID_CLIENT_ID": CLIENT_ID,
            "DIGID_CLIENT_SECRET": CLIENT_SECRET,
            "DIGID_ENDPOINTS": {
                "authorization": f"{self.url}/authorize",
                "token": f"{self.url}/token",
                "jwks": f"{self.url}/jwks",
            },
        }

    def extra_claims(self) -> dict[str, Any]:
        nonce = {"nonce": self.nonce_override} if self.nonce_override else {}
        return {**nonce, **self.claims}

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.sign_with, algorithm="RS256", headers={"kid": self.kid})

    def client_authenticated(self, authorization: str, form: dict[str, str]) -> bool:
        basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        return authorization == f"Basic {basic}"


@contextmanager
def running() -> Iterator[FakeDigiD]:
    broker = FakeDigiD()
    try:
        yield broker
    finally:
        broker.stop()
