"""The audit keeps a part's programme when the part grows (issue 14, ADR 0012 decision
12): a programme extended with the cells hidden since must answer exactly what one built
afresh for the grown part answers. A figure pinned by many relations is freed in a few
rounds of hiding (decision 15). Figures that break a relation are named as such, so a
publish can leave the previous publish out (`suppression._audit`). An audit goes with
its last reference (no cycle for the collector to find)."""

from __future__ import annotations

import weakref

import pytest

from wattelt.batch import collector_paused
from wattelt.monitoring import audit
from wattelt.monitoring.audit import (
    ESCALATION,
    PROTECTION_WIDTH,
    AtMost,
    Audit,
    Key,
    Relation,
    _PartModel,
    order_relation,
)
from wattelt.monitoring.audit import sum_relation as equal_sum


def test_an_extended_programme_answers_as_a_new_one() -> None:
    a, b, c, d, e, t, u, s = (("a",), ("b",), ("c",), ("d",), ("e",), ("t",), ("u",), ("s",))
    relations = [
        equal_sum(t, [a, b]),  # 20 = 5 + 15
        equal_sum(u, [b, c]),  # 18 = 15 + 3
        equal_sum(s, [c, d, d]),  # a key twice in a relation: 3 + 2 * 7 = 17
        order_relation(AtMost(e, (c, d))),  # e <= c + d: 4 <= 10
    ]
    values: dict[Key, float] = {a: 5, b: 15, c: 3, d: 7, e: 4, t: 20, u: 18, s: 17}
    system = Audit(relations, values, PROTECTION_WIDTH)
    bounds: dict[Key, tuple[float, float | None]] = {a: (0.0, 9.0), b: (10.0, None)}
    first: set[Key] = {a, b}
    keys, relation_ids = system.part_of([a], first)
    kept = system._whole(keys, relation_ids, bounds)
    pinned = kept.extremes(a)  # b = u - c = 15, so a = t - b = 5
    assert (pinned.low, pinned.high) == (5, 5)
    # c and d hidden since ("×": at least 10 says nothing here: bounds 0..), and a's
    # label withheld (no size promised any more).
    grown = first | {c, d}
    bounds = {**bounds, a: (0.0, None), c: (0.0, None), d: (0.0, None)}
    keys, relation_ids = system.part_of([a], grown)
    extended = system._whole(keys, relation_ids, bounds)
    assert extended is kept, "the earlier programme is extended, not built again"
    assert extended.rows == set(relation_ids)
    fresh = _PartModel(system, keys, relation_ids, bounds)
    assert len(extended.column) == len(fresh.column) == 4
    for key in sorted(keys):
        got, want = extended.extremes(key), fresh.extremes(key)
        assert (got.low, got.high) == (want.low, want.high), key
    # a = t - b = 2 + c, and b = u - c >= 10 ("×") gives c <= 8: a in 2..10.
    assert (extended.extremes(a).low, extended.extremes(a).high) == (2, 10)


@pytest.mark.parametrize(("escalation", "rounds"), [(1, 6), (ESCALATION, 3)])
def test_a_figure_pinned_by_many_relations_is_freed_in_few_rounds(
    monkeypatch: pytest.MonkeyPatch, escalation: int, rounds: int
) -> None:
    """A small figure that six sums pin on their own (x = t_i - y_i, each with both
    shown) needs one hidden cell in each of them. One cell per round takes six rounds;
    twice as many each time it is still narrow take three, and hide no more cells than
    the six it needs (the cheaper part of each sum, not its total)."""
    monkeypatch.setattr(audit, "ESCALATION", escalation)
    x: Key = ("x",)
    sums: list[tuple[Key, Key]] = [(("t", i), ("y", i)) for i in range(6)]
    relations = [equal_sum(t, [x, y]) for t, y in sums]
    candidates: dict[Key, int] = {**{t: 23 for t, _y in sums}, **{y: 20 for _t, y in sums}}
    system = Audit(relations, {x: 3, **candidates}, PROTECTION_WIDTH)
    hidden: set[Key] = {x}
    audit.STATS.clear()
    widened = audit.widen(
        system,
        hidden,
        targets={x},
        candidates=candidates,
        bounds={x: (0.0, 9.0)},  # "<10"
        hide_bounds=dict.fromkeys(candidates, (10.0, None)),  # "×"
    )
    assert sorted(widened.added) == sorted(y for _t, y in sums)
    assert audit.STATS["rounds"] == rounds
    assert audit.STATS["stuck"] == 0
    keys, relation_ids = system.part_of([x], hidden)
    final = _PartModel(
        system, keys, relation_ids, {x: (0.0, 9.0), **dict.fromkeys(widened.added, (10.0, None))}
    )
    assert final.extremes(x).width >= PROTECTION_WIDTH


def test_an_audit_is_freed_without_the_cycle_collector() -> None:
    """A publish pauses the cycle collector while it builds (`wattelt.batch`): an audit
    and the part programmes it keeps must go when the last reference does (at 1M a
    municipality's audit holds ~2 million objects; in a cycle they stayed until a
    full collection)."""
    a, b, t = ("a",), ("b",), ("t",)
    system = Audit([equal_sum(t, [a, b])], {a: 5, b: 15, t: 20}, PROTECTION_WIDTH)
    keys, relation_ids = system.part_of([a], {a, b})
    system._whole(keys, relation_ids, {a: (0.0, 9.0)}).extremes(a)
    assert system.wholes, "the audit keeps the part's programme"
    gone = weakref.ref(system)
    with collector_paused():
        del system
        assert gone() is None


def test_a_relation_whose_keys_and_coefficients_differ_in_number_is_refused() -> None:
    """Keys and coefficients sit side by side: one too many would shift every later
    relation's coefficients, so the audit refuses it instead."""
    a, b, t = ("a",), ("b",), ("t",)
    broken = Relation((t, a, b), (-1, 1, 1, 1), True)
    with pytest.raises(ValueError, match="coefficients"):
        Audit([broken, equal_sum(t, [a, b])], {a: 5, b: 15, t: 20}, PROTECTION_WIDTH)
    # One short and one long: the same number of coefficients in all, still refused.
    short, long = Relation((t, a, b), (-1, 1), True), Relation((t, a, b), (-1, 1, 1, 1), True)
    with pytest.raises(ValueError, match="coefficients"):
        Audit([short, long], {a: 5, b: 15, t: 20}, PROTECTION_WIDTH)


def test_figures_that_break_a_relation_are_named_not_solved() -> None:
    # a + b = 5, but "<10" says a <= 9 and "×" says b >= 10: no solution. A programme
    # whose later answers come from the last basis (decision 16) must still say so.
    a, b, whole = ("a",), ("b",), ("whole",)
    system = Audit([equal_sum(whole, [a, b])], {whole: 5, a: 3, b: 12}, PROTECTION_WIDTH)
    bounds: dict[Key, tuple[float, float | None]] = {a: (0.0, 9.0), b: (10.0, None)}
    with pytest.raises(ValueError, match="do not hold"):
        system.narrow({a, b}, [0], [a], bounds)
    # The same part with b's label saying nothing (0..) has a solution and a range.
    found = system.narrow({a, b}, [0], [a], {a: (0.0, 9.0), b: (0.0, None)})
    assert found == {}  # a in 0..5: wide
