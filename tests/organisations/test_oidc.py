"""Logging in through the organisation's OpenID Connect provider, against a small fake
provider: a real HTTP server on 127.0.0.1 with /authorize, /token, /userinfo and /jwks."""

from __future__ import annotations

import importlib
import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from copy import deepcopy
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jwt
import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import clear_url_caches, reverse
from django.urls.exceptions import NoReverseMatch
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

import wattelt.urls
from tests.fake_openid import FakeOpenIDProvider
from wattelt.organisations.models import Staff
from wattelt.organisations.oidc import used_multi_factor

CLIENT_ID = "wattelt-test"
CLIENT_SECRET = "fake-provider-client-secret-0123456789abcdef"
BACKEND = "wattelt.organisations.oidc.OrganisationOIDCBackend"
ROOT = Path(__file__).resolve().parents[2]


class FakeProvider(FakeOpenIDProvider):
    """The organisation's provider: the client authenticates with client_secret_post;
    the user's claims come from /userinfo; id_tokens are signed HS256 or RS256."""

    client_id = CLIENT_ID
    client_secret = CLIENT_SECRET

    def __init__(self, algorithm: str) -> None:
        self.algorithm = algorithm
        self.claims: dict[str, Any] = {}  # about the user: in the userinfo
        self.id_token_claims: dict[str, Any] = {}  # amr, acr, or overrides of aud/iss
        super().__init__()

    def log_in_as(self, amr: list[str] | None = None, **claims: Any) -> None:
        self.claims = {"sub": "sub-" + secrets.token_hex(4), **claims}
        self.id_token_claims = {"amr": amr} if amr is not None else {}

    def extra_claims(self) -> dict[str, Any]:
        return {"sub": self.claims["sub"], **self.id_token_claims}

    def sign(self, claims: dict[str, Any]) -> str:
        if self.algorithm == "HS256":
            return jwt.encode(claims, CLIENT_SECRET, algorithm="HS256")
        return super().sign(claims)

    def client_authenticated(self, authorization: str, form: dict[str, str]) -> bool:
        return form.get("client_secret") == CLIENT_SECRET

    def userinfo(self) -> dict[str, Any]:
        return self.claims


def reload_urls() -> None:
    importlib.reload(wattelt.urls)
    clear_url_caches()


@pytest.fixture(params=["HS256"])
def provider(request: pytest.FixtureRequest, db: None, organisation: Any) -> Iterator[FakeProvider]:
    """OIDC switched on (as the settings block does it) against a fake provider."""
    fake = FakeProvider(request.param)
    templates: Any = deepcopy(settings.TEMPLATES)
    templates[0]["OPTIONS"]["context_processors"].append("wattelt.organisations.oidc.login_options")
    oidc_settings = {
        "OIDC_LOGIN_ENABLED": True,
        "OIDC_PROVIDER_URL": fake.url,
        "OIDC_RP_CLIENT_ID": CLIENT_ID,
        "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_RP_SIGN_ALGO": request.param,
        "OIDC_STAFF_ORGANISATION": organisation.name,
        "OIDC_MFA_VALUES": ["mfa", "otp", "hwk"],
        "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{fake.url}/authorize",
        "OIDC_OP_TOKEN_ENDPOINT": f"{fake.url}/token",
        "OIDC_OP_USER_ENDPOINT": f"{fake.url}/userinfo",
        "OIDC_OP_JWKS_ENDPOINT": f"{fake.url}/jwks",
        "OIDC_RP_SCOPES": "openid email profile",
        "OIDC_USE_PKCE": True,
        "OIDC_CREATE_USER": False,
        "OIDC_TIMEOUT": 5,
        "OIDC_AUTH_REQUEST_EXTRA_PARAMS": {"max_age": "600"},  # as settings.py sets it
        # Only ever 127.0.0.1: no proxy from the environment in between.
        "OIDC_PROXY": {"http": None, "https": None},
        "AUTHENTICATION_BACKENDS": [*settings.AUTHENTICATION_BACKENDS, BACKEND],
        "TEMPLATES": templates,
    }
    try:
        with override_settings(**oidc_settings):
            reload_urls()
            yield fake
    finally:
        reload_urls()
        fake.stop()


