"""The board in a real browser: a start measurement by mouse and by keyboard only, a
follow-up with ghost chips and goal reviews, a draft that survives closing the browser,
two professionals editing the same draft, and confirming while an autosave is under way."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import APIResponse, Locator, Page, Response, Route, expect

from tests.browser.conftest import assert_accessible, log_in
from tests.conftest import board_data, complete_fields, confirmed_measurement, make_staff
from wattelt.instrument import services as instrument
from wattelt.instrument.models import Goal, Measurement
from wattelt.organisations.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVED = re.compile(r"Opgeslagen om \d\d:\d\d:\d\d")


# --- helpers -------------------------------------------------------------------------


class Actions:
    """Does what a person does with mouse or touch, and counts it: every click and every
    text typed is one action."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.count = 0

    def click(self, target: str | Locator, **options: object) -> None:
        locator = self.page.locator(target) if isinstance(target, str) else target
        locator.click(**options)  # type: ignore[arg-type]
        self.count += 1

    def type(self, text: str) -> None:
        """Type into whatever has the focus."""
        self.page.keyboard.type(text)
        self.count += 1

    def fill(self, target: str, text: str) -> None:
        self.page.locator(target).fill(text)
        self.count += 1

    def place_chip(self, key: str, fraction: float) -> None:
        """Tap the line of a domain at a fraction of its width (0 left .. 1 right); the
        chip lands centred under the finger."""
        track = self.page.locator(f"[data-row={key}] [data-track]")
        box = track.bounding_box()
        assert box is not None, f"the line for {key} is not on screen"
        self.click(track, position={"x": box["width"] * fraction, "y": box["height"] / 2})
        perspective = self.page.locator("input[name=perspective]:checked").get_attribute("value")
        chip = track.locator(f".chip--{perspective}")
        value = int(chip.get_attribute("aria-valuenow") or "-1")
        assert abs(value - fraction * 100) <= 1, (key, value, fraction)
        shape, box = chip.bounding_box(), track.bounding_box()
        assert shape is not None and box is not None  # measured again: the click may scroll
        centre = (shape["x"] + shape["width"] / 2, shape["y"] + shape["height"] / 2)
        spot = (box["x"] + box["width"] * value / 100, box["y"] + box["height"] / 2)
        assert abs(centre[0] - spot[0]) <= 1 and abs(centre[1] - spot[1]) <= 1, (centre, spot)


