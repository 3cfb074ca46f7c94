"""The organisation admin's notification screen and the import screen in a real browser,
on a tablet and a phone: Dutch, NL Design System forms, no accessibility violations."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, TABLET, Contexts, assert_accessible, log_in
from tests.conftest import confirmed_measurement, staff_with_role
from tests.imports.files import csv_bytes, rows_for
from wattelt.notifications.delivery import deliver_due
from wattelt.notifications.models import Delivery
from wattelt.organisations.models import Role
from wattelt.residents import services as residents


def test_admin_adds_a_receiving_system_and_follows_its_deliveries(
    contexts: Contexts, base_url, trajectory, alice, organisation, shot
):
    staff_with_role("olga", organisation, Role.Name.ORGANISATION_ADMIN)
    page = contexts.new_page(viewport=TABLET, touch=True)
    log_in(page, base_url, "olga", "/organisatie/notificaties/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Notificaties aan andere systemen")
    page.get_by_role("link", name="Ontvangend systeem toevoegen").click()
    page.get_by_label("Naam van het ontvangende systeem").fill("Dossiersysteem Wijkteam")
    page.get_by_label("Callback-URL").fill("http://127.0.0.1:9/notificaties")
    page.get_by_label("metingen (bevestigd, gecorrigeerd)").check()
    page.get_by_label("trajecten (geopend, gesloten)").check()
    assert_accessible(page)
    shot(page, "subscribe-tablet")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Het geheim van het ontvangende systeem"
    )
    expect(page.locator("code.secret")).not_to_be_empty()
    shot(page, "secret-tablet")
    # Three events; the first delivery attempts fail (nothing listens on port 9).
    confirmed_measurement(trajectory, alice)
    residents.close_trajectory(trajectory, alice, "goals_reached")
    residents.open_trajectory(trajectory.resident, trajectory.team, alice)
    deliver_due()
    first = Delivery.objects.order_by("id").first()
    assert first is not None
    Delivery.objects.filter(pk=first.pk).update(status="delivered", last_error="")
    page.get_by_role("link", name="Ik heb het overgenomen").click()
    expect(page.locator("main")).to_contain_text("Dossiersysteem Wijkteam")
    expect(page.locator("main")).to_contain_text("traject geopend")
    assert_accessible(page)
    shot(page, "overview-tablet")
    phone = contexts.new_page(viewport=PHONE, touch=True)
    log_in(phone, base_url, "olga", "/organisatie/notificaties/")
    assert_accessible(phone)
    shot(phone, "overview-phone")


def test_quality_officer_checks_a_file_and_reads_every_problem(
    contexts: Contexts, base_url, trajectory, organisation, shot, tmp_path
):
    staff_with_role("quinn", organisation, Role.Name.QUALITY_OFFICER)
    good, follow_up = rows_for(trajectory)
    bad_chip = [*good[:5], "140", *good[6:]]
    future = (dt.date.today() + dt.timedelta(days=30)).strftime("%d-%m-%Y")
    bad_date = [*good[:2], future, *good[3:]]
    upload = tmp_path / "historie.csv"
    upload.write_bytes(csv_bytes([bad_chip, bad_date, good, follow_up]))
    page = contexts.new_page(viewport=TABLET, touch=True)
    log_in(page, base_url, "quinn", "/organisatie/import/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Eerdere metingen importeren")
    assert_accessible(page)
    shot(page, "upload-tablet")
    page.get_by_label("Bestand met eerdere metingen").set_input_files(str(upload))
    page.get_by_role("button", name="Uploaden").click()
    expect(page.locator(".import-state")).to_contain_text("wacht")
    expect(page.locator("main")).to_contain_text("wacht op zijn beurt")
    shot(page, "waiting-tablet")
    call_command("run_imports", stdout=open("/dev/null", "w"))  # noqa: SIM115
    page.reload()
    expect(page.locator(".import-state")).to_contain_text("problemen gevonden, niets opgeslagen")
    table = page.locator("table")
    expect(table).to_contain_text("wonen_inwoner")
    expect(table).to_contain_text("tussen 0 en 100")
    expect(table).to_contain_text("datum")
    assert_accessible(page)
    shot(page, "problems-tablet")
    phone = contexts.new_page(viewport=PHONE, touch=True)
    log_in(phone, base_url, "quinn", page.url.removeprefix(base_url))
    expect(phone.locator("table")).to_contain_text("wonen_inwoner")
    assert_accessible(phone)
    shot(phone, "problems-phone")


def test_the_import_screen_shows_the_figures_being_brought_up_to_date(
    contexts: Contexts, base_url, trajectory, organisation, shot, tmp_path, monkeypatch
):
    """After the measurements committed, the derived phase (ADR 0014) shows as its own
    state until the figures are up to date; then the page turns to "imported" by itself."""
    from wattelt.imports import derived

    staff_with_role("quinn", organisation, Role.Name.QUALITY_OFFICER)
    upload = tmp_path / "historie.csv"
    upload.write_bytes(csv_bytes(rows_for(trajectory)[:1]))
    page = contexts.new_page(viewport=TABLET, touch=True)
    log_in(page, base_url, "quinn", "/organisatie/import/")
    page.get_by_label("Bestand met eerdere metingen").set_input_files(str(upload))
    page.get_by_label("Alleen controleren").uncheck()
    page.get_by_role("button", name="Uploaden").click()
    with monkeypatch.context() as patch:
        patch.setattr(derived, "finish", lambda job: job)  # the phase still at work
        call_command("run_imports", stdout=open("/dev/null", "w"))  # noqa: SIM115
    page.reload()
    expect(page.locator(".import-state")).to_contain_text("cijfers bijwerken")
    expect(page.locator("main")).to_contain_text("De monitoringcijfers worden bijgewerkt")
    assert_accessible(page)
    shot(page, "deriving-tablet")
    phone = contexts.new_page(viewport=PHONE, touch=True)
    log_in(phone, base_url, "quinn", page.url.removeprefix(base_url))
    expect(phone.locator(".import-state")).to_contain_text("cijfers bijwerken")
    assert_accessible(phone)
    shot(phone, "deriving-phone")
    call_command("run_imports", stdout=open("/dev/null", "w"))  # noqa: SIM115
    expect(page.locator(".import-state")).to_contain_text("geïmporteerd", timeout=15_000)
