"""Two consecutive publishes (ADR 0012): a reader who kept the previous publish and knows
which figures did not change must not recover a small figure of either publish."""

from __future__ import annotations

import itertools
import json
import zlib

import pytest

from tests.monitoring.attacker import Key, System, intervals
from wattelt.monitoring import audit, previous
from wattelt.monitoring.audit import PROTECTION_WIDTH, AtMost
from wattelt.monitoring.suppression import (
    HIDDEN_LABEL,
    TOTAL,
    Cell,
    Group,
    SuppressedTable,
    Table,
    combine,
    grid,
    layers_add_up,
    suppress_small_cells,
)

A, B, WHOLE = ("r", "a"), ("r", "b"), ("r", TOTAL)


def row(a: int, b: int) -> Table:
    """One row: a + b = whole, each count behind as many residents."""
    return grid(
        [
            Cell(A, a, {"count": a}),
            Cell(B, b, {"count": b}),
            Cell(WHOLE, a + b, {"count": a + b}),
        ]
    )


def system_of(shown: SuppressedTable, truth: dict[Key, int], mark: str) -> System:
    """The reader's view of one publish: shown counts, hidden ones with their labels."""
    system = System()
    for key, cell in shown.cells.items():
        value = cell.values["count"]
        if isinstance(value, int):
            system.constants[(*key, mark)] = float(value)
        else:
            system.unknowns.add((*key, mark))
            system.low[(*key, mark)] = 10.0 if value == HIDDEN_LABEL else 0.0
            if value == "<10" and truth[key] < 10:
                system.high[(*key, mark)] = 9.0
    system.add({(*WHOLE, mark): -1, (*A, mark): 1, (*B, mark): 1}, True)
    return system


def range_of_first_a(first: SuppressedTable, second: SuppressedTable) -> tuple[float, float]:
    """What the reader of both publishes knows of `a` in the first (3 residents); `b`
    did not change, and the reader knows it."""
    system = system_of(first, {A: 3, B: 20, WHOLE: 23}, "1")
    later = system_of(second, {A: 12, B: 20, WHOLE: 32}, "2")
    system.constants.update(later.constants)
    system.unknowns |= later.unknowns
    system.low.update(later.low)
    system.high.update(later.high)
    system.equal += later.equal
    system.add({(*B, "1"): 1, (*B, "2"): -1}, True)
    return intervals(system, [(*A, "1")])[(*A, "1")]


def test_a_second_publish_alone_gives_the_first_away() -> None:
    first = suppress_small_cells(row(3, 20), width=PROTECTION_WIDTH)
    assert first.value(A) == "<10" and first.value(B) == HIDDEN_LABEL
    # a grew to 12: nothing small is left, so nothing is hidden...
    second = suppress_small_cells(row(12, 20), width=PROTECTION_WIDTH)
    assert all(not cell.is_suppressed for cell in second)
    # ...and b, unchanged, gives a of the first publish away: 23 - 20 = 3.
    assert range_of_first_a(first, second) == (3, 3)


def test_with_the_previous_publish_the_audit_keeps_it_hidden() -> None:
    table = row(3, 20)
    first = suppress_small_cells(table, width=PROTECTION_WIDTH)
    remembered = previous.remember(table, first.cells)
    later = previous.compare(row(12, 20), first.cells, remembered)
    assert later.keep_hidden == {B}  # hidden before, unchanged
    second = suppress_small_cells(later, width=PROTECTION_WIDTH)
    assert second.value(B) == HIDDEN_LABEL
    assert [c.key for c in second if c.is_suppressed] != [B]  # b alone would follow
    low, high = range_of_first_a(first, second)
    assert high - low >= PROTECTION_WIDTH


