"""Conversation mode in a real browser, on a tablet (1024x768) and a phone (390x844) with
touch: a complete start measurement handed to the resident, a follow-up that starts from
last time, the vertical swipe that must scroll, leaving that needs the professional, a
failed confirmation that shows the first missing answer, and the network cut mid-way."""

from __future__ import annotations

import re
import time

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import (
    PHONE,
    TABLET,
    Contexts,
    assert_accessible,
    authenticator_code,
    log_in,
)
from tests.conftest import PASSWORD, board_data, complete_fields
from wattelt.instrument import services as instrument
from wattelt.instrument.models import Goal, Measurement
from wattelt.organisations.models import Staff
from wattelt.residents.models import Trajectory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = {"tablet": TABLET, "phone": PHONE}
STAFF_ONLY = ("nav.site-nav", "#site-search", "input[name=measured_on]:not([type=hidden])")

# Every control a finger uses, measured where the finger lands: a check box or radio
# button inside its label counts as the label; hidden controls do not count.
SMALL_TARGETS = """() => {
  const small = [];
  const seen = new Set();
  const controls = "a[href], button, input:not([type=hidden]), select, textarea, summary, "
    + "[role=slider], [tabindex='0']";
  for (const el of document.querySelectorAll(controls)) {
    const box = el.matches("input[type=checkbox], input[type=radio]") && el.closest("label");
    const target = box || el;
    if (seen.has(target)) continue;
    seen.add(target);
    const r = target.getBoundingClientRect(), style = getComputedStyle(target);
    const away = r.right <= 0 || r.left >= innerWidth;  // a skip link waiting off screen
    if (!r.width || !r.height || style.visibility === "hidden" || away) continue;
    if (r.width < 44 - 0.5 || r.height < 44 - 0.5)
      small.push(`${target.tagName}.${target.className} ${r.width | 0}x${r.height | 0}`);
  }
  return small;
}"""


class Taps:
    """What a person does with a finger, counted: every tap and every text typed is one
    user action."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.count = 0

    def tap(self, target: str | Locator, **options: object) -> None:
        locator = self.page.locator(target) if isinstance(target, str) else target
        locator.scroll_into_view_if_needed()
        locator.tap(**options)  # type: ignore[arg-type]
        self.count += 1

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.count += 1

    def place_chip(self, key: str, fraction: float) -> None:
        """Tap the line at a fraction of its length from "not going well" (0) to "going
        well" (1), in reading direction: from the right in a right-to-left language."""
        track = self.page.locator(f"[data-row={key}] [data-track]")
        track.scroll_into_view_if_needed()
        box = track.bounding_box()
        assert box is not None, f"the line for {key} is not on screen"
        rtl = self.page.evaluate("() => getComputedStyle(document.body).direction === 'rtl'")
        x = box["width"] * ((1 - fraction) if rtl else fraction)
        self.tap(track, position={"x": x, "y": box["height"] / 2})
        perspective = self.page.locator("input[name=perspective]:checked").get_attribute("value")
        chip = track.locator(f".chip--{perspective}")
        value = int(chip.get_attribute("aria-valuenow") or "-1")
        assert abs(value - fraction * 100) <= 1, (key, value, fraction)
        # Where the chip shows means the same in every language: measured from the
        # "not going well" face, in reading direction.
        shape, line = chip.bounding_box(), track.bounding_box()
        assert shape is not None and line is not None
        centre = shape["x"] + shape["width"] / 2
        from_start = (line["x"] + line["width"] - centre) if rtl else (centre - line["x"])
        assert abs(from_start - line["width"] * value / 100) <= 1.5, (key, from_start, value)

    def perspective(self, who: str) -> None:
        self.tap(f"label.perspective--{who}")
        expect(self.page.locator(f"input[name=perspective][value={who}]")).to_be_checked()

    def grade(self, grade: int) -> None:
        self.tap(self.page.locator("label.grade").filter(has_text=re.compile(rf"^\s*{grade}\s*$")))


