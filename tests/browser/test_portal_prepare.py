"""Preparing the next conversation in a real browser: the resident prepares at home on a
phone (touch, Dutch and Arabic right to left), the professional opens it together in
conversation mode and confirms; the confirmed board has the resident's chips and the
preparation is still there as the resident made it. And every language of the resident's
preparing and feedback pages passes axe-core at phone size."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, TABLET, assert_accessible, log_in, sign_in_resident
from tests.browser.test_conversation import SMALL_TARGETS
from tests.conftest import confirmed_measurement
from tests.feedback.conftest import make_questionnaire
from wattelt.instrument.forms import ChoiceInput
from wattelt.instrument.models import Measurement, Preparation
from wattelt.instrument.preparation import PreparationInput, save_preparation
from wattelt.residents.language import RESIDENT_LANGUAGES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PREPARE = reverse("portal:prepare")
TOPICS = {
    "nl": "Mijn huur is omhoog gegaan en ik slaap slecht.",
    "ar": "ارتفع إيجاري ولا أنام جيدًا.",
}


def place_chip(page: Page, key: str, fraction: float) -> int:
    """Tap the line at a fraction from "not going well" (0) to "going well" (1), in
    reading direction (from the right in Arabic); the resident's chip lands there."""
    track = page.locator(f"[data-row={key}] [data-track]")
    track.scroll_into_view_if_needed()
    box = track.bounding_box()
    assert box is not None
    rtl = page.evaluate("() => getComputedStyle(document.body).direction === 'rtl'")
    x = box["width"] * ((1 - fraction) if rtl else fraction)
    track.tap(position={"x": x, "y": box["height"] / 2})
    value = int(track.locator(".chip--resident").get_attribute("aria-valuenow") or "-1")
    assert abs(value - fraction * 100) <= 1, (key, value)
    return value


def prepared_chips(preparation: Preparation) -> dict[str, int | None]:
    return {c.domain.key: c.resident_chip for c in preparation.choices.select_related("domain")}


def open_together_and_confirm(
    tablet: Page,
    base_url: str,
    start: Measurement,
    prepared: tuple[dict[str, int], str, str],
    shot=None,
) -> None:
    """The professional (alice) opens the resident's preparation together on the tablet:
    the resident's chips and topics are there, the dropped domain is not chosen; they
    finish it (a grade, last time's goal) and confirm, ending on "what changed".
    `prepared`: (chips, topics, a domain the resident dropped)."""
    chips, topics, dropped = prepared
    trajectory = start.trajectory
    log_in(tablet, base_url, "alice", reverse("instrument:progress", args=[trajectory.pk]))
    expect(tablet.locator("[data-preparation]")).to_contain_text("Voorbereiding van de inwoner")
    if shot:
        shot(tablet, "progress-with-preparation")
    tablet.locator("[data-open-together]").first.tap()
    tablet.wait_for_url("**/gesprek/")
    expect(tablet.locator(".prepared-topics")).to_contain_text(topics)
    for key, value in chips.items():
        expect(tablet.locator(f"[data-row={key}] .chip--resident")).to_have_attribute(
            "aria-valuenow", str(value)
        )
    expect(tablet.locator(f"input[name=chosen][value={dropped}]")).not_to_be_checked()
    assert_accessible(tablet)
    if shot:
        shot(tablet, "conversation-opened")
    tablet.locator("label.grade").nth(6).tap()
    goal = start.goals.get()
    tablet.locator(f"input[name=review-{goal.pk}-status][value=partly]").locator("..").tap()
    tablet.locator("button[data-confirm]").tap()
    tablet.wait_for_url("**/samenvatting/")
    tablet.locator("button[data-confirm-summary]").tap()
    tablet.wait_for_url("**/wat-is-veranderd/")