class Keys:
    """Only the keyboard: Tab / Shift+Tab to move, Space, Enter and arrows to act."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.presses = 0

    def press(self, key: str, times: int = 1) -> None:
        for _ in range(times):
            self.page.keyboard.press(key)
            self.presses += 1

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.presses += 1

    def has_focus(self, selector: str) -> bool:
        return bool(
            self.page.evaluate(
                "s => !!document.activeElement && document.activeElement.matches(s)", selector
            )
        )

    def tab_to(self, selector: str, backwards: bool = False, limit: int = 80) -> None:
        """Press Tab (or Shift+Tab) until the focus is on the element, as a person tabs
        until the focus ring is where they want it; the focused element must be in sight,
        not hidden behind the sticky bar with the save buttons."""
        for _ in range(limit):
            if self.has_focus(selector):
                assert not self.page.evaluate(FOCUS_UNDER_STICKY_BAR), f"{selector} is obscured"
                return
            self.press("Shift+Tab" if backwards else "Tab")
        raise AssertionError(f"{selector} is not reachable with the keyboard")


FOCUS_UNDER_STICKY_BAR = """() => {
  const focused = document.activeElement, bar = document.querySelector(".board-actions");
  if (!focused || !bar || bar.contains(focused)) return false;
  const f = focused.getBoundingClientRect(), b = bar.getBoundingClientRect();
  return f.bottom > b.top + 1 && f.top < b.bottom;
}"""


def is_board_post(response: Response) -> bool:
    return response.request.method == "POST" and "/metingen/" in response.url


def chip_left(page: Page, key: str, perspective: str) -> float:
    style = page.locator(f"[data-row={key}] .chip--{perspective}").get_attribute("style") or ""
    match = re.search(r"left:\s*([\d.]+)%", style)
    assert match, style
    return float(match.group(1))


def choices_of(measurement: Measurement) -> dict[str, tuple[int | None, ...]]:
    return {
        c.domain.key: (c.resident_chip, c.professional_chip, c.carer_chip, c.prioritised)
        for c in measurement.choices.select_related("domain")
    }


def goals_of(measurement: Measurement) -> dict[str, list[str]]:
    return {
        g.own_words: sorted(d.key for d in g.domains.all())
        for g in measurement.goals.prefetch_related("domains")
    }


# --- the tests -----------------------------------------------------------------------

DOMAINS = ["wonen", "geld", "werk", "gevoel", "relaties", "contacten"]
GOAL_WORDS = {
    "geld": "Ik wil mijn schulden op een rij hebben",
    "gevoel": "Ik wil weer goed slapen",
}


def test_start_measurement_by_mouse(page, base_url, trajectory, alice, shot):
    log_in(page, base_url, "alice", reverse("instrument:progress", args=[trajectory.pk]))
    act = Actions(page)

    act.click("button[value=start]")
    page.wait_for_url("**/metingen/*/")
    for key in DOMAINS:
        act.click(f"label[data-card={key}]")
    resident = {
        "wonen": 0.05,
        "geld": 0.92,
        "werk": 0.5,
        "gevoel": 0.25,
        "relaties": 0.75,
        "contacten": 0.6,
    }
    for key, fraction in resident.items():
        act.place_chip(key, fraction)
    act.click("label.perspective--professional")
    act.place_chip("wonen", 0.5)
    act.place_chip("geld", 0.9)  # agrees with the resident: on top of the resident's chip
    act.click("label.perspective--carer")
    act.place_chip("wonen", 0.3)
    act.place_chip("geld", 0.65)
    act.click("[data-row=geld] label.priority")
    act.click("[data-row=gevoel] label.priority")
    widths = {t.bounding_box()["width"] for t in page.locator("[data-track]:visible").all()}
    assert len(widths) == 1, f"every line is equally long, whatever is ticked: {widths}"
    act.click(page.locator("label.grade").filter(has_text=re.compile(r"^\s*6\s*$")))
    for key, words in GOAL_WORDS.items():
        act.click(f"[data-add-goal={key}]")
        expect(page.locator("[data-goal] [data-own-words]").last).to_be_focused()
        act.type(words)
    shot(page, "before-confirm")
    act.click("button[data-confirm]")

    page.wait_for_url(f"**{reverse('instrument:progress', args=[trajectory.pk])}")
    expect(page.locator("ol.measurements li")).to_have_count(1)
    expect(page.locator("ol.measurements li")).to_contain_text("Startmeting")
    shot(page, "progress")
    print(f"user actions: {act.count}")
    assert act.count <= 30

    measurement = Measurement.objects.get(trajectory=trajectory)
    assert (measurement.status, measurement.kind) == ("confirmed", "start")
    assert measurement.quality_of_life == 6
    choices = choices_of(measurement)
    assert sorted(choices) == sorted(DOMAINS)
    for key, fraction in resident.items():
        assert choices[key][0] is not None
        assert abs(choices[key][0] - fraction * 100) <= 2, (key, choices[key])
    assert choices["wonen"][0] < 33 < 66 < choices["geld"][0]
    professional = {k: c[1] for k, c in choices.items() if c[1] is not None}
    carer = {k: c[2] for k, c in choices.items() if c[2] is not None}
    assert professional.keys() == carer.keys() == {"wonen", "geld"}
    assert abs(professional["wonen"] - 50) <= 2 and abs(professional["geld"] - 90) <= 2
    assert abs(carer["wonen"] - 30) <= 2 and abs(carer["geld"] - 65) <= 2
    assert {k for k, c in choices.items() if c[3]} == {"geld", "gevoel"}
    assert goals_of(measurement) == {words: [key] for key, words in GOAL_WORDS.items()}


def test_start_measurement_by_keyboard_only(page, base_url, trajectory, alice, shot):
    draft = instrument.start_measurement(trajectory, alice)
    log_in(page, base_url, "alice", reverse("instrument:board", args=[draft.pk]))
    keys = Keys(page)

    page.focus("input[name=measured_on]")  # the start of the form; from here only keys
    for key in DOMAINS:
        keys.tab_to(f"input[name=chosen][value={key}]")
        keys.press("Space")

    # The resident's chips: Enter places at the middle, arrows move by 5, Shift by 20.
    resident_keys = {
        "wonen": [("Shift+ArrowLeft", 2), ("ArrowLeft", 1)],  # 50 - 40 - 5 = 5
        "geld": [("Shift+ArrowRight", 2)],  # 90
        "werk": [],  # 50
        "gevoel": [("ArrowLeft", 3)],  # 35
        "relaties": [("ArrowRight", 1)],  # 55
        "contacten": [("Shift+ArrowRight", 1), ("ArrowLeft", 1)],  # 65
    }
    for key, moves in resident_keys.items():
        keys.tab_to(f"[data-row={key}] [data-track]")
        keys.press("Enter")
        assert keys.has_focus(f"[data-row={key}] .chip--resident")
        for move, times in moves:
            keys.press(move, times)
        if key in ("geld", "gevoel"):
            keys.tab_to(f"[data-row={key}] input[name=priority]")
            keys.press("Space")

    def other_chips(moves: dict[str, list[tuple[str, int]]]) -> None:
        keys.tab_to("input[name=perspective]", backwards=True)
        keys.press("ArrowRight")  # resident -> professional -> carer
        for key, steps in moves.items():
            keys.tab_to(f"[data-row={key}] [data-track]")
            keys.press("Enter")
            for move, times in steps:
                keys.press(move, times)

    other_chips({"wonen": [("Shift+ArrowRight", 1)], "geld": [("Shift+ArrowLeft", 2)]})  # 70, 10
    expect(page.locator("input[name=perspective][value=professional]")).to_be_checked()
    other_chips({"wonen": [("ArrowLeft", 1)], "geld": [("ArrowRight", 3)]})  # 45, 65
    expect(page.locator("input[name=perspective][value=carer]")).to_be_checked()

    keys.tab_to("input[name=quality_of_life]")
    keys.press("ArrowRight", 6)  # from 1 to 7
    expect(page.locator("input[name=quality_of_life][value='7']")).to_be_checked()

    for key, words in GOAL_WORDS.items():
        keys.tab_to(f"[data-add-goal={key}]", backwards=True)
        keys.press("Enter")
        assert keys.has_focus("[data-own-words]")
        keys.type(words)

    keys.tab_to("button[data-confirm]")
    shot(page, "before-confirm")
    keys.press("Enter")

    page.wait_for_url(f"**{reverse('instrument:progress', args=[trajectory.pk])}")
    print(f"key presses and texts typed: {keys.presses}")
    measurement = Measurement.objects.get(pk=draft.pk)
    assert (measurement.status, measurement.kind) == ("confirmed", "start")
    assert measurement.quality_of_life == 7
    assert choices_of(measurement) == {
        "wonen": (5, 70, 45, False),
        "geld": (90, 10, 65, True),
        "werk": (50, None, None, False),
        "gevoel": (35, None, None, True),
        "relaties": (55, None, None, False),
        "contacten": (65, None, None, False),
    }
    assert goals_of(measurement) == {words: [key] for key, words in GOAL_WORDS.items()}


def test_follow_up_shows_ghosts_and_reviews_goals(page, base_url, trajectory, alice, shot):
    # The start measurement: wonen at 70, geld at 20, goal "Ik wil rust over mijn geld".
    start = confirmed_measurement(trajectory, alice)
    goal = Goal.objects.get(stated_in=start)
    log_in(page, base_url, "alice", reverse("instrument:progress", args=[trajectory.pk]))

    page.click("button[value=follow_up]")
    page.wait_for_url("**/metingen/*/")
    for key in ("wonen", "geld"):  # last time's domains are chosen already
        card = page.locator(f"label[data-card={key}]")
        expect(card).to_have_class(re.compile(r"card--ghost"))
        expect(card).to_contain_text("vorige keer gekozen")
        expect(card.locator("input")).to_be_checked()
    expect(page.locator(".chip--ghost")).to_have_count(2)
    assert_accessible(page)  # "vorige keer gekozen" readable, no control inside a control
    for key, previous in (("wonen", 70), ("geld", 20)):
        expect(page.locator(f"[data-row={key}] .chip--ghost")).to_be_visible()
        assert chip_left(page, key, "ghost") == previous
    assert page.locator("[data-row=werk]").is_hidden()

    act = Actions(page)
    act.place_chip("wonen", 0.85)
    act.place_chip("geld", 0.5)
    act.click(page.locator("label.grade").filter(has_text=re.compile(r"^\s*7\s*$")))
    status = f"input[name=review-{goal.pk}-status][value=achieved]"
    act.click(page.locator("label.status-choice").filter(has=page.locator(status)))
    expect(page.locator(status)).to_be_checked()
    act.fill(f"textarea[name=review-{goal.pk}-note]", "De schulden zijn geregeld")
    shot(page, "board-with-ghosts")
    act.click("button[data-confirm]")

    page.wait_for_url(f"**{reverse('instrument:progress', args=[trajectory.pk])}")
    shot(page, "progress")
    follow_up = Measurement.objects.exclude(pk=start.pk).get(trajectory=trajectory)
    assert (follow_up.kind, follow_up.status) == ("follow_up", "confirmed")
    choices = choices_of(follow_up)
    assert sorted(choices) == ["geld", "wonen"]
    assert choices["wonen"][0] > 66 and 33 < choices["geld"][0] <= 66
    goal.refresh_from_db()
    assert goal.status == Goal.Status.ACHIEVED
    review = follow_up.reviews.get()
    assert (review.goal_id, review.status, review.note) == (
        goal.pk,
        "achieved",
        "De schulden zijn geregeld",
    )


def test_draft_survives_closing_the_browser(contexts, base_url, trajectory, alice, shot):
    draft = instrument.start_measurement(trajectory, alice)
    board_path = reverse("instrument:board", args=[draft.pk])
    page = contexts.new_page()
    log_in(page, base_url, "alice", board_path)

    page.click("label[data-card=wonen]")
    page.click("label[data-card=geld]")
    with page.expect_response(
        lambda r: is_board_post(r) and "chip-resident-geld" in (r.request.post_data or "")
    ) as saved:
        Actions(page).place_chip("geld", 0.8)
    assert saved.value.status == 200
    expect(page.locator("[data-save-state]")).to_have_text(SAVED)
    shot(page, "saved")
    placed = chip_left(page, "geld", "resident")
    page.context.close()

    page = contexts.new_page()
    log_in(page, base_url, "alice", board_path)
    assert page.url.endswith(board_path)
    for key in ("wonen", "geld"):
        expect(page.locator(f"input[name=chosen][value={key}]")).to_be_checked()
        expect(page.locator(f"[data-row={key}]")).to_be_visible()
    expect(page.locator("input[name=chosen]:checked")).to_have_count(2)
    expect(page.locator("[data-row=geld] .chip--resident")).to_be_visible()
    assert chip_left(page, "geld", "resident") == placed
    assert abs(placed - 80) <= 2
    expect(page.locator("[data-row=wonen] .chip--resident")).to_have_count(0)
    shot(page, "reopened")


def test_conflicting_editor_is_told_and_keeps_input(
    contexts, base_url, trajectory, alice, organisation, team, shot
):
    make_staff("dora", organisation, team, Membership.Role.PROFESSIONAL)
    draft = instrument.start_measurement(trajectory, alice)
    board_path = reverse("instrument:board", args=[draft.pk])
    first, second = contexts.new_page(), contexts.new_page()
    log_in(first, base_url, "alice", board_path)
    log_in(second, base_url, "dora", board_path)

    with first.expect_response(is_board_post) as saved:
        first.click("label[data-card=wonen]")
    assert saved.value.status == 200

    with second.expect_response(
        lambda r: is_board_post(r) and "chip-resident-geld" in (r.request.post_data or "")
    ) as refused:
        second.click("label[data-card=geld]")
        Actions(second).place_chip("geld", 0.3)
    assert refused.value.status == 409
    conflict = second.locator("[data-conflict]")
    expect(conflict).to_be_visible()
    expect(second.locator("[data-conflict-message]")).to_contain_text("Alice Test")
    expect(second.locator("[data-save-state]")).to_contain_text("iemand anders")
    # Dora's own input stays on her screen.
    expect(second.locator("input[name=chosen][value=geld]")).to_be_checked()
    expect(second.locator("input[name=chosen][value=wonen]")).not_to_be_checked()
    expect(second.locator("[data-row=geld] .chip--resident")).to_be_visible()
    shot(second, "conflict")

    with second.expect_response(is_board_post) as kept:
        second.click("[data-keep-mine]")
    assert kept.value.status == 200
    expect(conflict).to_be_hidden()
    expect(second.locator("[data-save-state]")).to_have_text(SAVED)

    draft.refresh_from_db()
    assert draft.updated_by.username == "dora"
    choices = choices_of(draft)
    assert list(choices) == ["geld"]
    assert abs((choices["geld"][0] or 0) - 30) <= 2


def test_confirm_while_an_autosave_is_under_way_is_no_conflict(page, base_url, trajectory, alice):
    """Confirming right after a change: the autosave of that change reached the server
    but its answer has not come back yet. The confirmation must wait for it, not post the
    old revision and be told that 'someone else' changed the measurement."""
    draft = instrument.start_measurement(trajectory, alice)
    draft = instrument.save_draft(draft, alice, board_data(draft, **complete_fields()))
    log_in(page, base_url, "alice", reverse("instrument:board", args=[draft.pk]))

    held: list[tuple[Route, APIResponse]] = []

    def hold_the_answer_to_the_autosave(route: Route) -> None:
        body = route.request.post_data or ""
        if not held and route.request.method == "POST" and 'name="action"\r\n\r\nsave' in body:
            held.append((route, route.fetch()))  # the server has saved; the answer waits
        else:
            route.continue_()

    page.route("**/metingen/*/", hold_the_answer_to_the_autosave)
    page.click("label.grade:has(input[value='8'])")
    for _ in range(100):  # the autosave starts 600 ms after the change
        if held:
            break
        page.wait_for_timeout(20)
    assert held, "the change was not autosaved"
    expect(page.locator("[data-save-state]")).to_have_text("Opslaan…")
    with page.expect_response(
        lambda r: is_board_post(r) and 'name="action"\r\n\r\nconfirm' in (r.request.post_data or "")
    ) as confirmation:
        page.click("button[data-confirm]")
        route, answer = held[0]
        route.fulfill(response=answer)
    assert confirmation.value.status == 200, confirmation.value.text()

    page.wait_for_url(f"**{reverse('instrument:progress', args=[trajectory.pk])}")
    draft.refresh_from_db()
    assert (draft.status, draft.quality_of_life) == ("confirmed", 8)


def test_a_failed_confirmation_shows_the_first_missing_answer_and_keeps_the_draft(
    page, base_url, trajectory, alice, shot
):
    draft = instrument.start_measurement(trajectory, alice)
    log_in(page, base_url, "alice", reverse("instrument:board", args=[draft.pk]))
    act = Actions(page)
    for key in ("wonen", "geld", "werk", "gevoel"):
        act.click(f"label[data-card={key}]")
    act.place_chip("wonen", 0.7)
    act.place_chip("werk", 0.4)
    act.place_chip("gevoel", 0.2)  # geld has no chip yet, and there is no grade
    act.click("button[data-confirm]")

    geld = page.locator("[data-row=geld] [data-track]")
    expect(geld).to_be_focused()
    expect(geld).to_be_in_viewport()
    expect(page.locator("[data-bar-state]")).to_contain_text("Je concept is bewaard")
    expect(page.locator("[data-errors-title]")).to_have_text(
        "Nog niet bevestigd. Je concept is bewaard."
    )
    shot(page, "missing")
    measurement = Measurement.objects.get(pk=draft.pk)
    assert measurement.is_draft
    assert choices_of(measurement) == {
        "wonen": (70, None, None, False),
        "geld": (None, None, None, False),
        "werk": (40, None, None, False),
        "gevoel": (20, None, None, False),
    }