def hand_over(contexts: Contexts, base_url: str, measurement: Measurement, screen: str) -> Page:
    """The professional logs in on the tablet, opens the board and hands it over."""
    page = contexts.new_page(viewport=SCREENS[screen], touch=True)
    log_in(page, base_url, "alice", reverse("instrument:board", args=[measurement.pk]))
    page.locator("[data-hand-over]").tap()
    page.wait_for_url(f"**{reverse('instrument:conversation', args=[measurement.pk])}")
    return page


def assert_made_for_the_resident(page: Page, trajectory: Trajectory) -> None:
    for selector in STAFF_ONLY:
        expect(page.locator(selector)).to_have_count(0)
    resident = trajectory.resident
    content = page.content()
    assert resident.last_name not in content, "no names in conversation mode"
    assert page.evaluate(SMALL_TARGETS) == [], "touch targets of at least 44 x 44 CSS px"
    assert_accessible(page)


def choices_of(measurement: Measurement) -> dict[str, tuple[int | None, ...]]:
    return {
        c.domain.key: (c.resident_chip, c.professional_chip, c.carer_chip, c.prioritised)
        for c in measurement.choices.select_related("domain")
    }


DOMAINS = {"wonen": 0.1, "geld": 0.2, "werk": 0.5, "gevoel": 0.3, "relaties": 0.8, "contacten": 0.9}
GOALS = {"geld": "Ik wil mijn schulden op een rij", "gevoel": "Ik wil weer goed slapen"}


@pytest.mark.parametrize(
    ("screen", "language"),
    [("tablet", "nl"), ("tablet", "ar"), ("phone", "ar"), ("tablet", "ti"), ("phone", "ti")],
)
def test_start_measurement_in_conversation_mode(
    contexts, base_url, trajectory, alice, shot, screen, language
):
    trajectory.resident.language = language
    trajectory.resident.save(update_fields=["language"])
    draft = instrument.start_measurement(trajectory, alice)
    page = hand_over(contexts, base_url, draft, screen)
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
    assert_made_for_the_resident(page, trajectory)
    shot(page, "empty")
    act = Taps(page)

    for key in DOMAINS:
        act.tap(f"label[data-card={key}]")
    for key, fraction in DOMAINS.items():
        act.place_chip(key, fraction)
    act.perspective("professional")
    expect(page.locator("[data-perspectives]")).to_be_in_viewport()
    act.place_chip("wonen", 0.4)
    act.place_chip("geld", 0.5)
    act.perspective("carer")
    act.place_chip("wonen", 0.2)
    act.place_chip("geld", 0.6)
    expect(page.locator("[data-perspectives]")).to_be_in_viewport()  # whose chip: in sight
    act.grade(5)
    for key, words in GOALS.items():
        act.tap(f"[data-add-goal={key}]")
        # The goal opens beside its domain, not at the bottom of the board.
        own_words = page.locator(f"[data-row={key}] [data-goal] [data-own-words]")
        expect(own_words).to_be_focused()
        act.type(words)
    assert page.evaluate(SMALL_TARGETS) == []
    assert_accessible(page)
    shot(page, "filled-in")

    act.tap("button[data-confirm]")
    page.wait_for_url(f"**{reverse('instrument:summary', args=[draft.pk])}")
    for key in DOMAINS:
        expect(page.locator(f"[data-summary={key}]")).to_be_visible()
    assert Measurement.objects.get(pk=draft.pk).is_draft, "the summary comes before confirming"
    assert_made_for_the_resident(page, trajectory)
    shot(page, "summary")
    act.tap("button[data-confirm-summary]")

    page.wait_for_url(f"**{reverse('instrument:what_changed', args=[draft.pk])}")
    expect(page.locator("[data-change]")).to_have_count(6)
    assert_made_for_the_resident(page, trajectory)
    shot(page, "done")
    print(f"conversation mode, start measurement, {screen}, {language}: {act.count} user actions")
    assert act.count <= 25

    measurement = Measurement.objects.get(pk=draft.pk)
    assert (measurement.status, measurement.quality_of_life) == ("confirmed", 5)
    choices = choices_of(measurement)
    assert sorted(choices) == sorted(DOMAINS)
    for key, fraction in DOMAINS.items():
        assert abs((choices[key][0] or 0) - fraction * 100) <= 2, (key, choices[key])
    assert {k for k, c in choices.items() if c[1] is not None} == {"wonen", "geld"}
    assert abs((choices["geld"][1] or 0) - 50) <= 2 and abs((choices["geld"][2] or 0) - 60) <= 2
    assert {k for k, c in choices.items() if c[3]} == set(GOALS)
    goals = {g.own_words: [d.key for d in g.domains.all()] for g in measurement.goals.all()}
    assert goals == {words: [key] for key, words in GOALS.items()}