def oidc_login(client: Client, provider: FakeProvider, start: str = "") -> HttpResponse:
    """The browser's round trip: our start URL, the provider, back to our callback."""
    response = client.get(reverse("oidc_authentication_init") + start)
    assert response.status_code == 302
    callback = urlsplit(provider.authorize(response["Location"]))
    assert callback.netloc == "testserver"
    assert callback.path == reverse("oidc_authentication_callback")
    return client.get(f"{callback.path}?{callback.query}")  # type: ignore[return-value]


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def alice_by_mail(alice: Staff) -> Staff:
    alice.email = "Alice@Wijkteams.example"
    alice.save()
    return alice


@pytest.mark.parametrize("provider", ["HS256", "RS256"], indirect=True)
def test_multi_factor_at_the_provider_logs_straight_in(provider, alice_by_mail):
    provider.log_in_as(
        email="alice@wijkteams.example", given_name="Alice", family_name="de Vries", amr=["mfa"]
    )
    client = Client()
    response = oidc_login(client, provider)
    assert response.status_code == 302
    assert response["Location"] == reverse("start")
    assert client.session["_auth_user_id"] == str(alice_by_mail.pk)
    assert client.get(reverse("start")).status_code == 200, "no second code asked"
    alice_by_mail.refresh_from_db()
    assert alice_by_mail.last_name == "de Vries", "names follow the provider"
    device = StaticDevice.objects.get(user=alice_by_mail, name="oidc")
    assert not device.token_set.exists(), "nothing to type in: it cannot be used as a code"


def test_without_multi_factor_our_own_second_factor_follows(provider, alice_by_mail):
    provider.log_in_as(email="alice@wijkteams.example", amr=["pwd"])
    client = Client()
    oidc_login(client, provider)
    assert logged_in(client)
    assert client.get(reverse("start"))["Location"].startswith(reverse("two_factor_enrol"))
    TOTPDevice.objects.create(user=alice_by_mail, name="app", confirmed=True)
    assert client.get(reverse("start"))["Location"].startswith(reverse("two_factor_verify"))


def test_the_next_page_survives_the_round_trip(provider, alice_by_mail):
    provider.log_in_as(email="alice@wijkteams.example", amr=["otp"])
    client = Client()
    target = reverse("residents:search")
    response = oidc_login(client, provider, f"?next={target}")
    assert response["Location"] == target
    assert client.get(target).status_code == 200


def test_preferred_username_when_there_is_no_email(provider, alice):
    provider.log_in_as(preferred_username="alice", amr=["hwk"])
    client = Client()
    oidc_login(client, provider)
    assert client.session["_auth_user_id"] == str(alice.pk)


@pytest.mark.parametrize(
    "case", ["unknown", "inactive", "other organisation", "unverified email", "other client"]
)
def test_refused_logins(
    provider: FakeProvider, alice_by_mail: Staff, charlie: Staff, case: str
) -> None:
    claims: dict[str, Any] = {"email": "alice@wijkteams.example"}
    if case == "unknown":
        claims["email"] = "nobody@wijkteams.example"
    elif case == "inactive":
        alice_by_mail.is_active = False
        alice_by_mail.save()
    elif case == "other organisation":
        charlie.email = claims["email"] = "charlie@elders.example"
        charlie.save()
    elif case == "unverified email":
        claims["email_verified"] = False
    provider.log_in_as(amr=["mfa"], **claims)
    if case == "other client":
        provider.id_token_claims["aud"] = "someone-else"
    client = Client()
    response = oidc_login(client, provider)
    assert response.status_code == 302
    assert not logged_in(client)
    assert client.get(reverse("start"))["Location"].startswith(reverse("login"))
    assert not Staff.objects.filter(email="nobody@wijkteams.example").exists(), "not created"


