"""Monitoring as the coach, the quality officer and the analyst: the dashboard with its
quarterly series, the presentation (keyboard and links), the CSV, XLSX and PDF."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from django.core.cache import cache
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, Contexts, log_in
from tests.conftest import staff_with_role
from tests.monitoring.test_dashboard import trajectories
from wattelt.organisations.models import Role

EVIDENCE = Path(__file__).resolve().parents[2] / "docs" / "evidence"


@pytest.mark.parametrize("username", ["bob", "quinn", "anna"])
def test_monitoring_works_for_each_role(
    contexts: Contexts,
    base_url,
    alice,
    bob,
    organisation,
    team,
    district,
    catalogue,
    shot,
    username,
):
    cache.clear()
    staff_with_role("quinn", organisation, Role.Name.QUALITY_OFFICER)
    staff_with_role("anna", organisation, Role.Name.MUNICIPALITY_ANALYST)
    trajectories(14, team, alice, district, measured=True)
    page = contexts.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if "Refused" in m.text else None)
    log_in(page, base_url, username, "/monitoring/")
    expect(page.locator("#series")).to_be_visible()
    # Three quarterly series: each a line chart, or the note that all its figures are hidden.
    expect(page.locator("svg.chart--line:visible, .chart-empty")).to_have_count(3)
    # The chart first; its table a click away.
    expect(page.locator("#registration td").first).to_be_hidden()
    page.locator("#registration summary").click()
    started = page.locator("#registration td").first.inner_text()
    assert started == "14"

    # Downloads: exactly the figures on the screen.
    with page.expect_download() as info:
        page.get_by_role("link", name="Downloaden als CSV").click()
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert ["Registratie", "Gestarte trajecten", "Trajecten", "14"] in rows
    assert "Bewoner" not in text
    with page.expect_download() as info:
        page.get_by_role("link", name="Downloaden als Excel (XLSX)").click()
    book = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
    assert ["Registratie", "Gestarte trajecten", "Trajecten", "14"] in [
        list(r) for r in book.worksheets[1].iter_rows(values_only=True)
    ]
    pdf = page.request.get(
        base_url + page.get_by_role("link", name="Rapportage als pdf").get_attribute("href")
    )  # type: ignore[operator]
    assert pdf.ok and pdf.body().startswith(b"%PDF")

    # The presentation: large, one figure per screen; arrow keys and links.
    page.get_by_role("link", name="Presentatie voor een teamoverleg").click()
    expect(page.get_by_role("heading", level=2)).to_have_text("Registratie")
    shot(page, "presentation")
    if username == "bob":
        shutil.copy(
            ARTIFACTS / f"{shot.prefix}--presentation.png", EVIDENCE / "monitoring-presentation.png"
        )
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("heading", level=2)).to_have_text("Niet ingevulde metingen")
    page.get_by_role("link", name="Vorige").click()
    expect(page.get_by_role("heading", level=2)).to_have_text("Registratie")
    assert not problems, problems


def test_presentation_works_without_javascript(
    contexts: Contexts, base_url, alice, bob, team, district, catalogue
):
    cache.clear()
    trajectories(11, team, alice, district, measured=True)
    page = contexts.new_page(javascript=False)
    log_in(page, base_url, "bob", "/monitoring/presentatie/")
    expect(page.get_by_role("heading", level=2)).to_have_text("Registratie")
    page.get_by_role("link", name="Volgende").click()
    expect(page.get_by_role("heading", level=2)).to_have_text("Niet ingevulde metingen")
