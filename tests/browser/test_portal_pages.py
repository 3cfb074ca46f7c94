"""The resident's own pages in a real browser: each in Dutch and Arabic on a tablet and a
phone (screenshots), axe-core in all seven languages; who looked shows a staff look made
a minute earlier; withdrawing a consent cuts the specialist off on their next request."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, TABLET, assert_accessible, log_in, sign_in_resident
from tests.conftest import client_for, confirmed_measurement, make_staff
from wattelt.organisations.models import Organisation, Team
from wattelt.residents import services as residents
from wattelt.residents.language import CODES
from wattelt.residents.models import Consent

pytestmark = pytest.mark.django_db(transaction=True)


PAGES = ("", "plan/", "voortgang/", "wie-keek/", "toestemmingen/", "privacy/")


@pytest.fixture
def file(trajectory, alice, bob, charlie, team):
    """Rosa's file as a resident finds it: two boards (the professional's face on money in
    the first), goals, the team's contact details, a consent, and looks by staff."""
    team.phone = "020 123 45 67"
    team.email = "noord@wijkteam.example"
    team.save()
    trajectory.next_appointment = "dinsdag 14 januari, 10:00 uur"
    trajectory.save()
    start = confirmed_measurement(
        trajectory,
        alice,
        kind="start",
        days_ago=100,
        chip__professional__geld=50,
        placed__professional__geld="on",
        goal__0__by_resident="Ik open mijn post elke week",
        goal__0__by_professional="Samen naar de schuldhulp",
    )
    confirmed_measurement(
        trajectory,
        alice,
        days_ago=10,
        chip__resident__geld=75,
        **{f"review__{start.goals.get().pk}__status": "partly"},
        goal__0__own_words="Ik wil weer sporten",
        goal__0__domains=["wonen"],
    )
    consent = residents.record_consent(
        trajectory,
        alice,
        residents.ConsentInput(charlie.organisation, True, True, False, trajectory.started_on),
    )
    detail = reverse("residents:detail", args=[trajectory.resident_id])
    client_for(alice).get(detail)  # looks by staff, for "who looked"
    client_for(bob).get(reverse("instrument:plan", args=[trajectory.pk]))
    client_for(charlie).get(detail)  # the specialist, under her consent
    elsewhere = Organisation.objects.create(
        municipality=team.organisation.municipality, name="Elders"
    )
    stranger = make_staff(
        "erik", elsewhere, Team.objects.create(organisation=elsewhere, name="Oost"), "professional"
    )
    client_for(stranger).get(detail)  # refused: no consent for his organisation
    return consent


def withdraw_path(consent: Consent) -> str:
    return f"toestemmingen/{consent.pk}/intrekken/"


@pytest.mark.parametrize("language", ["nl", "ar"])
def test_every_page_in_dutch_and_arabic_on_tablet_and_phone(
    contexts, base_url, file, shot, language
):
    resident = file.trajectory.resident
    resident.language = language
    resident.save()
    for size, viewport in (("tablet", TABLET), ("phone", PHONE)):
        page = contexts.new_page(viewport=viewport, touch=True)
        sign_in_resident(page, base_url, resident)
        for path in (*PAGES, withdraw_path(file)):
            page.goto(f"{base_url}/mijn/{path}")
            assert page.locator("html").get_attribute("dir") == (
                "rtl" if language == "ar" else "ltr"
            )
            assert_accessible(page)
            name = path.strip("/").split("/")[-1] or "home"
            shot(page, f"{language}-{size}-{name}")
        small = page.evaluate(
            """() => [...document.querySelectorAll('main a, main button, main summary')]
                .filter(e => e.offsetParent && e.getBoundingClientRect().height < 44)
                .map(e => e.outerHTML.slice(0, 80))"""
        )
        assert small == [], small


def test_axe_finds_nothing_in_any_language(contexts, base_url, file):
    resident = file.trajectory.resident
    page = contexts.new_page(viewport=PHONE, touch=True)
    sign_in_resident(page, base_url, resident)
    for code in sorted(CODES):
        resident.language = code
        resident.save()
        for path in (*PAGES, withdraw_path(file)):
            page.goto(f"{base_url}/mijn/{path}")
            assert page.locator("html").get_attribute("lang") == code
            assert_accessible(page)


def test_who_looked_shows_a_staff_look_made_a_minute_earlier(contexts, base_url, file, alice):
    resident = file.trajectory.resident
    staff = contexts.new_page()
    log_in(staff, base_url, "alice")
    staff.goto(f"{base_url}/inwoners/{resident.pk}/")
    expect(staff.locator("h1")).to_contain_text(resident.last_name)
    own = contexts.new_page(viewport=PHONE, touch=True)
    sign_in_resident(own, base_url, resident)
    own.goto(f"{base_url}/mijn/")
    own.get_by_role("link", name="Wie keek in mijn dossier").click()
    newest = own.locator(".portal-look").first
    expect(newest).to_contain_text(alice.get_full_name())
    expect(newest).to_contain_text("uw gegevens (bekeken)")
    expect(newest).to_contain_text("voor uw begeleiding")
    expect(newest).to_contain_text(file.trajectory.team.organisation.name)


def test_the_resident_withdraws_and_the_specialist_is_cut_off(contexts, base_url, file, charlie):
    plan = f"{base_url}/trajecten/{file.trajectory.pk}/plan/"
    specialist = contexts.new_page()
    log_in(specialist, base_url, "charlie")
    assert specialist.goto(plan).status == 200
    own = contexts.new_page(viewport=PHONE, touch=True)
    sign_in_resident(own, base_url, file.trajectory.resident)
    own.goto(f"{base_url}/mijn/toestemmingen/")
    own.get_by_role("link", name="Deze toestemming beëindigen").click()
    expect(own.locator("main")).to_contain_text(charlie.organisation.name)
    own.get_by_role("button", name="Ja, beëindig deze toestemming").click()
    expect(own.locator(".portal-message")).to_contain_text("kan uw gegevens niet meer zien")
    expect(own.locator(".portal-consent")).to_contain_text(re.compile("U hebt deze toestemming"))
    assert specialist.goto(plan).status == 404  # the very next request
