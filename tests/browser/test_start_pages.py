"""Each role's start page as its user sees it after login, on a tablet (1024x768) and a
phone (390x844, touch): axe-core finds nothing, nothing is wider than the screen, and
the screenshots are kept in docs/evidence/startpage-<role>-<size>.png."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, TABLET, Contexts, Shots, assert_accessible, log_in
from tests.conftest import make_staff, staff_with_role
from tests.start.test_start_pages import make_caseload
from wattelt.monitoring.cube import dashboard_scope
from wattelt.monitoring.published import publish
from wattelt.organisations.models import Membership, Role

EVIDENCE = Path(__file__).resolve().parents[2] / "docs" / "evidence"
SIZES = {"tablet": (TABLET, False), "phone": (PHONE, True)}
ROLES = {
    # role: (heading of the start page, a text the page shows)
    "professional": ("Vandaag", "metingen te laat"),
    "coach": ("Mijn team", "Startmeting binnen 30 dagen"),
    "quality_officer": ("Start", "Rondes dossierscreening"),
    "organisation_admin": ("Start", "Teams en medewerkers van de organisatie"),
    "municipality_analyst": ("Start", "Het dashboard van de gemeente"),
    "privacy_officer": ("Start", "openstaande verzoeken"),
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("role", ROLES)
def test_each_role_lands_on_its_start_page(
    contexts: Contexts,
    base_url,
    alice,
    bob,
    team,
    district,
    organisation,
    catalogue,
    shot: Shots,
    role,
    size,
):
    colleague = make_staff("carol", organisation, team, Membership.Role.PROFESSIONAL)
    make_caseload(alice, team, district, overdue=4, due=2, later=5)
    make_caseload(colleague, team, district, overdue=2, due=1, later=3)
    user = {"professional": alice, "coach": bob}.get(role) or staff_with_role(
        f"user-{role}", organisation, Role.Name(role)
    )
    if role == "coach":  # the team's published figures of this quarter on the page
        today = timezone.localdate()
        scope = dashboard_scope(bob)
        assert scope is not None
        publish(scope, today.year, today, force=True)
    viewport, touch = SIZES[size]
    page = contexts.new_page(viewport=viewport, touch=touch)
    log_in(page, base_url, user.username)
    heading, text = ROLES[role]
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    expect(page.locator("main")).to_contain_text(text)
    assert_accessible(page)
    width = viewport["width"]
    page_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert page_width <= width, f"{role}: {page_width}px wide on the {size} ({width}px)"
    EVIDENCE.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot(page, f"{role}-{size}"), EVIDENCE / f"startpage-{role}-{size}.png")
