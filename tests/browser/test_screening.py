"""Dossier screening in a real browser, the whole flow: the quality officer draws a
sample, opens a dossier, fills in the form, reads the findings per team and shares
them; the professional then sees the finding and records the conversation."""

from __future__ import annotations

import shutil
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import Contexts, log_in
from tests.conftest import confirmed_measurement, make_staff, staff_with_role
from tests.screening.conftest import make_trajectories, period
from wattelt.organisations.models import Membership, Role, Team
from wattelt.screening.models import ScreeningItem

EVIDENCE = Path(__file__).resolve().parents[2] / "docs" / "evidence"


def keep(path: Path, name: str) -> None:
    EVIDENCE.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, EVIDENCE / f"screening-{name}.png")


def watch_csp(page: Page, problems: list[str]) -> None:
    page.on("console", lambda m: problems.append(m.text) if "Refused" in m.text else None)


def test_whole_screening_flow(
    contexts: Contexts, base_url, organisation, team, alice, district, catalogue, shot
):
    zuid = Team.objects.create(organisation=organisation, name="Team Zuid")
    dave = make_staff("dave", organisation, zuid, Membership.Role.PROFESSIONAL)
    staff_with_role("quinn", organisation, Role.Name.QUALITY_OFFICER)
    for trajectory in make_trajectories(3, team, alice, district, started_days_ago=200):
        confirmed_measurement(trajectory, alice)
    make_trajectories(2, zuid, dave, district)
    problems: list[str] = []

    page = contexts.new_page()
    watch_csp(page, problems)
    log_in(page, base_url, "quinn", "/dossierscreening/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dossierscreening")
    start, end = period()
    page.fill("#id_start", start.isoformat())
    page.fill("#id_end", end.isoformat())
    page.fill("#id_size", "0")
    page.get_by_role("button", name="Steekproef trekken").click()
    expect(page.locator("main")).to_contain_text("De steekproefgrootte moet minstens 1 zijn.")
    keep(shot(page, "draw-refused"), "draw-refused")
    page.fill("#id_size", "3")
    page.get_by_role("button", name="Steekproef trekken").click()
    expect(page.locator(".messages")).to_contain_text("3 dossiers zijn getrokken")
    expect(page.locator(".screening-items tbody tr")).to_have_count(3)
    keep(shot(page, "round"), "round")

    # The first dossier of Team Noord: its goal, its chips, and the form beside it.
    item = ScreeningItem.objects.filter(team=team).order_by("trajectory_number").first()
    assert item is not None
    page.locator(f"a[href='/dossierscreening/dossier/{item.pk}/']").click()
    expect(page.locator(".dossier")).to_contain_text("Ik wil rust over mijn geld")
    expect(page.locator(".dossier-lines")).to_contain_text("Geld")
    expect(page.locator(".dossier-lines")).to_contain_text("prioriteit")
    expect(page.locator("main")).not_to_contain_text("Achternaam")  # pseudonymous
    keep(shot(page, "dossier"), "dossier")

    # Saving with a question unanswered names it, and saves nothing.
    page.get_by_role("button", name="Bevindingen opslaan").click()
    expect(page.locator(".review [role=alert]").first).to_contain_text("Beantwoord deze vraag")

    answers = {
        "start_registered": "yes",
        "follow_up_registered": "no",
        "goals_own_words": "yes",
        "goals_match_priorities": "partly",
        "follow_up_on_time": "no",
    }
    for name, value in answers.items():
        page.check(f"input[name={name}][value={value}]")
    page.fill("#id_notes", "Vervolgmeting ontbreekt; doel sluit deels aan bij de prioriteit.")
    page.get_by_role("button", name="Bevindingen opslaan").click()
    expect(page.locator(".messages")).to_contain_text("De bevindingen zijn opgeslagen")
    keep(shot(page, "screened"), "screened")

    page.goto(f"{base_url}/dossierscreening/{item.round_id}/bevindingen/")
    noord = page.locator(".team-findings[data-team='Team Noord']")
    expect(noord).to_contain_text("1 gescreend")
    expect(noord.locator("tr[data-question=start_registered] .share")).to_have_text("100%")
    expect(noord.locator("tr[data-question=follow_up_registered] .share")).to_have_text("0%")
    keep(shot(page, "findings"), "findings")

    page.goto(f"{base_url}/dossierscreening/dossier/{item.pk}/")
    page.get_by_role("button", name="Delen met de professional").click()
    expect(page.locator(".messages")).to_contain_text("gedeeld met de professional")

    # Alice, the responsible professional, sees the finding and records the talk.
    professional = contexts.new_page()
    watch_csp(professional, problems)
    log_in(professional, base_url, "alice", "/mijn-screeningsbevindingen/")
    finding = professional.locator(f".finding[data-item='{item.pk}']")
    expect(finding).to_contain_text("Vervolgmeting ontbreekt")
    expect(finding).to_contain_text("Zijn de vervolgmetingen geregistreerd?")
    keep(shot(professional, "professional"), "professional")
    finding.locator("textarea").fill("Besproken in het werkoverleg; vervolgmeting gepland.")
    finding.get_by_role("button", name="Dit hebben we besproken").click()
    expect(professional.locator(".messages")).to_contain_text("besproken")
    expect(professional.locator(f".finding[data-item='{item.pk}']")).to_contain_text(
        "vervolgmeting gepland"
    )
    keep(shot(professional, "discussed"), "discussed")
    assert not problems, problems