def test_unchanged_shown_cells_are_known_and_nothing_small_is_stored_in_clear() -> None:
    table = row(3, 20)
    first = suppress_small_cells(table, width=PROTECTION_WIDTH)
    remembered = previous.remember(table, first.cells, width=PROTECTION_WIDTH)
    records = json.loads(zlib.decompress(remembered))
    assert records.pop(previous.WIDTH) == PROTECTION_WIDTH
    # Per hidden cell: a 64-bit keyed digest and what its label said, not its count.
    assert records[repr(A)][1:] == [1, 1] and records[repr(B)][1:] == [0, 0]
    assert {len(r[0]) for r in records.values()} == {16} and set(records) == {repr(A), repr(B)}
    later = previous.compare(row(3, 20), first.cells, remembered)
    assert later.known == {WHOLE}
    assert later.keep_hidden == {A, B}
    assert later.before is not None and not later.before.hidden and not later.before.shown
    assert suppress_small_cells(later, width=PROTECTION_WIDTH).cells == first.cells


def two_rows(a: int, c: int) -> Table:
    """Two rows that share no relation: a + b = whole, c + d = whole 2."""
    C, D, WHOLE2 = ("s", "c"), ("s", "d"), ("s", TOTAL)
    return grid(
        [
            Cell(A, a, {"count": a}),
            Cell(B, 20, {"count": 20}),
            Cell(WHOLE, a + 20, {"count": a + 20}),
            Cell(C, c, {"count": c}),
            Cell(D, 30, {"count": 30}),
            Cell(WHOLE2, c + 30, {"count": c + 30}),
        ]
    )


def test_a_republish_asks_only_the_parts_that_changed() -> None:
    table = two_rows(3, 4)
    first = suppress_small_cells(table, width=PROTECTION_WIDTH)
    remembered = previous.remember(table, first.cells, width=PROTECTION_WIDTH)
    audit.STATS.clear()
    later = previous.compare(two_rows(3, 5), first.cells, remembered)
    second = suppress_small_cells(later, width=PROTECTION_WIDTH)
    # Row r is as it was: the previous audit's answer stands; row s is asked again.
    assert audit.STATS["parts"] == 1 and audit.STATS["keys settled"] >= 2
    assert {k for k in first.cells if k[0] == "r" and first[k].is_suppressed} == {
        k for k in second.cells if k[0] == "r" and second[k].is_suppressed
    }
    # A previous publish audited less strictly (here: not at all) settles nothing.
    remembered = previous.remember(table, first.cells, width=0)
    audit.STATS.clear()
    suppress_small_cells(
        previous.compare(two_rows(3, 5), first.cells, remembered), width=PROTECTION_WIDTH
    )
    assert audit.STATS["keys settled"] == 0 and audit.STATS["parts"] == 2


def quarters(*counts: tuple[int, int]) -> Table:
    """Quarters of one row (a, b = whole each) and the year as their sum; `counts` are
    (a, b) per quarter, each behind as many residents."""
    cells = []
    for q, (a, b) in enumerate(counts, start=1):
        cells += [
            Cell((q, "r", "a"), a, {"count": a}),
            Cell((q, "r", "b"), b, {"count": b}),
            Cell((q, "r", TOTAL), a + b, {"count": a + b}),
        ]
    year_a, year_b = sum(a for a, _b in counts), sum(b for _a, b in counts)
    cells += [
        Cell((0, "r", "a"), year_a, {"count": year_a}),
        Cell((0, "r", "b"), year_b, {"count": year_b}),
        Cell((0, "r", TOTAL), year_a + year_b, {"count": year_a + year_b}),
    ]
    table = grid(cells)
    periods = list(range(1, len(counts) + 1))
    return combine(table, groups=layers_add_up(table, 0, periods))


