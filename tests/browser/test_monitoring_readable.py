"""Monitoring readable in a team meeting, with the demo data: each figure once, sections
that collapse, no district section that is all "<10"; the page height for the coach and
the analyst at 1024x768, and screenshots at 1024x768 and 390x844 (touch)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, TABLET, Contexts, Shots, assert_accessible, log_in
from tests.conftest import PASSWORD
from wattelt.demo.data import seed_demo
from wattelt.monitoring.cube import dashboard_scope
from wattelt.monitoring.published import publish
from wattelt.organisations.models import Staff

EVIDENCE = Path(__file__).resolve().parents[2] / "docs" / "evidence"
HEIGHTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "monitoring-heights.txt"


READERS = (("coach1", "coach"), ("analist", "analyst"))


@pytest.fixture
def demo(db: None) -> None:
    """The demo seeded, and the figures of what the two readers open published: this
    year of the coach's teams and of the analyst's municipality. (`manage.py seed_demo`,
    as `make run` calls it, publishes every scope and year, 12 in all; the other 10 cost
    ~60% of its publish's CPU and none of them is on these pages.)"""
    cache.clear()
    seed_demo()
    readers = Staff.objects.filter(username__in=[username for username, _role in READERS])
    for user in readers:
        scope = dashboard_scope(user)
        assert scope is not None, user
        publish(scope, timezone.localdate().year)
        user.set_password(PASSWORD)
        user.save()


def test_monitoring_dashboard_fits_a_team_meeting(contexts: Contexts, base_url, demo, shot):
    # Both readers in one test: the demo seeded and published once (its publish with the
    # interval audit takes about two minutes of CPU), not once per reader.
    for username, role in READERS:
        dashboard_fits_a_team_meeting(contexts, base_url, shot, username, role)


def dashboard_fits_a_team_meeting(
    contexts: Contexts, base_url: str, shot: Shots, username: str, role: str
) -> None:
    for size, viewport, touch in (("1024x768", TABLET, False), ("390x844", PHONE, True)):
        page = contexts.new_page(viewport=viewport, touch=touch)
        log_in(page, base_url, username, "/monitoring/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Monitoring")
        # Each figure once: a chart per section in the layout for this screen (wide, or with
        # its labels above the bars on a phone; or, with every figure in it hidden, a note
        # saying so instead of an empty axis), its table folded away under "Toon tabel".
        # Several districts' sections come folded (a list to open one by one), every
        # other section open; the reader opens the folded ones here, and folds them again.
        sections = page.locator("details.dashboard-section")
        folded = [
            sections.nth(index)
            for index, is_open in enumerate(sections.evaluate_all("all => all.map(d => d.open)"))
            if not is_open
        ]
        headings = [section.locator("h2").inner_text() for section in folded]
        assert all(heading.startswith("Leefgebieden in") for heading in headings), headings
        assert len(folded) != 1, headings
        for section in folded:
            section.locator(":scope > summary").click()
        figures = page.locator(".dashboard-figure")
        layout = "narrow" if touch else "wide"
        charts = page.locator(f".dashboard-figure svg.chart--{layout}:visible").count()
        assert page.locator(".dashboard-figure svg.chart:visible").count() == charts
        notes = page.locator(".dashboard-figure .chart-empty").count()
        assert charts > 0 and figures.count() == charts + notes
        for section in folded:
            section.locator(":scope > summary").click()
            expect(section).not_to_have_attribute("open", "")
        assert page.locator(".dashboard-table-toggle[open]").count() == 0
        # "<10" is explained once, near the top; no district section is all "<10".
        expect(page.locator(".dashboard-suppression")).to_contain_text("<10")
        for section in page.locator("details.dashboard-section").all():
            cells = section.locator("td").all_text_contents()
            heading = section.locator("h2").inner_text()
            if heading.startswith("Leefgebieden in"):
                assert any(c not in ("<10", "-") for c in cells), heading
        height = page.evaluate("() => document.documentElement.scrollHeight")
        HEIGHTS.parent.mkdir(exist_ok=True)
        with HEIGHTS.open("a", encoding="utf-8") as out:
            out.write(f"{role} {size} {height}\n")
        assert_accessible(page)
        if size == "1024x768":
            # A heading folds its figure away.
            first = page.locator("details.dashboard-section").first
            first.locator(":scope > summary").click()
            expect(first).not_to_have_attribute("open", "")
            first.locator(":scope > summary").click()
        path = shot(page, f"{role}-{size}")
        shutil.copy(path, EVIDENCE / f"monitoring-{role}-{size}.png")