def test_a_deactivated_account_loses_its_session(provider, alice_by_mail):
    provider.log_in_as(email="alice@wijkteams.example", amr=["mfa"])
    client = Client()
    oidc_login(client, provider)
    Staff.objects.filter(pk=alice_by_mail.pk).update(is_active=False)
    assert client.get(reverse("start"))["Location"].startswith(reverse("login"))


def test_the_login_page_offers_the_organisation_login(provider):
    page = Client().get(reverse("login") + "?next=/zoeken/").content.decode()
    assert f'href="{reverse("oidc_authentication_init")}?next=/zoeken/"' in page


def test_switched_off_nothing_changes(db):
    page = Client().get(reverse("login")).content.decode()
    assert "/oidc/" not in page
    assert Client().get("/oidc/authenticate/").status_code == 404
    with pytest.raises(NoReverseMatch):
        reverse("oidc_authentication_init")
    assert BACKEND not in settings.AUTHENTICATION_BACKENDS


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ({"amr": ["pwd", "mfa"]}, True),
        ({"amr": ["pwd"]}, False),
        ({"acr": "otp"}, True),
        ({"acr": "urn:example:loa:low"}, False),
        ({}, False),
    ],
)
def test_which_claims_count_as_multi_factor(claims, expected):
    assert used_multi_factor(claims) is expected


def settings_from_environment(**env: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import json; from django.conf import settings as s; print(json.dumps(["
        "s.OIDC_OP_AUTHORIZATION_ENDPOINT, s.OIDC_OP_TOKEN_ENDPOINT, s.OIDC_OP_USER_ENDPOINT,"
        " s.OIDC_OP_JWKS_ENDPOINT, s.OIDC_RP_SIGN_ALGO, s.OIDC_MFA_VALUES,"
        " s.AUTHENTICATION_BACKENDS]))"
    )
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("WATTELT_OIDC")
    }
    environment.update(
        WATTELT_DEBUG="1", DJANGO_SETTINGS_MODULE="wattelt.settings", PYTHONPATH=str(ROOT / "src")
    )
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=False
    )


def test_the_settings_come_from_the_environment():
    done = settings_from_environment(
        WATTELT_OIDC_PROVIDER_URL="https://login.example.org/",
        WATTELT_OIDC_CLIENT_ID="wattelt",
        WATTELT_OIDC_CLIENT_SECRET="secret",
        WATTELT_OIDC_ORGANISATION="Wijkteams Test",
        WATTELT_OIDC_TOKEN_ENDPOINT="https://login.example.org/oauth/token",
        WATTELT_OIDC_MFA_CLAIM_VALUES="mfa, urn:example:loa:high",
    )
    assert done.returncode == 0, done.stderr
    authorize, token, userinfo, jwks, algo, mfa, backends = json.loads(done.stdout)
    assert authorize == "https://login.example.org/authorize"
    assert token == "https://login.example.org/oauth/token"
    assert (userinfo, jwks) == (
        "https://login.example.org/userinfo",
        "https://login.example.org/jwks",
    )
    assert algo == "RS256"
    assert mfa == ["mfa", "urn:example:loa:high"]
    assert backends[0] == "axes.backends.AxesStandaloneBackend"
    assert backends[-1] == BACKEND


def test_half_a_configuration_refuses_to_start():
    done = settings_from_environment(WATTELT_OIDC_PROVIDER_URL="https://login.example.org")
    assert done.returncode != 0
    assert "WATTELT_OIDC_CLIENT_ID" in done.stderr


def test_a_fresh_multi_factor_login_at_the_provider_serves_as_sudo(provider, alice_by_mail):
    from wattelt.organisations import two_factor

    client = Client()
    provider.log_in_as(amr=["mfa"], email="alice@wijkteams.example", email_verified=True)
    oidc_login(client, provider)
    assert two_factor.REAUTHENTICATED_AT in client.session
    page = client.get(reverse("reauthenticate")).content.decode()
    assert reverse("oidc_authentication_init") in page, "OIDC users confirm through the provider"
    start = client.get(reverse("oidc_authentication_init"))
    assert "max_age=600" in start["Location"]
