"""Conversation mode, its summary and "what changed" in each of the resident's
languages, at tablet and phone size: the language and direction of the page, the
catalogue's cards and our texts in the language, no English or Dutch source text, axe-core
0 violations, screenshots in test-artifacts/. (A complete start measurement in Arabic and in
Tigrinya: tests/browser/test_conversation.py.)"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.translation import trans_real
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, TABLET, Contexts, Shots, assert_accessible, log_in
from tests.conftest import confirmed_measurement
from wattelt.instrument import services as instrument
from wattelt.residents import services as residents

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"tablet": TABLET, "phone": PHONE}

# Per language: step 1's question, the card "Money", "what changed"'s heading, the direction.
EXPECTED = {
    "nl": ("Wat telt voor jou?", "Geld", "Wat is er veranderd sinds de vorige keer", "ltr"),
    "en": ("What matters to you?", "Money", "What changed since last time", "ltr"),
    "ar": ("ما الذي يهمّك؟", "المال", "ما الذي تغيّر منذ المرة السابقة", "rtl"),
    "tr": ("Senin için ne önemli?", "Para", "Geçen seferden bu yana ne değişti", "ltr"),
    "pl": ("Co jest dla ciebie ważne?", "Pieniądze", "Co się zmieniło od ostatniego razu", "ltr"),
    "uk": ("Що для тебе важливо?", "Гроші", "Що змінилося з минулого разу", "ltr"),
    "ti": ("ንዓኻ እንታይ እዩ ኣገዳሲ?", "ገንዘብ", "ካብ ዝሓለፈ ግዜ እንታይ ተቐይሩ", "ltr"),
}
# Source texts of these screens that must not show in another language.
ENGLISH = ["What matters to you?", "How is it going?", "Add a goal", "Is this right?"]
DUTCH = ["Wat telt voor jou?", "Hoe gaat het?", "Doel toevoegen", "Klopt dit?"]


@pytest.fixture(autouse=True)
def catalogues_loaded() -> None:
    """The first use of a language reads every catalogue: do it before the first page."""
    for code in EXPECTED:
        trans_real.translation(code)
    Client().get(reverse("login"))  # and the first page's imports and templates


def leaks(page: Page, code: str) -> list[str]:
    text = page.locator("main").inner_text()
    sources = (ENGLISH if code != "en" else []) + (DUTCH if code != "nl" else [])
    return [source for source in sources if source in text]


def in_language(page: Page, code: str) -> None:
    direction = EXPECTED[code][3]
    expect(page.locator("html")).to_have_attribute("lang", code)
    expect(page.locator("html")).to_have_attribute("dir", direction)
    assert leaks(page, code) == [], code
    assert_accessible(page)


@pytest.mark.parametrize("size", sorted(SIZES))
def test_conversation_summary_and_what_changed_in_every_language(
    contexts: Contexts, base_url, alice, trajectory, size, shot: Shots
):
    start = confirmed_measurement(trajectory, alice, days_ago=100)
    goal = start.goals.get()
    follow_up = confirmed_measurement(
        trajectory,
        alice,
        kind="follow_up",
        days_ago=10,
        chip__resident__geld=60,
        **{f"review__{goal.pk}__status": "partly"},
    )
    draft = instrument.start_measurement(trajectory, alice)
    page = contexts.new_page(viewport=SIZES[size], touch=True)
    log_in(page, base_url, "alice")
    for code, (question, money, changed, _direction) in EXPECTED.items():
        residents.set_language(trajectory.resident, code)
        page.goto(base_url + reverse("instrument:conversation", args=[draft.pk]))
        expect(page.locator("#step-choose")).to_contain_text(question)
        expect(page.locator("label[data-card=geld]")).to_contain_text(money)
        in_language(page, code)
        shot(page, f"conversation-{code}")

        page.goto(base_url + reverse("instrument:summary", args=[draft.pk]))
        in_language(page, code)
        shot(page, f"summary-{code}")

        page.goto(base_url + reverse("instrument:what_changed", args=[follow_up.pk]))
        expect(page.locator("main h1")).to_contain_text(changed)
        expect(page.locator("[data-change=geld]")).to_contain_text(money)
        in_language(page, code)
        shot(page, f"what-changed-{code}")
