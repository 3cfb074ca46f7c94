"""Read aloud (wattelt/read_aloud.js): a button beside each domain card and goal speaks
it in the resident's language with the device's own voice, and stays hidden where the
device has none for that language, also when the voices arrive late."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import TABLET, Contexts, Shots, assert_accessible, log_in
from tests.conftest import confirmed_measurement
from wattelt.residents import services as residents

# A device's speech as the Web Speech API offers it: voices that arrive later
# ("voiceschanged"), and a record of what was spoken in which language.
FAKE_SPEECH = """
(() => {
  const listeners = [];
  const fake = {
    voices: [],
    spoken: [],
    cancelled: 0,
    getVoices() { return this.voices.slice(); },
    speaking: null,
    speak(utterance) {
      this.spoken.push({text: utterance.text, lang: utterance.lang,
                        voice: utterance.voice && utterance.voice.name});
      this.speaking = utterance;
    },
    // The test says when the voice is done (a timer would race a busy machine).
    finish() {
      const utterance = this.speaking;
      this.speaking = null;
      if (utterance && utterance.onend) utterance.onend();
    },
    cancel() { this.cancelled += 1; },
    addEventListener(type, listener) { if (type === "voiceschanged") listeners.push(listener); },
    addVoice(voice) {
      this.voices.push(voice);
      listeners.forEach((listener) => listener(new Event("voiceschanged")));
    },
  };
  Object.defineProperty(window, "speechSynthesis", {value: fake, configurable: true});
  window.SpeechSynthesisUtterance = class {
    constructor(text) { this.text = text; this.lang = ""; this.voice = null; }
  };
})();
"""


def open_plan(contexts: Contexts, base_url: str, trajectory, fake: bool) -> Page:
    page = contexts.new_page(viewport=TABLET, touch=True)
    if fake:
        page.add_init_script(FAKE_SPEECH)
    log_in(page, base_url, "alice", f"/trajecten/{trajectory.pk}/plan/")
    expect(page.locator(".plan-language")).to_be_visible()
    return page


def test_without_a_voice_for_the_language_the_buttons_stay_hidden(
    contexts: Contexts, base_url, alice, trajectory
):
    """Chromium's own voices, whatever this machine has (often none): a button shows
    exactly when there is a voice for its language."""
    confirmed_measurement(trajectory, alice)
    residents.set_language(trajectory.resident, "ti")
    page = open_plan(contexts, base_url, trajectory, fake=False)
    buttons = page.locator("[data-read-aloud]")
    assert buttons.count() == 3  # two cards and one goal
    page.wait_for_timeout(500)  # voices may arrive a moment after loading
    has_voice = page.evaluate(
        """() => (window.speechSynthesis ? speechSynthesis.getVoices() : [])
            .some((v) => v.lang.toLowerCase().startsWith("ti"))"""
    )
    for index in range(buttons.count()):
        assert buttons.nth(index).is_hidden() is not has_voice


def test_a_voice_that_arrives_shows_the_buttons_and_speaks_in_the_language(
    contexts: Contexts, base_url, alice, trajectory, shot: Shots
):
    confirmed_measurement(trajectory, alice)
    residents.set_language(trajectory.resident, "ar")
    page = open_plan(contexts, base_url, trajectory, fake=True)
    money = page.locator(".plan-domains li", has_text="المال").locator("[data-read-aloud]")
    expect(money).to_be_hidden()
    page.evaluate("() => speechSynthesis.addVoice({lang: 'en-GB', name: 'English'})")
    expect(money).to_be_hidden()  # a voice, but not for Arabic
    page.evaluate("() => speechSynthesis.addVoice({lang: 'ar-SA', name: 'Arabic'})")
    expect(money).to_be_visible()
    expect(money).to_have_attribute("aria-label", "اقرأ بصوت عالٍ")
    assert_accessible(page)
    shot(page, "read-aloud-ar")

    money.click()
    expect(money).to_have_attribute("aria-pressed", "true")
    spoken = page.evaluate("() => speechSynthesis.spoken")
    assert spoken == [
        {
            "text": "المال. مال كافٍ لتدبير المعيشة، والسيطرة على الديون.",
            "lang": "ar-SA",
            "voice": "Arabic",
        }
    ]
    page.evaluate("() => speechSynthesis.finish()")
    expect(money).to_have_attribute("aria-pressed", "false")  # done speaking

    goal = page.locator(".plan-goal-words [data-read-aloud]")
    goal.click()
    assert page.evaluate("() => speechSynthesis.spoken.at(-1).text") == (
        "Ik wil rust over mijn geld"
    )