def test_a_quarter_just_begun_asks_nothing_again() -> None:
    table = quarters((3, 20))
    first = suppress_small_cells(table, width=PROTECTION_WIDTH)
    remembered = previous.remember(table, first.cells, width=PROTECTION_WIDTH)
    audit.STATS.clear()
    # The second quarter begins: its cells are 0 behind nobody, the year is unchanged.
    later = previous.compare(quarters((3, 20), (0, 0)), first.cells, remembered)
    second = suppress_small_cells(later, width=PROTECTION_WIDTH)
    assert audit.STATS["parts"] == 0 and audit.STATS["keys settled"] > 0
    assert second[(1, "r", "a")].is_suppressed and second[(0, "r", "a")].is_suppressed
    # A quarter with figures in it is asked.
    audit.STATS.clear()
    later = previous.compare(quarters((3, 20), (2, 11)), first.cells, remembered)
    suppress_small_cells(later, width=PROTECTION_WIDTH)
    assert audit.STATS["parts"] >= 1


CHAIN = ("t", "a", "b", "c", "d")
"""t + a, a + b, b + c, c + d are shown totals, and x <= f (f shown) for one x of the
chain: once t is "<10" the sums hide a, b, c and d one after the other, so t is
s1 - a = s1 - s2 + b = ... = s1 - s2 + s3 - s4 + d."""


def chain(at_most: str, value: int, f: int) -> Table:
    counts = {"t": 3, "a": 20, "b": 20, "c": 20, "d": 20, at_most: value}
    cells = [Cell((x,), n, {"count": n}) for x, n in counts.items()]
    sums = [
        Cell(("s", i), counts[x] + counts[y], {"count": counts[x] + counts[y]})
        for i, (x, y) in enumerate(itertools.pairwise(CHAIN), start=1)
    ]
    groups = tuple(
        Group(s.key, ((x,), (y,)))
        for s, (x, y) in zip(sums, itertools.pairwise(CHAIN), strict=True)
    )
    return Table(
        (*cells, *sums, Cell(("f",), f, {"count": f})),
        groups,
        orders=(AtMost((at_most,), (("f",),)),),
    )


def chain_range(shown: SuppressedTable, truth: Table) -> tuple[float, float]:
    """What a reader of one publish knows of t, from the sums, the order and the labels."""
    values = {c.key: int(c.values["count"]) for c in truth.cells}  # type: ignore[call-overload]
    system = System()
    for key, cell in shown.cells.items():
        value = cell.values["count"]
        if isinstance(value, int):
            system.constants[key] = float(value)
        else:
            system.unknowns.add(key)
            system.low[key] = 10.0 if value == HIDDEN_LABEL else 0.0
            if value == "<10" and values[key] < 10:
                system.high[key] = 9.0
    for group in truth.groups:
        system.add({group.total: -1, **dict.fromkeys(group.parts, 1)}, True)
    for order in truth.orders:
        system.add({order.small: 1, **dict.fromkeys(order.large, -1)}, False)
    return intervals(system, [("t",)])[("t",)]


@pytest.mark.parametrize("at_most", ["a", "d"])
def test_a_republish_protects_a_small_figure_near_and_far_from_the_change(at_most: str) -> None:
    """Only x and f change (x 20 -> 11, f 40 -> 12, x next to t or four relations away
    from it); x <= 12 then narrows t to 2..4. A republish that asked only the small
    figures near the change would publish t within ±1 when x is d; the audit asks every
    small figure of the part the change touched."""
    table = chain(at_most, 20, 40)
    first = suppress_small_cells(table, width=PROTECTION_WIDTH)
    assert [k for k in first.cells if first[k].is_suppressed] == [(x,) for x in CHAIN]
    low, high = chain_range(first, table)
    assert high - low >= PROTECTION_WIDTH
    remembered = previous.remember(table, first.cells, width=PROTECTION_WIDTH)
    later = chain(at_most, 11, 12)
    # The same cells hidden by the sums alone: t is narrowed to 2..4.
    assert chain_range(suppress_small_cells(later, width=0), later) == (2, 4)
    audit.STATS.clear()
    second = suppress_small_cells(
        previous.compare(later, first.cells, remembered), width=PROTECTION_WIDTH
    )
    assert audit.STATS["keys settled"] == 0 and audit.STATS["parts"] == 1
    assert second.value(("t",)) == "<10"
    low, high = chain_range(second, later)
    assert high - low >= PROTECTION_WIDTH
