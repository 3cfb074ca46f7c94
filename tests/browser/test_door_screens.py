"""The screens the one door changed, as their users see them, on a tablet (1024x768)
and a phone (390x844, touch), with axe-core: the privacy officer finds refused looks
per user; the coach names a new responsible professional when one left the team; a
specialist under a plan-only consent sees the plan without the board."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, ViewportSize, expect

from tests.browser.conftest import (
    PHONE,
    TABLET,
    Contexts,
    Shots,
    assert_accessible,
    authenticator_code,
    log_in,
)
from tests.conftest import PASSWORD, client_for, confirmed_measurement, make_staff
from wattelt.organisations.models import Membership
from wattelt.residents import services as residents

EVIDENCE = Path(__file__).resolve().parents[2] / "docs" / "evidence"
SIZES: dict[str, tuple[ViewportSize, bool]] = {"tablet": (TABLET, False), "phone": (PHONE, True)}


def look(page: Page, shot: Shots, name: str, size: str) -> None:
    """Every screen: accessible, nothing wider than the screen, kept as evidence."""
    assert_accessible(page)
    width = SIZES[size][0]["width"]
    page_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert page_width <= width, f"{name} is {page_width}px wide on the {size} ({width}px)"
    EVIDENCE.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot(page, f"{name}-{size}"), EVIDENCE / f"door-{name}-{size}.png")


@pytest.mark.parametrize("size", SIZES)
def test_privacy_officer_sees_refused_looks_per_user(
    contexts: Contexts, base_url, trajectory, alice, charlie, privacy_officer, shot, size
):
    confirmed_measurement(trajectory, alice)
    snooper = client_for(charlie)
    for path in ("", "plan/", "afsluiten/"):
        assert snooper.get(f"/trajecten/{trajectory.pk}/{path}").status_code == 404
    viewport, touch = SIZES[size]
    page = contexts.new_page(viewport=viewport, touch=touch)
    log_in(page, base_url, privacy_officer.username, "/toegangslog/?outcome=refused")
    if "/bevestigen/" in page.url:  # the access log asks for password and code again
        page.fill("#id_password", PASSWORD)
        page.fill("#id_code", authenticator_code(privacy_officer))
        page.click("main button[type=submit]")
        page.wait_for_url(lambda url: "/toegangslog/" in url)
    expect(page.get_by_role("heading", name="Geweigerde pogingen per gebruiker")).to_be_visible()
    expect(page.locator(".refusals tbody tr")).to_have_count(1)
    expect(page.locator(".refusals")).to_contain_text("charlie")
    expect(page.locator("main")).to_contain_text("geweigerd")
    look(page, shot, "access-log-refused", size)


@pytest.mark.parametrize("size", SIZES)
def test_coach_names_a_new_responsible_professional(
    contexts: Contexts, base_url, trajectory, alice, bob, team, shot, size
):
    make_staff("carol", team.organisation, team, Membership.Role.PROFESSIONAL)
    Membership.objects.filter(staff=alice, team=team).delete()
    viewport, touch = SIZES[size]
    page = contexts.new_page(viewport=viewport, touch=touch)
    log_in(page, base_url, bob.username, "/team/herinneringen/")
    expect(page.locator("main")).to_contain_text("uit het team")
    look(page, shot, "team-reminders-left", size)
    page.get_by_role("link", name="Wijs een nieuwe verantwoordelijke professional aan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verantwoordelijke professional")
    look(page, shot, "responsible-form", size)
    select = page.locator("#id_responsible").bounding_box()
    assert select is not None and select["height"] >= 44, "the choice is too small to touch"
    page.select_option("#id_responsible", label="Carol Test")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator(".messages")).to_contain_text("verantwoordelijke professional is gewijzigd")
    trajectory.refresh_from_db()
    assert trajectory.responsible.username == "carol"


@pytest.mark.parametrize("size", SIZES)
def test_specialist_with_plan_only_consent_sees_no_board(
    contexts: Contexts, base_url, trajectory, alice, charlie, shot, size
):
    confirmed_measurement(trajectory, alice)
    residents.record_consent(
        trajectory,
        alice,
        residents.ConsentInput(charlie.organisation, True, False, False, timezone.localdate()),
    )
    viewport, touch = SIZES[size]
    page = contexts.new_page(viewport=viewport, touch=touch)
    log_in(page, base_url, charlie.username, f"/trajecten/{trajectory.pk}/plan/")
    expect(page.locator(".plan")).to_contain_text("Volgende afspraak")
    expect(page.locator(".plan-domains")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("Ik wil rust over mijn geld")
    look(page, shot, "plan-only-consent", size)
    # Back to the resident, not to the progress page the consent does not open.
    page.get_by_role("link", name="← Fatima Yilmaz").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fatima Yilmaz")