def start_with_four_domains_and_two_goals(trajectory: Trajectory, alice: Staff) -> Measurement:
    draft = instrument.start_measurement(trajectory, alice)
    fields = complete_fields(
        chosen=["wonen", "geld", "werk", "gevoel"],
        chip__resident__werk=50,
        chip__resident__gevoel=40,
        priority=["geld", "gevoel"],
        quality_of_life=5,
        goal__1__own_words="Ik wil weer goed slapen",
        goal__1__domains=["gevoel"],
        measured_on=(draft.trajectory.started_on).isoformat(),
    )
    return instrument.confirm_measurement(draft, alice, board_data(draft, **fields))


@pytest.mark.parametrize("screen", ["tablet", "phone"])
def test_follow_up_starts_from_last_time(contexts, base_url, trajectory, alice, shot, screen):
    start = start_with_four_domains_and_two_goals(trajectory, alice)
    page = contexts.new_page(viewport=SCREENS[screen], touch=True)
    log_in(page, base_url, "alice", reverse("instrument:progress", args=[trajectory.pk]))
    # Right after the start measurement the next one is a follow-up, not the end.
    expect(page.locator("button[value=follow_up]")).to_be_visible()
    expect(page.locator("button[value=end]")).to_have_count(0)
    page.locator("button[value=follow_up]").tap()
    page.wait_for_url("**/metingen/*/")
    page.locator("[data-hand-over]").tap()
    page.wait_for_url("**/gesprek/")
    follow_up = Measurement.objects.exclude(pk=start.pk).get(trajectory=trajectory)

    # Last time's domains are chosen, their ghost chips show at once, so does the grade.
    for key in ("wonen", "geld", "werk", "gevoel"):
        expect(page.locator(f"input[name=chosen][value={key}]")).to_be_checked()
        expect(page.locator(f"[data-row={key}] .chip--ghost")).to_be_attached()
    expect(page.locator("input[name=chosen]:checked")).to_have_count(4)
    expect(page.locator("label.grade--last-time")).to_have_text(re.compile(r"^\s*5"))
    expect(page.locator("[data-review]")).to_have_count(2)  # the earlier goals wait
    assert_made_for_the_resident(page, trajectory)
    shot(page, "from-last-time")

    act = Taps(page)
    new = {"wonen": 0.9, "geld": 0.6, "werk": 0.5, "gevoel": 0.1}  # up, up, same, down
    for key, fraction in new.items():
        act.place_chip(key, fraction)
    act.grade(7)
    goals = list(Goal.objects.filter(stated_in=start).order_by("position"))
    for goal, status in zip(goals, ("achieved", "partly"), strict=True):
        act.tap(f"[data-review='{goal.pk}'] label.status-choice--{status}")
    shot(page, "follow-up-filled-in")
    act.tap("button[data-confirm]")
    page.wait_for_url("**/samenvatting/")
    assert_made_for_the_resident(page, trajectory)
    act.tap("button[data-confirm-summary]")
    page.wait_for_url("**/wat-is-veranderd/")

    directions = {
        key: page.locator(f"[data-change={key}]").get_attribute("data-direction") for key in new
    }
    assert directions == {"wonen": "up", "geld": "up", "werk": "same", "gevoel": "down"}
    expect(page.locator("[data-grade-direction]")).to_have_attribute("data-grade-direction", "up")
    assert not re.search(r"\b(90|60|10|70|20|40)\b", page.locator("ul.changes").inner_text())
    assert_made_for_the_resident(page, trajectory)
    shot(page, "what-changed")
    print(f"conversation mode, follow-up on the {screen}: {act.count} user actions")
    assert act.count <= 12

    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.kind, follow_up.quality_of_life) == (
        "confirmed",
        "follow_up",
        7,
    )
    assert {g.status for g in Goal.objects.filter(stated_in=start)} == {
        "achieved",
        "partly",
    }


