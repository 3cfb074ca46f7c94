"""A small fake OpenID Connect provider for the authorization code flow: a real HTTP
server on 127.0.0.1 with /authorize (signs in without asking anything), /token, /jwks
and, if a subclass gives `userinfo`, /userinfo. Subclasses set the client and say how
the client authenticates at /token and which claims the id_token carries."""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa


def pkce_challenge(verifier: str) -> str:
    """The S256 code challenge of a PKCE code verifier (RFC 7636)."""
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def authorize(url: str) -> str:
    """The browser's visit to a provider's /authorize `url`: where it is sent back to."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.netloc, timeout=5)
    connection.request("GET", f"{parts.path}?{parts.query}")
    response = connection.getresponse()
    assert response.status == 302, response.read()
    connection.close()
    return str(response.getheader("Location"))


class FakeOpenIDProvider:
    client_id = ""
    client_secret = ""
    kid = "test-key"

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.codes: dict[str, dict[str, str]] = {}
        self.access_tokens: set[str] = set()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # Hooks for subclasses.

    def extra_claims(self) -> dict[str, Any]:
        """Claims added to (or overriding) the id_token's iss, aud, iat, exp and nonce."""
        return {}

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid})

    def client_authenticated(self, authorization: str, form: dict[str, str]) -> bool:
        """Whether the token request (its Authorization header and form) carries the
        client's credentials."""
        raise NotImplementedError

    def userinfo(self) -> dict[str, Any] | None:
        """The userinfo answer; None means there is no /userinfo endpoint."""
        return None

    # The provider's side.

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims = {"iss": self.url, "aud": self.client_id, "iat": now, "exp": now + 300}
        return self.sign({**claims, "nonce": nonce, **self.extra_claims()})

    def jwks(self) -> dict[str, Any]:
        key = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**key, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def token_granted(self, authorization: str, form: dict[str, str]) -> dict[str, Any]:
        """The /token answer for a valid code (with PKCE S256), else {}."""
        request = self.codes.pop(form.get("code", ""), None)
        if (
            request is None
            or not self.client_authenticated(authorization, form)
            or form.get("redirect_uri") != request["redirect_uri"]
            or request.get("code_challenge_method") != "S256"
            or pkce_challenge(form.get("code_verifier", "")) != request.get("code_challenge")
        ):
            return {}
        access_token = secrets.token_urlsafe(16)
        self.access_tokens.add(access_token)
        return {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": self.id_token(request["nonce"]),
        }

    # The browser's side.

    def authorize(self, url: str) -> str:
        """Follow a redirect to /authorize; return where the provider sends the browser."""
        assert url.startswith(f"{self.url}/"), url
        return authorize(url)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

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
                if path == "/authorize" and (
                    params.get("client_id") == provider.client_id
                    and params.get("response_type") == "code"
                ):
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = params
                    target = f"{params['redirect_uri']}?" + urlencode(
                        {"code": code, "state": params["state"]}
                    )
                    self.reply(302, Location=target)
                elif path == "/userinfo" and provider.userinfo() is not None:
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    if token in provider.access_tokens:
                        self.reply(200, provider.userinfo())
                    else:
                        self.reply(401, {"error": "invalid_token"})
                elif path == "/jwks":
                    self.reply(200, provider.jwks())
                else:
                    self.reply(404)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                authorization = self.headers.get("Authorization", "")
                body = provider.token_granted(authorization, form) if self.path == "/token" else {}
                if body:
                    self.reply(200, body)
                else:
                    self.reply(400, {"error": "invalid_grant"})

        return Handler
