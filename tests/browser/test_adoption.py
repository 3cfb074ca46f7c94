"""The adoption page in a real browser: a coach sees the trend charts and the traffic
lights of their team, under the strict CSP."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in
from tests.conftest import make_staff
from tests.implementation.adoption_data import Builder, a_year_of_use
from wattelt.organisations.models import Membership


def test_coach_sees_trend_charts_and_traffic_lights(
    page: Page, base_url, alice, bob, team, organisation, district, catalogue, shot
):
    erin = make_staff("erin", organisation, team, Membership.Role.PROFESSIONAL)
    frank = make_staff("frank", organisation, team, Membership.Role.PROFESSIONAL)
    a_year_of_use(
        Builder(catalogue, district),
        team,
        [(alice, 0.85), (erin, 0.6), (frank, 0.3)],
        dt.date.today(),
    )
    problems: list[str] = []  # CSP violations are reported on the console as "Refused to ..."
    page.on("console", lambda m: problems.append(m.text) if "Refused" in m.text else None)
    log_in(page, base_url, "bob", "/gebruik/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Gebruik van Wat telt")
    expect(page.locator("svg.chart--line").first).to_be_visible()
    expect(page.locator(".phase .light").first).to_be_visible()
    expect(page.locator(".phase__none").first).to_contain_text("Niet meetbaar uit registraties")
    expect(page.get_by_role("heading", name="Per professional")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Bewonersnaam")
    shot(page, "coach")
    page.get_by_role("link", name="Frank Test").click()
    expect(page.locator(".adoption-scope")).to_contain_text("Frank Test")
    shot(page, "one-professional")
    page.goto(f"{base_url}/gebruik/?maand=morgen&team=12345")
    expect(page.get_by_role("alert").first).to_contain_text("is geen maand")
    shot(page, "bad-filter")
    assert not problems, problems