def touch_swipe(page: Page, x: float, y: float, dy: float, steps: int = 8) -> None:
    """A finger put down at (x, y) and moved dy px up (negative) or down, through the
    DevTools protocol: Playwright has a tap but no swipe."""
    cdp = page.context.new_cdp_session(page)
    point = {"x": x, "y": y}
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [point]})
    for step in range(1, steps + 1):
        moved = {"x": x, "y": y + dy * step / steps}
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [moved]})
        page.wait_for_timeout(16)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


@pytest.mark.parametrize("screen", ["phone", "tablet"])
def test_a_vertical_swipe_on_a_chip_line_scrolls_and_places_nothing(
    contexts, base_url, trajectory, alice, shot, screen
):
    draft = instrument.start_measurement(trajectory, alice)
    draft = instrument.save_draft(
        draft, alice, board_data(draft, chosen=["wonen", "geld", "werk", "gevoel"])
    )
    page = hand_over(contexts, base_url, draft, screen)
    track = page.locator("[data-row=geld] [data-track]")
    track.scroll_into_view_if_needed()
    box = track.bounding_box()
    assert box is not None
    before = page.evaluate("() => window.scrollY")
    # Up the page, starting at 68 % of the money line (where it used to place a chip).
    touch_swipe(page, box["x"] + box["width"] * 0.68, box["y"] + box["height"] / 2, -250)
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.scrollY") > before + 100, "the page scrolled"
    expect(page.locator(".chip--resident")).to_have_count(0)
    # A tap still places the chip; a sideways slide moves it.
    Taps(page).place_chip("geld", 0.3)
    shot(page, "after-swipe")
    page.wait_for_timeout(900)  # the autosave
    assert choices_of(Measurement.objects.get(pk=draft.pk))["geld"][0] == 30


def hand_back(page: Page, user: Staff, password: str = PASSWORD) -> None:
    page.fill("#id_password", password)
    page.fill("#id_code", authenticator_code(user))
    page.locator("form.stack button[type=submit]").tap()


def test_leaving_conversation_mode_needs_the_professional(
    contexts, base_url, trajectory, alice, shot
):
    draft = instrument.start_measurement(trajectory, alice)
    page = hand_over(contexts, base_url, draft, "tablet")
    conversation = reverse("instrument:conversation", args=[draft.pk])
    for elsewhere in (
        reverse("start"),
        reverse("instrument:progress", args=[trajectory.pk]),
        reverse("residents:detail", args=[trajectory.resident_id]),
        reverse("instrument:board", args=[draft.pk]),
    ):
        page.goto(base_url + elsewhere)
        assert page.url.endswith(conversation), elsewhere

    page.locator("[data-hand-back]").tap()
    page.wait_for_url("**/teruggeven/")
    expect(page.locator("nav.site-nav")).to_have_count(0)
    assert_accessible(page)
    shot(page, "hand-back")
    hand_back(page, alice, password="niet-het-wachtwoord")
    expect(page.locator("main")).to_contain_text("De tablet blijft vergrendeld")
    page.goto(base_url + reverse("start"))
    assert page.url.endswith(conversation), "a wrong password keeps it locked"

    TOTPDevice.objects.get(user=alice).throttle_reset()
    page.locator("[data-hand-back]").tap()
    hand_back(page, alice)
    page.wait_for_url(f"**{reverse('instrument:board', args=[draft.pk])}")
    expect(page.locator("nav.site-nav")).to_be_visible()  # the professional's screen again