@pytest.mark.parametrize("language", ["nl", "ar"])
def test_prepared_at_home_on_a_phone_then_opened_together_and_confirmed(
    contexts, base_url, trajectory, alice, shot, language
):
    start = confirmed_measurement(trajectory, alice)  # wonen and geld, a goal on geld
    resident = trajectory.resident
    resident.language = language
    resident.save(update_fields=["language"])

    # At home, on the phone: last time's domains are chosen, the chips placed anew.
    home = contexts.new_page(viewport=PHONE, touch=True)
    sign_in_resident(home, base_url, resident)
    home.goto(f"{base_url}{PREPARE}")
    expect(home.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
    expect(home.locator("input[name=chosen][value=wonen]")).to_be_checked()
    expect(home.locator("input[name=quality_of_life]")).to_have_count(0)
    assert home.evaluate(SMALL_TARGETS) == [], "touch targets of at least 44 x 44 CSS px"
    assert_accessible(home)
    shot(home, f"{language}-phone-start")
    home.locator("label[data-card=werk]").tap()
    home.locator("label[data-card=geld]").tap()  # geld is not what matters this time
    chips = {key: place_chip(home, key, f) for key, f in {"wonen": 0.8, "werk": 0.15}.items()}
    home.locator("#topics").fill(TOPICS[language])
    assert_accessible(home)
    shot(home, f"{language}-phone-filled-in")
    home.locator("button[name=action][value=send]").tap()
    home.wait_for_url(f"**{PREPARE}?done=sent")
    expect(home.locator(".prepare-done")).to_be_visible()
    assert_accessible(home)
    shot(home, f"{language}-phone-sent")
    preparation = Preparation.objects.get()
    assert prepared_chips(preparation) == chips and preparation.topics == TOPICS[language]
    assert not Measurement.objects.filter(status="draft").exists()

    # In the conversation: the professional opens it together, on the tablet.
    tablet = contexts.new_page(viewport=TABLET, touch=True)
    open_together_and_confirm(tablet, base_url, start, (chips, TOPICS[language], "geld"), shot)
    shot(tablet, f"{language}-what-changed")

    confirmed = Measurement.objects.get(status="confirmed", kind="follow_up")
    assert {
        c.domain.key: c.resident_chip for c in confirmed.choices.select_related("domain")
    } == chips
    preparation.refresh_from_db()
    assert preparation.measurement == confirmed
    assert prepared_chips(preparation) == chips and preparation.topics == TOPICS[language]


def test_every_language_of_preparing_and_feedback_passes_axe(
    contexts, base_url, trajectory, alice, organisation, shot
):
    confirmed_measurement(trajectory, alice)
    questionnaire = make_questionnaire(organisation, alice)
    resident = trajectory.resident
    choices = {"wonen": ChoiceInput(resident=20), "werk": ChoiceInput(resident=None)}
    save_preparation(trajectory, PreparationInput(choices, "Over mijn werk"), send=True)
    page = contexts.new_page(viewport=PHONE, touch=True)
    sign_in_resident(page, base_url, resident)
    feedback = reverse("portal:feedback_answer", args=[questionnaire.pk])
    for code, _name in RESIDENT_LANGUAGES:
        resident.language = code
        resident.save(update_fields=["language"])
        for path in (PREPARE, reverse("portal:feedback"), feedback):
            page.goto(f"{base_url}{path}")
            expect(page.locator("html")).to_have_attribute("lang", code)
            assert_accessible(page)
            assert page.evaluate(SMALL_TARGETS) == [], (code, path)
        # The faces scale in one row on a phone: all five faces at the same height.
        tops = page.locator(".face-option").evaluate_all(
            "els => els.map(e => Math.round(e.getBoundingClientRect().top))"
        )
        assert len(tops) == 5 and len(set(tops)) == 1, (code, tops)
        shot(page, f"{code}-phone-feedback-empty")
        if code in ("nl", "ar"):
            page.locator(".face-option--4").tap()
            expect(page.locator(".face-option--4 input")).to_be_checked()
            shot(page, f"{code}-phone-feedback")
            page.goto(f"{base_url}{reverse('portal:feedback')}")
            shot(page, f"{code}-phone-feedback-list")
    for code in ("nl", "ar"):
        resident.language = code
        resident.save(update_fields=["language"])
        wide = contexts.new_page(viewport=TABLET, touch=True)
        sign_in_resident(wide, base_url, resident)
        for name, path in (("prepare", PREPARE), ("feedback", feedback)):
            wide.goto(f"{base_url}{path}")
            assert_accessible(wide)
            shot(wide, f"{code}-tablet-{name}")

    # The professional's page of the preparation, on a tablet and a phone.
    preparation = Preparation.objects.get()
    for name, viewport in (("tablet", TABLET), ("phone", PHONE)):
        staff = contexts.new_page(viewport=viewport, touch=True)
        log_in(staff, base_url, "alice", reverse("instrument:preparation", args=[preparation.pk]))
        expect(staff.locator("[data-open-together]")).to_be_visible()
        assert_accessible(staff)
        shot(staff, f"staff-preparation-{name}")
