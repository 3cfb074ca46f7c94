"""Signing in to Mijn Wat telt with DigiD, against a fake OpenID Connect broker on
127.0.0.1 (tests/portal/fake_digid.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.fake_openid import authorize
from tests.portal.fake_digid import FakeDigiD, running
from wattelt.organisations.models import OrganisationPolicy
from wattelt.portal import digid
from wattelt.portal.models import LastSignIn
from wattelt.portal.session import RESIDENT_KEY
from wattelt.residents import services as residents

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker(settings, monkeypatch) -> Iterator[FakeDigiD]:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")  # only ever 127.0.0.1
    with running() as fake:
        for name, value in fake.settings().items():
            setattr(settings, name, value)
        yield fake


def through_broker(client: Client, next_path: str = "") -> object:
    """Press the DigiD button; follow the broker back; return our final response."""
    start = client.get(reverse("portal:digid_start") + (f"?next={next_path}" if next_path else ""))
    assert start.status_code == 302
    callback = urlsplit(authorize(start["Location"]))
    return client.get(f"{callback.path}?{callback.query}")


def test_the_digid_button_shows_only_when_configured(db, broker, settings):
    assert "Inloggen met DigiD" in Client().get(reverse("portal:sign_in")).content.decode()
    settings.DIGID_PROVIDER_URL = ""
    assert "Inloggen met DigiD" not in Client().get(reverse("portal:sign_in")).content.decode()
    assert Client().get(reverse("portal:digid_start"))["Location"] == reverse("portal:sign_in")


def test_a_resident_signs_in_with_digid_substantieel(broker, resident):
    broker.sign_in_as(resident.bsn)
    client = Client()
    response = through_broker(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    assert client.session[RESIDENT_KEY] == resident.pk
    assert LastSignIn.objects.get(resident=resident).method == "digid"


def test_the_resident_lands_where_they_wanted_to_go(broker, resident):
    broker.sign_in_as(resident.bsn, acr="hoog")
    response = through_broker(Client(), "/mijn/?x=1")
    assert response["Location"] == "/mijn/?x=1"


def test_an_outside_next_address_is_ignored(broker, resident):
    broker.sign_in_as(resident.bsn)
    response = through_broker(Client(), "https://evil.example/")
    assert response["Location"] == reverse("portal:home")


def refused_with(client: Client, response: object, text: str) -> None:
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert response["Location"] == reverse("portal:sign_in")  # type: ignore[index]
    assert RESIDENT_KEY not in client.session
    page = client.get(reverse("portal:sign_in")).content.decode()
    assert text in page


def test_a_too_low_assurance_level_is_refused(broker, resident):
    broker.sign_in_as(
        resident.bsn, acr="urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract"
    )
    client = Client()
    refused_with(client, through_broker(client), "betrouwbaarheidsniveau Substantieel")


def test_an_unknown_bsn_is_refused(broker, resident):
    broker.sign_in_as("999999990")
    client = Client()
    refused_with(client, through_broker(client), "We kennen u nog niet")


def test_a_bad_signature_is_refused(broker, resident):
    broker.sign_in_as(resident.bsn)
    broker.sign_with = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    client = Client()
    refused_with(client, through_broker(client), "niet gelukt")


def test_a_token_with_another_nonce_is_refused(broker, resident):
    broker.sign_in_as(resident.bsn)
    broker.nonce_override = "someone-elses-nonce"
    client = Client()
    refused_with(client, through_broker(client), "niet gelukt")


def test_a_callback_without_our_state_is_refused(broker, resident):
    client = Client()
    response = client.get(reverse("portal:digid_callback") + "?code=abc&state=forged")
    refused_with(client, response, "niet gelukt")


def test_two_records_with_the_bsn_are_not_guessed_between(broker, resident, alice, district):
    residents.register_resident(
        residents.ResidentInput(
            first_name="Fatima",
            last_name="Yilmaz-Bakir",
            date_of_birth=dt.date(1985, 4, 12),
            district=district,
            bsn=resident.bsn,
        ),
        alice,
    )
    broker.sign_in_as(resident.bsn)
    client = Client()
    refused_with(client, through_broker(client), "meer dan één keer")


def test_a_resident_under_the_minimum_age_is_refused(broker, resident):
    OrganisationPolicy.objects.create(organisation=resident.organisation, portal_minimum_age=18)
    resident.date_of_birth = timezone.localdate() - dt.timedelta(days=365 * 16)
    resident.save()
    broker.sign_in_as(resident.bsn)
    client = Client()
    refused_with(client, through_broker(client), "vanwege uw leeftijd")


@pytest.mark.parametrize(
    ("value", "level"),
    [
        ("substantieel", "substantieel"),
        ("Hoog", "hoog"),
        ("urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport", "basis"),
        ("urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract", "midden"),
        ("urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard", "substantieel"),
        ("urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI", "hoog"),
        ("", None),
        ("urn:something:else", None),
    ],
)
def test_assurance_levels_are_read_plain_or_as_saml_classes(value, level):
    assert digid.assurance_level(value) == level
