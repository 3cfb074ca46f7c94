"""The monitoring dashboard in a real browser: charts render under the strict CSP."""

from __future__ import annotations

from django.core.cache import cache
from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in
from tests.monitoring.test_dashboard import trajectories
from wattelt.organisations.models import District


def test_dashboard_renders_charts_without_csp_violations(
    page: Page, base_url, alice, bob, team, district, municipality, catalogue, shot
):
    cache.clear()
    zuid = District.objects.create(municipality=municipality, name="Zuid")
    team.districts.add(zuid)
    trajectories(12, team, alice, district, measured=True)
    trajectories(3, team, alice, zuid, measured=True)
    problems: list[str] = []  # CSP violations are reported on the console as "Refused to ..."
    page.on("console", lambda m: problems.append(m.text) if "Refused" in m.text else None)
    log_in(page, base_url, "bob", "/monitoring/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Monitoring")
    expect(page.locator("svg.chart--bar").first).to_be_visible()
    expect(page.locator(".chart__suppressed").first).to_be_attached()
    # 15 trajectories started in one quarter: the other quarters are hidden zeros, so that
    # one is hidden too; each quarterly series says it has nothing to draw.
    expect(page.locator(".chart-empty")).to_have_count(3)
    expect(page.locator(".chart-empty").first).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Bewoner")
    shot(page, "dashboard")
    assert not problems, problems