def test_a_failed_confirmation_shows_the_first_missing_answer(
    contexts, base_url, trajectory, alice, shot
):
    draft = instrument.start_measurement(trajectory, alice)
    page = hand_over(contexts, base_url, draft, "phone")
    act = Taps(page)
    for key in ("wonen", "geld", "werk"):
        act.tap(f"label[data-card={key}]")
    act.place_chip("wonen", 0.7)
    act.place_chip("werk", 0.4)  # geld has no chip yet, and there is no grade
    act.tap("button[data-confirm]")
    geld = page.locator("[data-row=geld] [data-track]")
    expect(geld).to_be_focused()
    expect(geld).to_be_in_viewport()
    expect(page.locator("[data-bar-state]")).to_contain_text("Je concept is bewaard")
    shot(page, "missing")
    measurement = Measurement.objects.get(pk=draft.pk)
    assert measurement.is_draft
    assert choices_of(measurement) == {
        "wonen": (70, None, None, False),
        "geld": (None, None, None, False),
        "werk": (40, None, None, False),
    }


@pytest.mark.parametrize("screen", ["tablet", "phone"])
def test_the_network_drops_and_nothing_is_lost(contexts, base_url, trajectory, alice, shot, screen):
    draft = instrument.start_measurement(trajectory, alice)
    page = hand_over(contexts, base_url, draft, screen)
    act = Taps(page)
    act.tap("label[data-card=wonen]")
    expect(page.locator("[data-save-state]")).to_contain_text("Opgeslagen om")

    posts: list[str] = []
    page.on(
        "request",
        lambda r: posts.append(r.post_data or "") if r.method == "POST" else None,
    )
    page.context.set_offline(True)
    act.tap("label[data-card=geld]")
    act.place_chip("wonen", 0.8)
    act.place_chip("geld", 0.25)
    act.grade(6)
    expect(page.locator("[data-save-state]")).to_contain_text("Geen verbinding")
    expect(page.locator("[data-save-state]")).to_have_class(re.compile(r"is-offline"))
    expect(page.locator("[data-save-state]")).to_be_in_viewport()
    shot(page, "offline")
    kept = page.evaluate(f"() => localStorage.getItem('wattelt-board-{draft.pk}')")
    assert kept and "chip-resident-geld" in kept
    assert choices_of(Measurement.objects.get(pk=draft.pk)) == {"wonen": (None, None, None, False)}

    sent_before = len(posts)
    page.context.set_offline(False)
    expect(page.locator("[data-save-state]")).to_contain_text("Verbinding is terug")
    expect(page.locator("[data-save-state]")).not_to_have_class(re.compile(r"is-offline"))
    shot(page, "back-online")
    measurement = Measurement.objects.get(pk=draft.pk)
    assert choices_of(measurement) == {
        "wonen": (80, None, None, False),
        "geld": (25, None, None, False),
    }
    assert measurement.quality_of_life == 6
    saves = [p for p in posts[sent_before:] if "chip-resident-geld" in p]
    assert len(saves) == 1, "sent once"
    assert page.evaluate(f"() => localStorage.getItem('wattelt-board-{draft.pk}')") is None


