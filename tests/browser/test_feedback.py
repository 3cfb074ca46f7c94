"""Feedback and the guide in a real browser: the admin makes a questionnaire, a resident
answers through a one-time link without logging in, the professional hands over the
tablet (locked to the questionnaire until password and code), and the results stay
"<10" until ten answers."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import Contexts, authenticator_code, log_in
from tests.conftest import PASSWORD, staff_with_role
from wattelt.feedback import services
from wattelt.feedback.models import FeedbackLink, Questionnaire, Response
from wattelt.guide import services as guide
from wattelt.organisations.models import Role


def watch_csp(page: Page, problems: list[str]) -> None:
    page.on("console", lambda m: problems.append(m.text) if "Refused" in m.text else None)


def test_questionnaire_from_creation_to_results(
    contexts: Contexts, base_url, alice, organisation, trajectory, shot
):
    staff_with_role("olga", organisation, Role.Name.ORGANISATION_ADMIN)
    problems: list[str] = []

    # The organisation admin makes a questionnaire for residents.
    admin = contexts.new_page()
    watch_csp(admin, problems)
    log_in(admin, base_url, "olga", "/feedback/beheer/nieuw/")
    admin.fill("#id_title", "Hoe was het gesprek?")
    admin.check("input[name=audience][value=resident]")
    expect(admin.locator("#id_anonymous")).to_be_checked()
    admin.fill("#id_questions-0-text", "Ik voelde me gehoord.")
    admin.fill("#id_questions-1-text", "Wat kan beter?")
    admin.select_option("#id_questions-1-kind", "open")
    admin.uncheck("#id_questions-1-required")
    shot(admin, "admin-creates")
    admin.click("main button[type=submit] >> text=Vragenlijst opslaan")
    expect(admin.locator(".utrecht-alert--ok")).to_contain_text("opgeslagen")
    questionnaire = Questionnaire.objects.get()
    assert [q.text for q in questionnaire.questions.all()] == [
        "Ik voelde me gehoord.",
        "Wat kan beter?",
    ]

    # The professional makes a one-time link...
    professional = contexts.new_page()
    watch_csp(professional, problems)
    log_in(professional, base_url, "alice", "/feedback/")
    professional.click("text=Maak een eenmalige link")
    link = professional.locator("[data-feedback-link]").inner_text().strip()
    assert "/feedback/v/" in link
    shot(professional, "link-made")

    # ...that the resident opens at home, without an account.
    resident = contexts.new_page()
    watch_csp(resident, problems)
    resident.goto(link)
    expect(resident.get_by_role("heading", level=1)).to_have_text("Hoe was het gesprek?")
    expect(resident.locator(".site-nav")).to_have_count(0)
    resident.click("main button[type=submit]")  # nothing chosen yet
    expect(resident.locator(".utrecht-alert--error")).to_contain_text("Er is nog niets opgeslagen")
    resident.locator("label.face-option--5").click()  # the happiest face, "helemaal"
    resident.fill("textarea", "Meer tijd voor het gesprek")
    shot(resident, "resident-link")
    resident.click("main button[type=submit]")
    expect(resident.get_by_role("heading", level=1)).to_have_text("Dank je wel!")
    resident.goto(link)
    expect(resident.get_by_role("heading", level=1)).to_have_text("Deze link is al gebruikt.")
    shot(resident, "link-used")

    # The professional hands over the tablet: no navigation, no names.
    professional.goto(f"{base_url}/feedback/")
    professional.click("text=Geef de tablet aan de inwoner")
    professional.wait_for_url(lambda url: url.endswith("/feedback/tablet/"))
    expect(professional.locator(".site-nav")).to_have_count(0)
    expect(professional.locator("body")).not_to_contain_text("Alice")
    expect(professional.locator("body")).not_to_contain_text(trajectory.resident.last_name)
    # The tablet is locked to the questionnaire: typing another address leads back.
    for path in ("/", f"/inwoners/{trajectory.resident.pk}/", "/beheer/"):
        professional.goto(f"{base_url}{path}")
        professional.wait_for_url(lambda url: url.endswith("/feedback/tablet/"))
        expect(professional.get_by_role("heading", level=1)).to_have_text("Hoe was het gesprek?")
        expect(professional.locator("body")).not_to_contain_text(trajectory.resident.last_name)
    professional.locator("label.face-option--4").click()
    shot(professional, "tablet")
    professional.click(".feedback-form button[type=submit]")
    expect(
        professional.get_by_role("button", name="Geef terug aan de professional")
    ).to_be_visible()
    shot(professional, "tablet-thanks")
    professional.goto(f"{base_url}/feedback/")
    professional.wait_for_url(lambda url: url.endswith("/feedback/tablet/"))
    expect(professional.locator("[data-feedback=tablet-locked]")).to_be_visible()
    shot(professional, "tablet-locked")

    # Handing back takes the professional's password and code; a wrong one stays locked.
    professional.click("text=Geef terug aan de professional")
    professional.fill("#id_password", "niet-het-goede-wachtwoord")
    professional.fill("#id_code", "123456")
    professional.click("main button[type=submit] >> text=Ontgrendelen")
    expect(professional.locator(".utrecht-alert--error")).to_contain_text(
        "De tablet blijft vergrendeld"
    )
    shot(professional, "tablet-wrong-password")
    professional.fill("#id_password", PASSWORD)
    professional.fill("#id_code", authenticator_code(alice))
    professional.click("main button[type=submit] >> text=Ontgrendelen")
    professional.wait_for_url(lambda url: url.endswith("/feedback/"))
    expect(professional.locator(".utrecht-alert--ok")).to_contain_text("ontgrendeld")
    professional.goto(f"{base_url}/inwoners/{trajectory.resident.pk}/")
    expect(professional.locator("body")).to_contain_text(trajectory.resident.last_name)
    assert Response.objects.count() == 2

    # Results: "<10" until ten answers.
    admin.goto(f"{base_url}/feedback/resultaten/{questionnaire.pk}/")
    expect(admin.locator("td[data-count]").first).to_have_text("<10")
    shot(admin, "results-suppressed")
    scale_q, open_q = questionnaire.questions.all()
    for n in range(8):
        token = services.hand_out(questionnaire, alice, FeedbackLink.Channel.LINK)
        services.answer_with_link(token, {f"q{scale_q.pk}": 3 + n % 3, f"q{open_q.pk}": f"Tip {n}"})
    admin.reload()
    expect(admin.locator("td[data-count]").first).to_have_text("10")
    # Nine open answers: still "<10", the texts stay hidden.
    expect(admin.locator("td[data-count]").nth(1)).to_have_text("<10")
    expect(admin.locator("main")).not_to_contain_text("Meer tijd voor het gesprek")
    token = services.hand_out(questionnaire, alice, FeedbackLink.Channel.LINK)
    services.answer_with_link(token, {f"q{scale_q.pk}": 2, f"q{open_q.pk}": "Duidelijke uitleg"})
    admin.reload()
    expect(admin.locator("td[data-count]").nth(1)).to_have_text("10")
    expect(admin.locator("main")).to_contain_text("Meer tijd voor het gesprek")
    shot(admin, "results")
    assert not problems, problems


def test_guide_and_faq(page: Page, base_url, alice, organisation, shot):
    olga = staff_with_role("olga", organisation, Role.Name.ORGANISATION_ADMIN)
    guide.add_entry(
        organisation, olga, "Moet ik altijd een doel maken?", "Nee, alleen als de inwoner dat wil."
    )
    problems: list[str] = []
    watch_csp(page, problems)
    log_in(page, base_url, "alice", "/hulp/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hulp: werken met Wat telt")
    shot(page, "guide-index")
    page.click(".guide__body >> text=Doelen in de eigen woorden van de inwoner")
    expect(page.get_by_role("heading", level=2, name="SMART zit in jouw vragen")).to_be_visible()
    shot(page, "guide-goals")
    page.click(".guide__toc >> text=Veelgestelde vragen")
    expect(page.locator("main")).to_contain_text("Moet ik altijd een doel maken?")
    shot(page, "guide-faq")
    assert not problems, problems
