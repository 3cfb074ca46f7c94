"""A fake DigiD broker (OpenID Connect) on 127.0.0.1: /authorize signs in whoever
`claims` describe, /token checks the client, the code and PKCE, /jwks gives the key.
`sign_with` can be set to another key to make a token with a bad signature."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "wattelt-digid-test"
CLIENT_SECRET = "fake-digid-broker-secret-0123456789"


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


class FakeDigiD:
    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.sign_with = self.key
        self.claims: dict[str, Any] = {}
        self.nonce_override: str | None = None
        self.codes: dict[str, dict[str, str]] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

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

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims = {
            "iss": self.url,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": self.nonce_override or nonce,
            **self.claims,
        }
        return jwt.encode(claims, self.sign_with, algorithm="RS256", headers={"kid": "digid"})

    def jwks(self) -> dict[str, Any]:
        key = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**key, "kid": "digid", "alg": "RS256", "use": "sig"}]}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        broker = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def reply(self, status: int, body: Any = None, **headers: str) -> None:
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                path, _, query = self.path.partition("?")
                params = {name: values[0] for name, values in parse_qs(query).items()}
                if path == "/authorize" and params.get("client_id") == CLIENT_ID:
                    code = secrets.token_urlsafe(16)
                    broker.codes[code] = params
                    target = f"{params['redirect_uri']}?" + urlencode(
                        {"code": code, "state": params["state"]}
                    )
                    self.reply(302, Location=target)
                elif path == "/jwks":
                    self.reply(200, broker.jwks())
                else:
                    self.reply(404)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
                request = broker.codes.pop(form.get("code", ""), None)
                if (
                    self.path != "/token"
                    or request is None
                    or self.headers.get("Authorization") != f"Basic {basic}"
                    or form.get("redirect_uri") != request["redirect_uri"]
                    or request.get("code_challenge_method") != "S256"
                    or _challenge(form.get("code_verifier", "")) != request["code_challenge"]
                ):
                    self.reply(400, {"error": "invalid_grant"})
                    return
                self.reply(
                    200,
                    {
                        "access_token": secrets.token_urlsafe(16),
                        "token_type": "Bearer",
                        "id_token": broker.id_token(request["nonce"]),
                    },
                )

        return Handler


@contextmanager
def running() -> Iterator[FakeDigiD]:
    broker = FakeDigiD()
    try:
        yield broker
    finally:
        broker.stop()