def test_a_draft_kept_offline_survives_a_reload_and_logging_out_removes_it(
    contexts, base_url, trajectory, alice
):
    draft = instrument.start_measurement(trajectory, alice)
    page = hand_over(contexts, base_url, draft, "tablet")
    kept = f"() => localStorage.getItem('wattelt-board-{draft.pk}')"
    act = Taps(page)
    act.tap("label[data-card=wonen]")
    expect(page.locator("[data-save-state]")).to_contain_text("Opgeslagen om")
    page.context.set_offline(True)
    act.place_chip("wonen", 0.6)
    expect(page.locator("[data-save-state]")).to_contain_text("Geen verbinding")
    # The tab is reloaded while the save has not arrived: what was kept in the browser is
    # put back and sent (or, had the page's last beacon arrived, found there already).
    page.route("**/metingen/*/", lambda route: route.abort())
    page.context.set_offline(False)
    page.reload()
    page.unroute("**/metingen/*/")
    expect(page.locator("[data-row=wonen] .chip--resident")).to_have_attribute(
        "aria-valuenow", "60"
    )
    # The page forgets what it kept once the server has confirmed the save.
    page.wait_for_function(f"() => localStorage.getItem('wattelt-board-{draft.pk}') === null")
    expect(page.locator("[data-save-state]")).to_contain_text("Opgeslagen om")
    assert choices_of(Measurement.objects.get(pk=draft.pk))["wonen"][0] == 60
    expect(page.locator("[data-conflict]")).to_be_hidden()  # not sent twice

    page.context.set_offline(True)
    act.place_chip("wonen", 0.3)
    expect(page.locator("[data-save-state]")).to_contain_text("Geen verbinding")
    assert page.evaluate(kept) is not None
    page.route("**/metingen/*/", lambda route: route.abort())
    page.context.set_offline(False)
    # The professional ends it by logging out (no code at hand): the local draft goes too.
    page.locator("[data-hand-back]").tap()
    page.wait_for_url("**/teruggeven/")
    # Leaving the board with a change not saved sends it as a beacon (pagehide), which
    # no route holds back. The test waits for it to be stored before logging out, so what
    # is checked after the logout is the beacon's save, not a race between the two.
    deadline = time.monotonic() + 10
    while choices_of(Measurement.objects.get(pk=draft.pk))["wonen"][0] != 30:
        assert time.monotonic() < deadline, "the beacon at pagehide did not arrive"
        time.sleep(0.1)
    page.locator("[data-log-out]").tap()
    # The browser empties the site's storage (Clear-Site-Data) before it goes on.
    page.wait_for_url("**/inloggen/**", timeout=30_000)
    assert page.evaluate(kept) is None, "removed at logout"


def test_the_resident_switches_language_during_the_conversation(
    contexts, base_url, trajectory, alice, shot
):
    draft = instrument.start_measurement(trajectory, alice)
    draft = instrument.save_draft(draft, alice, board_data(draft, chosen=["wonen", "geld"]))
    page = hand_over(contexts, base_url, draft, "phone")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    Taps(page).place_chip("geld", 0.2)
    expect(page.locator("[data-save-state]")).to_contain_text("Opgeslagen om")

    page.locator(".resident-language__option[lang=ar]").tap()
    page.wait_for_url(f"**{reverse('instrument:conversation', args=[draft.pk])}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    trajectory.resident.refresh_from_db()
    assert trajectory.resident.language == "ar"
    # The chip placed in Dutch sits as far from "not going well" in Arabic, now from the
    # right: a stored position means the same in every language.
    track = page.locator("[data-row=geld] [data-track]")
    chip = track.locator(".chip--resident")
    shape, line = chip.bounding_box(), track.bounding_box()
    assert shape is not None and line is not None
    assert abs(line["x"] + line["width"] * 0.8 - (shape["x"] + shape["width"] / 2)) <= 1.5
    faces = page.locator("[data-row=geld] .face")
    bad, good = faces.nth(0).bounding_box(), faces.nth(1).bounding_box()
    assert bad is not None and good is not None and bad["x"] > good["x"], "sad face on the right"
    Taps(page).place_chip("wonen", 0.9)  # from the right: near the happy face on the left
    assert_accessible(page)
    shot(page, "arabic")
    page.wait_for_timeout(900)
    chips = choices_of(Measurement.objects.get(pk=draft.pk))
    assert (chips["geld"][0], chips["wonen"][0]) == (20, 90)
