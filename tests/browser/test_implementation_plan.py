"""The implementation plan editor in a real browser: a goal linked to a live figure, a
matrix cell, a planning row, publishing, and the PDF; no CSP violations."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS, log_in
from tests.conftest import staff_with_role
from tests.implementation_plan.conftest import started_trajectories
from wattelt.implementation_plan.models import MatrixActivity, PlanVersion
from wattelt.organisations.models import Role


def test_editor_builds_and_publishes_the_plan(
    page: Page, base_url, organisation, team, district, alice, catalogue, shot
):
    staff_with_role("olga", organisation, Role.Name.ORGANISATION_ADMIN)
    started_trajectories(team, alice, district, count=4, measured=3)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if "Refused" in m.text else None)
    log_in(page, base_url, "olga", "/implementatieplan/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Implementatieplan Wat telt")
    page.get_by_role("button", name="Plan beginnen").click()

    # A goal linked to a live figure; a second row through the enhancement button.
    page.get_by_role("link", name="Wijzigen Implementatiedoelen").click()
    page.fill("#id_rows-0-description", "80% van de nieuwe trajecten heeft een startmeting.")
    page.select_option("#id_rows-0-indicator_key", "start_within_14_days")
    page.fill("#id_rows-0-target", "80")
    page.fill("#id_rows-0-target_date", "2027-07-01")
    page.get_by_role("button", name="Rij toevoegen").click()
    page.fill("#id_rows-2-description", "Alle professionals hebben de training gevolgd.")
    shot(page, "goals-editor")
    page.get_by_role("button", name="Opslaan in het concept").click()
    goals = page.locator(".plan-goal")
    expect(goals).to_have_count(2)
    expect(goals.first).to_contain_text("Registratiegraad (startmeting binnen 30 dagen)")
    expect(goals.first).to_contain_text("75%")

    # One cell of the matrix: professionals, being able to use.
    page.get_by_role("link", name="Wijzigen Activiteiten per doelgroep en fase").click()
    page.get_by_label("Kunnen gebruiken · Professionals").fill(
        "Training in groepen van 8-12\nVragenuurtje"
    )
    page.get_by_role("button", name="Opslaan in het concept").click()
    expect(page.locator(".plan-matrix")).to_contain_text("Vragenuurtje")
    assert MatrixActivity.objects.filter(phase="kunnen").count() == 2

    # A planning row.
    page.get_by_role("link", name="Wijzigen Planning en kosten").click()
    page.fill("#id_rows-0-year", "2027")
    page.select_option("#id_rows-0-quarter", "2")
    page.fill("#id_rows-0-activity", "Trainingen voor alle professionals")
    page.fill("#id_rows-0-owner", "Instructieteam")
    page.fill("#id_rows-0-cost", "7.800")
    page.get_by_role("button", name="Opslaan in het concept").click()
    expect(page.locator(".plan-totals")).to_contain_text("€ 7.800,00")
    shot(page, "draft")

    # Publish, with a note.
    page.get_by_role("link", name="Publiceren…").click()
    expect(page.locator("main")).to_contain_text("Implementatiedoelen: 2 toegevoegd")
    page.fill("#id_note", "Vastgesteld in de projectgroep.")
    page.get_by_role("button", name="Publiceren", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Implementatieplan, versie 1")
    expect(page.locator("main")).to_contain_text("Vastgesteld in de projectgroep.")
    shot(page, "published")
    published_by = PlanVersion.objects.get(number=1).published_by
    assert published_by is not None and published_by.username == "olga"

    # The PDF.
    href = page.get_by_role("link", name="PDF", exact=True).get_attribute("href")
    response = page.request.get(f"{base_url}{href}")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    (ARTIFACTS / "implementation-plan.pdf").write_bytes(response.body())
    assert not problems, problems


def test_two_editors_at_once_nothing_is_lost(
    contexts, base_url, organisation, alice, catalogue, shot
):
    """Olga and Quinn open the goals of the same draft; Olga saves first. Quinn is told,
    keeps her input, sees what the draft holds now, and saves her version on purpose.
    Quinn's browser runs without JavaScript: the editor needs none."""
    olga = staff_with_role("olga", organisation, Role.Name.ORGANISATION_ADMIN)
    staff_with_role("quinn", organisation, Role.Name.QUALITY_OFFICER)
    from wattelt.implementation_plan import services

    services.start_draft(organisation, olga)
    olga_page, quinn_page = contexts.new_page(), contexts.new_page(javascript=False)
    log_in(olga_page, base_url, "olga", "/implementatieplan/concept/doelen/")
    log_in(quinn_page, base_url, "quinn", "/implementatieplan/concept/doelen/")
    olga_page.fill("#id_rows-0-description", "Olga: iedereen getraind voor 1 juli.")
    quinn_page.fill("#id_rows-0-description", "Quinn: twee ambassadeurs per team.")
    expect(quinn_page.get_by_role("button", name="Rij toevoegen")).to_have_count(0)
    olga_page.get_by_role("button", name="Opslaan in het concept").click()
    expect(olga_page.locator(".plan-goal")).to_contain_text("Olga: iedereen getraind")

    quinn_page.get_by_role("button", name="Opslaan in het concept").click()
    expect(quinn_page.locator("#conflict")).to_contain_text("Olga Test heeft dit deel")
    expect(quinn_page.locator("#id_rows-0-description")).to_have_value(
        "Quinn: twee ambassadeurs per team."
    )
    expect(quinn_page.locator(".plan-current")).to_contain_text("Olga: iedereen getraind")
    shot(quinn_page, "conflict")
    quinn_page.get_by_role("button", name="Mijn versie opslaan").click()
    expect(quinn_page.locator(".plan-goal")).to_contain_text("Quinn: twee ambassadeurs")
