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


def test_the_page_says_when_follow_ups_are_being_recalculated(
    contexts, base_url, bob, team, organisation, district, catalogue, alice, shot
):
    """After an admin changed the follow-up interval, until the job has derived the
    organisation again: a calm notice above the figures, on a tablet and on a phone."""
    from tests.browser.conftest import PHONE, TABLET, assert_accessible
    from wattelt.implementation.adoption import summary

    a_year_of_use(Builder(catalogue, district), team, [(alice, 0.8)], dt.date.today())
    summary.request_organisation_refresh(organisation)
    for name, viewport in (("tablet", TABLET), ("phone", PHONE)):
        page = contexts.new_page(viewport=viewport, touch=True)
        log_in(page, base_url, "bob", "/gebruik/")
        notice = page.get_by_role("status").filter(has_text="worden opnieuw berekend")
        expect(notice).to_be_visible()
        expect(notice).to_contain_text("De tijd tot de vervolgmeting is gewijzigd op")
        assert_accessible(page)
        # Wide tables scroll in their own region; the page itself never scrolls sideways.
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= viewport["width"], (name, width)
        if name == "phone":
            a_phone_table_scrolls_under_its_names(page)
        shot(page, name)


def a_phone_table_scrolls_under_its_names(page: Page) -> None:
    """On a phone a team's row is as high as its name (the traffic lights off to the
    side do not wrap into tall rows), and the names stay in view while the figures
    scroll sideways."""
    region = page.locator(".table-scroll").filter(has=page.locator("tbody th")).first
    name = region.locator("tbody th").first
    row = region.locator("tbody tr").first
    line = name.get_by_role("link").bounding_box()["height"]  # type: ignore[index]
    pills = [p.bounding_box()["height"] for p in row.locator(".light").all()]  # type: ignore[index]
    assert pills and max(pills) < 2 * line, pills  # each traffic light on one line
    style = "getComputedStyle(e)"
    padding = name.evaluate(
        f"e => parseFloat({style}.paddingTop) + parseFloat({style}.paddingBottom)"
    )
    height = row.bounding_box()["height"]  # type: ignore[index]
    assert height <= max(line, *pills) + padding + 4, height
    left = region.bounding_box()["x"]  # type: ignore[index]
    region.evaluate("e => { e.scrollLeft = 300; }")
    assert region.evaluate("e => e.scrollLeft") > 100, "the table is wider than the phone"
    assert abs(name.bounding_box()["x"] - left) <= 2  # type: ignore[index]
