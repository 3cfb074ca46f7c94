"""Issue 14 in tiny areas (the demo): nearly every cell is small, so the audit hides
nearly everything, and a narrow figure must never be left as it is.

The demo's seed logged 727 "nothing left to hide" warnings: within a round, the cells
hidden for earlier narrow figures had already hidden every shown cell of a later one's
part, and that later figure was judged on its range from before the round, given up and
never asked again. The audit now asks every narrow figure again after each round; a
figure still narrow when its whole part is hidden is narrowed by the labels alone, and
its part is withheld (every cell "×", promising no size)."""

from __future__ import annotations

import logging

import pytest
from bench import generate
from django.utils import timezone

from tests.monitoring.test_attacker import narrowed, some_families
from wattelt.monitoring import audit, summary
from wattelt.monitoring.audit import (
    PROTECTION_WIDTH,
    Audit,
    Key,
    Relation,
    sum_relation,
    widen,
)
from wattelt.monitoring.cube import Scope, cube_of, linked_table
from wattelt.organisations.models import Organisation


@pytest.fixture
def tiny_data(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(generate, "DISTRICT_COUNT", 2)
    generate.generate_rows(60, seed=14, verbose=False, migrate=False)
    summary.rebuild()


def test_no_small_figure_is_given_up_in_tiny_areas(
    tiny_data: None, caplog: pytest.LogCaptureFixture
) -> None:
    scope = Scope(organisation_id=Organisation.objects.order_by("pk").first().pk)  # type: ignore[union-attr]
    today = timezone.localdate()
    linked = some_families(linked_table(scope, today.year, today), domains=1)
    audit.STATS.clear()
    with caplog.at_level(logging.INFO, logger="wattelt.monitoring.audit"):
        cube = cube_of(linked, width=PROTECTION_WIDTH)
    # Every narrow figure was asked again until it was wide: none given up.
    assert not [r for r in caplog.records if "stays within" in r.getMessage()]
    assert audit.STATS["stuck"] == 0
    assert audit.STATS["rounds"] > 0  # the audit did have narrow figures to widen
    # And the attacker, apart from the audit, narrows none of them.
    assert narrowed(linked, cube) == {}


def test_a_figure_whose_last_shown_neighbour_went_in_the_same_round_is_asked_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The demo's case in three cells: a = c and b = c (c shown, 10), so both small
    figures are pinned. Hiding c for a (the first in the round) leaves nothing shown
    around b; b's range from before the round said narrow, so it used to be given up
    with a warning. Asked again, it is wide (c is now "×": 10 or more)."""
    a, b, c = ("a",), ("b",), ("c",)
    relations = [
        Relation((a, c), (1, -1), equal=True),
        Relation((b, c), (1, -1), equal=True),
    ]
    system = Audit(relations, {a: 10, b: 10, c: 10}, PROTECTION_WIDTH)
    audit.STATS.clear()
    with caplog.at_level(logging.INFO, logger="wattelt.monitoring.audit"):
        result = widen(
            system,
            {a, b},
            {a, b},
            {c: 10},
            {a: (0.0, None), b: (0.0, None)},
            {c: (10.0, None)},
            published=frozenset({a, b, c}),
        )
    assert result.added == [c]
    assert result.withheld == set()
    assert audit.STATS["stuck"] == 0
    assert not caplog.records


def test_a_part_the_labels_alone_narrow_is_withheld() -> None:
    """a + b = t, all hidden: "×" says t >= 10 and "<10" says b <= 9 ... but here the
    reader's bounds on b (at most 1, as a chain of relations could give) leave a only
    9..9: nothing is left to hide, so the whole part's labels promise no size."""
    a, b, t = ("a",), ("b",), ("t",)
    system = Audit([sum_relation(t, [a, b])], {a: 9, b: 1, t: 10}, PROTECTION_WIDTH)
    audit.STATS.clear()
    bounds: dict[Key, tuple[float, float | None]] = {a: (0.0, 9.0), b: (0.0, 1.0), t: (10.0, None)}
    result = widen(system, {a, b, t}, {a}, {}, bounds, {}, published=frozenset({a, b, t}))
    assert result.added == []
    assert result.withheld == {a, b, t}
    assert audit.STATS["stuck"] >= 1
