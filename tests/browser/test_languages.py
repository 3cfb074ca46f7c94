# ruff: noqa: RUF001  (the expected texts are in Arabic, Turkish, Cyrillic and Ge'ez)
"""The resident's screens in each of the resident's languages, in Debian's chromium at
tablet and phone size: the feedback questionnaire through a one-time link and the plan.
Each: the language and direction of the page, texts of the language and none of the
English or Dutch source, axe-core 0 violations, a screenshot in test-artifacts/."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.translation import trans_real
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, TABLET, Contexts, Shots, assert_accessible, log_in
from tests.conftest import confirmed_measurement
from tests.feedback.conftest import make_questionnaire
from wattelt.feedback import services as feedback
from wattelt.feedback.models import FeedbackLink
from wattelt.residents import services as residents
from wattelt.residents.language import RESIDENT_LANGUAGES

SIZES = {"tablet": TABLET, "phone": PHONE}

# Per language: the feedback form's button, the plan's heading "My goals", the card
# "Money" (from the catalogue, data), and the direction.
EXPECTED = {
    "nl": ("Verstuur mijn antwoorden", "Mijn doelen", "Geld", "ltr"),
    "en": ("Send my answers", "My goals", "Money", "ltr"),
    "ar": ("أرسل إجاباتي", "أهدافي", "المال", "rtl"),
    "tr": ("Cevaplarımı gönder", "Hedeflerim", "Para", "ltr"),
    "pl": ("Wyślij moje odpowiedzi", "Moje cele", "Pieniądze", "ltr"),
    "uk": ("Надіслати мої відповіді", "Мої цілі", "Гроші", "ltr"),
    "ti": ("መልስታተይ ስደድ", "ሸቶታተይ", "ገንዘብ", "ltr"),
}
# Source texts that must never show once another language is chosen.
ENGLISH = ["Send my answers", "Your answers are kept", "Please do not write names"]
DUTCH = ["Verstuur mijn antwoorden", "Je antwoorden", "Schrijf geen namen"]


@pytest.fixture(autouse=True)
def catalogues_loaded() -> None:
    """Load each language's catalogues once before the first page (the live server runs
    in this process): the first use of a language reads every app's catalogue, which on
    a busy test machine can take longer than a page may."""
    for code in EXPECTED:
        trans_real.translation(code)
    Client().get(reverse("login"))  # and the first page's imports and templates


def test_every_resident_language_is_covered():
    assert set(EXPECTED) == {code for code, _name in RESIDENT_LANGUAGES}


def leaks(page: Page, code: str) -> list[str]:
    body = page.locator("main").inner_text()
    sources = (ENGLISH if code != "en" else []) + (DUTCH if code != "nl" else [])
    return [text for text in sources if text in body]


@pytest.mark.parametrize("size", sorted(SIZES))
def test_feedback_through_a_link_in_every_language(
    contexts: Contexts, base_url, alice, organisation, trajectory, size, shot: Shots
):
    questionnaire = make_questionnaire(organisation, alice, anonymous=False)
    page = contexts.new_page(viewport=SIZES[size], touch=True)
    for code, (send, _goals, _money, direction) in EXPECTED.items():
        residents.set_language(trajectory.resident, code)
        token = feedback.hand_out(questionnaire, alice, FeedbackLink.Channel.LINK, trajectory)
        page.goto(f"{base_url}/feedback/v/{token}/")
        html = page.locator("html")
        expect(html).to_have_attribute("lang", code)
        expect(html).to_have_attribute("dir", direction)
        expect(page.locator("main button[type=submit]")).to_have_text(send)
        expect(page.locator(f".resident-language__option[value={code}]")).to_have_attribute(
            "aria-pressed", "true"
        )
        assert leaks(page, code) == [], code
        assert page.locator("nav, .site-nav, #site-search").count() == 0  # no staff chrome
        assert_accessible(page)
        shot(page, f"feedback-{code}")
        if code == "ar":
            # Right to left: the faces run in reading direction, 1 first: at the right
            # in a row, on top if they ever stack.
            one = page.locator("label:has(input[value='1'])").bounding_box()
            five = page.locator("label:has(input[value='5'])").bounding_box()
            assert one and five
            assert one["x"] > five["x"] if one["y"] == five["y"] else one["y"] < five["y"]


def test_a_resident_switches_the_language_of_a_link_and_answers(
    contexts: Contexts, base_url, alice, organisation, trajectory, shot: Shots
):
    """Without a stored resident (an anonymous link) the choice lives in the session;
    a validation message comes in the chosen language too."""
    questionnaire = make_questionnaire(organisation, alice)
    token = feedback.hand_out(questionnaire, alice, FeedbackLink.Channel.LINK, None)
    page = contexts.new_page(viewport=PHONE, touch=True)
    page.goto(f"{base_url}/feedback/v/{token}/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    page.click(".resident-language__option[value=ti]")
    expect(page.locator("html")).to_have_attribute("lang", "ti")
    page.click("main button[type=submit]")  # nothing chosen: question 1 is required
    expect(page.locator(".utrecht-form-field-error-message").first).to_contain_text("ሕቶ 1")
    assert_accessible(page)
    shot(page, "feedback-ti-missing-answer")
    page.click("label:has(input[value='4'])")
    page.click("main button[type=submit]")
    expect(page.locator("[data-feedback=thanks] h1")).to_have_text("የቐንየልና!")
    shot(page, "feedback-ti-thanks")
    page.click(".resident-language__option[value=ar]")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("main h1")).to_have_text("تم استخدام هذا الرابط من قبل.")
    assert_accessible(page)


@pytest.mark.parametrize("size", sorted(SIZES))
def test_the_plan_in_every_language(
    contexts: Contexts, base_url, alice, trajectory, size, shot: Shots
):
    confirmed_measurement(trajectory, alice, goal__0__first_step="Bellen met de bank")
    page = contexts.new_page(viewport=SIZES[size], touch=True)
    log_in(page, base_url, "alice")
    for code, (_send, goals, money, direction) in EXPECTED.items():
        residents.set_language(trajectory.resident, code)
        page.goto(f"{base_url}/trajecten/{trajectory.pk}/plan/")
        plan = page.locator(".plan-language")
        expect(plan).to_have_attribute("lang", code)
        expect(plan).to_have_attribute("dir", direction)
        expect(plan.locator("h2").nth(1)).to_have_text(goals)
        expect(plan.locator(".plan-domain-label").first).to_have_text(money)
        # The staff page around the plan stays in the professional's language.
        expect(page.locator("html")).to_have_attribute("lang", "nl")
        expect(page.locator(".progress-form button")).to_have_text("Toevoegen aan het plan")
        assert_accessible(page)
        shot(page, f"plan-{code}")


def test_the_language_is_stored_from_the_plan_page(contexts: Contexts, base_url, alice, trajectory):
    confirmed_measurement(trajectory, alice)
    page = contexts.new_page(viewport=TABLET)
    log_in(page, base_url, "alice", f"/trajecten/{trajectory.pk}/plan/")
    page.select_option("#id_language", "uk")
    page.click("text=Toon het plan in deze taal")
    expect(page.locator(".plan-language")).to_have_attribute("lang", "uk")
    trajectory.resident.refresh_from_db()
    assert trajectory.resident.language == "uk"
