"""Small-cell suppression: the one gate every aggregate passes before anyone sees it.

Dashboards, exports and reports describe what they are about to show as a `Table`:
cells (each with the distinct residents behind it and the values to show) and groups
(parts that add up to a total: a row, a column, the margins, or a period that is the sum
of its quarters). `suppress_small_cells` returns what may be shown.

    table = grid([
        Cell(("Noord", "achieved"), residents=12, values={"count": 12}),
        Cell(("Noord", TOTAL), residents=40, values={"count": 41}),
        ...
    ])
    shown = suppress_small_cells(table)
    shown[("Noord", "achieved")].values["count"]   # 12, or "<10"
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Protocol

from .audit import (
    BEFORE,
    STATS,
    TARGET,
    UNPUBLISHED,
    AtMost,
    Audit,
    Before,
    Relation,
    Widened,
    order_relation,
    sum_relation,
    widen,
)

THRESHOLD = 10
"""Cells based on fewer distinct residents than this are not shown (domain.md)."""
TOTAL = "total"
"""The row or column label of the margins in a `grid`."""
PRIMARY = "primary"
SECONDARY = "secondary"
HIDDEN_LABEL = "×"
"""How a secondary suppression is shown: hidden to protect other cells, not itself small."""

Key = tuple[Hashable, ...]


class Counted(Protocol):
    """Anything with a count and the residents behind it, such as `indicators.Figure`."""

    @property
    def count(self) -> int: ...
    @property
    def residents(self) -> int: ...


@dataclass(frozen=True)
class Cell:
    """One figure to show: its place in the table (`key`, e.g. (district, status) or
    (period, district, status)), the distinct residents it is based on, and its values
    (a count, a mean, a share...), all of which are hidden together.

    `published=False` marks a cell that is not shown but can be derived from cells that
    are, e.g. the second quarter when the first quarter and the half year are shown: it
    takes part in the equations and is protected like any other cell."""

    key: Key
    residents: int
    values: Mapping[str, object] = field(default_factory=dict)
    published: bool = True

    @classmethod
    def of(cls, key: Key, figure: Counted, published: bool = True, **values: object) -> Cell:
        return cls(key, figure.residents, {"count": figure.count, **values}, published)


@dataclass(frozen=True)
class Group:
    """Cells whose values add up to the value of the total cell."""

    total: Key
    parts: tuple[Key, ...]

    @property
    def members(self) -> tuple[Key, ...]:
        return (self.total, *self.parts)


@dataclass(frozen=True)
class Table:
    """Cells and the sums that relate them; `measure` names the value the groups add up.

    For the interval audit (`audit.py`, on when `suppress_small_cells` gets a width):
    `orders` are inequalities the reader knows by definition; `unknowns` are figures that
    exist but are never shown (a team's residents in one district) and `unknown_groups`
    the sums they take part in; `keep_hidden` are cells to hide again (hidden in the
    previous publish, unchanged since); `known` are cells whose value the reader already
    has (shown in the previous publish, unchanged since)."""

    cells: tuple[Cell, ...]
    groups: tuple[Group, ...] = ()
    measure: str = "count"
    orders: tuple[AtMost, ...] = ()
    unknowns: tuple[Key, ...] = ()
    unknown_groups: tuple[Group, ...] = ()
    keep_hidden: frozenset[Key] = frozenset()
    known: frozenset[Key] = frozenset()
    loose: frozenset[Group] = frozenset()
    """Groups that hold only as "total <= sum of parts" (a goal counts once with its last
    status, in all ages and in the age group of each review): the audit uses them so."""
    before: Before | None = None
    """The previous publish of these figures, for a reader who kept it (`previous.py`):
    the audit writes every relation over it too."""


def grid(cells: Iterable[Cell], total: Hashable = TOTAL) -> Table:
    """A table of rows and columns with margins: the last two parts of each key are
    (row, column), anything before them a layer (a period, an age group). The cells of
    row `total` and column `total` are the margins; every row and column, the margins
    included, becomes a group wherever its total cell is given."""
    cells = tuple(cells)
    keys = {c.key for c in cells}
    rows: dict[Key, list[Key]] = {}
    columns: dict[Key, list[Key]] = {}
    for key in keys:
        layer, row, column = key[:-2], key[-2], key[-1]
        if column != total:
            rows.setdefault((*layer, row, total), []).append(key)
        if row != total:
            columns.setdefault((*layer, total, column), []).append(key)
    groups = [
        Group(sum_key, tuple(sorted(parts, key=repr)))
        for sums in (rows, columns)
        for sum_key, parts in sorted(sums.items(), key=lambda item: repr(item[0]))
        if sum_key in keys
    ]
    return Table(cells, tuple(groups))


def combine(*tables: Table, groups: Iterable[Group] = ()) -> Table:
    """Several tables shown together (or to the same reader), with the sums between them."""
    return Table(
        tuple(c for t in tables for c in t.cells),
        tuple(g for t in tables for g in t.groups) + tuple(groups),
        tables[0].measure if tables else "count",
    )


def layers_add_up(table: Table, total: Hashable, parts: Sequence[Hashable]) -> tuple[Group, ...]:
    """Groups saying that layer `total` is the cell-wise sum of the layers `parts`: a
    half year and its quarters, all ages and adults plus young people."""
    keys = {c.key for c in table.cells}
    return tuple(
        Group(key, tuple((part, *key[1:]) for part in parts))
        for key in sorted(keys, key=repr)
        if key[0] == total
    )


@dataclass(frozen=True)
class ShownCell:
    """A cell as it may be shown: its values, or the suppression label for each."""

    key: Key
    residents: int | str
    values: Mapping[str, object]
    suppressed: str = ""  # "", PRIMARY or SECONDARY

    @property
    def is_suppressed(self) -> bool:
        return bool(self.suppressed)


@dataclass(frozen=True)
class SuppressedTable:
    """The published cells, in the order given, after suppression."""

    cells: Mapping[Key, ShownCell]
    label: str

    def __getitem__(self, key: Key) -> ShownCell:
        return self.cells[key]

    def __iter__(self) -> Iterator[ShownCell]:
        return iter(self.cells.values())

    def value(self, key: Key, name: str = "count") -> object:
        return self.cells[key].values.get(name)


def suppress_small_cells(
    table: Table, threshold: int = THRESHOLD, width: int = 0
) -> SuppressedTable:
    """Hide every cell based on fewer than `threshold` distinct residents, and enough
    other cells that no hidden cell can be worked out from what is shown.

    1. Primary: a cell with fewer than `threshold` residents is *sensitive*. A published
       sensitive cell is suppressed: all its values and its resident count show as
       "<10". Unpublished cells are never shown; a sensitive one must not be derivable.
    2. Secondary, per group: each group is an equation total = sum of parts, and the
       reader knows every shown value. Whenever a group's members (parts and total)
       contain exactly one hidden cell that is protected (sensitive or suppressed), the
       reader could get it by subtraction, so the group's shown cell with the fewest
       residents (the next smallest) is suppressed too. The same holds when the total is
       shown and the hidden parts add up to zero: counts are never negative, so each of
       them would be known to be 0. This repeats until no group changes, so margins, rows,
       columns and linked layers (periods, age groups) protect each other.
    3. Secondary, across groups: differences can also be combined over several groups
       (row minus column minus ...). With the hidden cells as unknowns, a protected cell
       can be recovered exactly when its unit vector lies in the row space of the
       groups' equations (Gaussian elimination modulo a large prime, see `PRIME`). While
       one can, the smallest shown cell of a group containing it is suppressed and step 2
       repeats.

    4. With `width` > 0, the interval audit (`audit.py`): every relation the reader knows
       (the groups, `table.orders`, the never-shown `table.unknowns`, non-negative counts,
       what "<10" and "×" say) as a linear programme; while a sensitive hidden cell
       (1 to threshold-1 residents) can be narrowed to fewer than `width` + 1 values, the
       shown cell with the fewest residents in a relation with it is hidden too.

    Suppression only grows and every round hides another cell, so it ends. Ties go to the
    cell listed first, so the result is deterministic. What it does not cover: bounds
    (the reader knows a suppressed count is non-negative; "<10" bounds the residents, not
    the count) can narrow a hidden value to a range without pinning it; and tables shown
    to the same reader must be passed together (`combine`, `layers_add_up`) for their
    differences to be protected.
    """
    cells = {c.key: c for c in table.cells}
    if len(cells) != len(table.cells):
        raise ValueError("Two cells have the same key.")
    # Cells as numbers (their place in the table, which is also the tie-break order).
    number = {key: n for n, key in enumerate(cells)}
    groups: list[tuple[int, ...]] = []
    for group in table.groups:
        missing = [k for k in group.members if k not in number]
        if missing or not group.parts:
            raise ValueError(f"Group with unknown or no parts: {missing or group.total}")
        groups.append(tuple(number[k] for k in group.members))
    keys = list(cells)
    facts = _Facts(
        residents=[c.residents for c in table.cells],
        published=[c.published for c in table.cells],
        zero=[c.values.get(table.measure, None) == 0 for c in table.cells],
        threshold=threshold,
    )
    suppressed: dict[int, str] = {}
    again = {number[k] for k in table.keep_hidden if k in number}
    as_before = _as_before(table, cells, threshold)
    # Cells that share no group cannot give each other away: protect each connected part
    # of the table on its own (the same result, much faster for a large linked table).
    began = time.perf_counter()
    components = list(_components(len(keys), groups))
    for part_cells, part_groups in components:
        labels = [as_before.get(keys[n]) for n in part_cells]
        if all(label is not None for label in labels):
            # As in the previous publish, whose hidden cells were closed under steps 2-3:
            # started from them, the steps would hide nothing more.
            suppressed.update(
                {n: label for n, label in zip(part_cells, labels, strict=True) if label}
            )
            continue
        protection = _Protection(facts, part_cells, part_groups, again)
        protection.run()
        suppressed.update(protection.suppressed)
    STATS["sums s"] += time.perf_counter() - began
    if width:
        began = time.perf_counter()
        added, withheld = _audit(table, cells, {keys[n]: r for n, r in suppressed.items()}, width)
        STATS["audit s"] += time.perf_counter() - began
        began = time.perf_counter()
        for key in added:
            suppressed[number[key]] = SECONDARY
        for key in withheld:
            # A part the labels alone would narrow: every cell "×", none promising a size.
            suppressed[number[key]] = SECONDARY
        # Steps 2-3 once more where the audit hid cells, so that no "×" follows from the
        # sums either and the next publish starts from a closed pattern. Hiding more
        # never narrows a range: no new audit needed.
        touched = {number[key] for key in added}
        for part_cells, part_groups in components:
            if touched.isdisjoint(part_cells):
                continue
            protection = _Protection(facts, part_cells, part_groups, set(suppressed))
            protection.run()
            suppressed.update(protection.suppressed)
        STATS["closing s"] += time.perf_counter() - began
    label = f"<{threshold}"
    shown = {}
    for n, (key, cell) in enumerate(cells.items()):
        if not cell.published:
            continue
        reason = suppressed.get(n, "")
        shown_as = HIDDEN_LABEL if reason == SECONDARY else label
        shown[key] = ShownCell(
            key=key,
            residents=shown_as if reason else cell.residents,
            values={name: shown_as for name in cell.values} if reason else dict(cell.values),
            suppressed=reason,
        )
    return SuppressedTable(shown, label)


def _audit(
    table: Table, cells: Mapping[Key, Cell], suppressed: Mapping[Key, str], width: int
) -> Widened:
    """Step 4: the cells the interval audit hides on top of steps 1-3, and the hidden
    cells it withholds (labelled "×" whatever their size, see `audit.widen`)."""
    threshold = THRESHOLD
    measure = table.measure
    values = {k: _number(c.values.get(measure)) for k, c in cells.items()}
    relations: list[Relation] = [
        order_relation(AtMost(g.total, g.parts))
        if g in table.loose
        else sum_relation(g.total, g.parts)
        for g in (*table.groups, *table.unknown_groups)
    ]
    relations += [order_relation(o) for o in table.orders]
    known = table.known
    hidden = {k for k, c in cells.items() if (k in suppressed or not c.published)} - known
    hidden |= set(table.unknowns)
    bounds: dict[Key, tuple[float, float | None]] = {}
    targets: set[Key] = set()
    for key in hidden:
        cell = cells.get(key)
        if cell is None:
            continue
        value = values[key]
        if suppressed.get(key) == PRIMARY:
            # "<10": at most 9 residents; a count of them (never fewer than its residents).
            bounds[key] = (0.0, float(threshold - 1) if value < threshold else None)
            if 0 < cell.residents < threshold:
                targets.add(key)
        elif suppressed.get(key) == SECONDARY:
            bounds[key] = _secondary_bounds(value, threshold)
    candidates = {
        k: c.residents
        for k, c in cells.items()
        if c.published and k not in hidden and k not in known
    }
    hide_bounds = {k: _secondary_bounds(values[k], threshold) for k in candidates}
    published = frozenset(k for k, c in cells.items() if c.published)
    if table.before is not None:
        steady = _steady(table.before, cells, suppressed, width)
        if steady:
            steady |= _as_good(table.before, table.known, cells, values)
        both = (set(hidden), dict(values), dict(bounds), set(targets))
        copies = _over_before(table.before, relations, *both)
        try:
            return widen(
                Audit(relations + copies, both[1], width),
                both[0],
                both[3],
                candidates,
                both[2],
                hide_bounds,
                steady=steady,
                published=published,
            )
        except ValueError:
            # The previous publish breaks a definition these figures keep (a data
            # error since corrected): audit today's figures alone.
            pass
    audit = Audit(relations, values, width)
    return widen(audit, hidden, targets, candidates, bounds, hide_bounds, published=published)


def _as_before(table: Table, cells: Mapping[Key, Cell], threshold: int) -> dict[Key, str]:
    """The cells whose label in the previous publish still fits them ("" shown,
    PRIMARY, SECONDARY; unpublished ones ""): the same count, still under `threshold`
    residents exactly when labelled "<10", a "×" hidden again (`keep_hidden`). Only
    for a previous publish whose pattern was closed under steps 2-3 (one that recorded
    its audit width)."""
    before = table.before
    if before is None or not before.closed:
        return {}
    found: dict[Key, str] = {}
    for key in before.same:
        cell = cells.get(key)
        label = before.labels.get(key)
        if cell is None or label is None:
            continue
        small = 0 < cell.residents < threshold
        if label.endswith(TARGET) != small:
            continue
        label = label.removesuffix(TARGET)
        sensitive = cell.residents < threshold
        if not cell.published:
            if label == UNPUBLISHED:
                found[key] = ""
        elif label == PRIMARY and sensitive:
            found[key] = PRIMARY
        elif label == SECONDARY and not sensitive and key in table.keep_hidden:
            found[key] = SECONDARY
        elif label == "" and not sensitive:
            found[key] = ""
    return found


def _steady(
    before: Before,
    cells: Mapping[Key, Cell],
    suppressed: Mapping[Key, str],
    width: int,
) -> frozenset[Key]:
    """The cells that are as they were in the previous publish: the same count, shown or
    hidden with the same label, behind 1-9 residents in both or in neither; none if the previous
    publish was audited less strictly. A part of the reader's system made of these
    alone (and never-shown unknowns) is the system the previous publish's audit proved
    wide, minus what it knew of the publish before it: wide still (`audit.widen`)."""
    if before.width < width:
        return frozenset()
    steady = set()
    for key in before.same:
        cell = cells.get(key)
        if cell is None:
            continue
        label = suppressed.get(key, "") if cell.published else UNPUBLISHED
        small = 0 < cell.residents < THRESHOLD  # as `previous.remember` records it
        if before.labels.get(key) == label + (TARGET if small else ""):
            steady.add(key)
    return frozenset(steady)


def _as_good(
    before: Before, known: frozenset[Key], cells: Mapping[Key, Cell], values: Mapping[Key, float]
) -> frozenset[Key]:
    """Cells that count as steady for the audit although their label changed: a `known`
    one (a constant to the audit in both publishes, shown or not), and a new one that
    is 0 and behind nobody (a quarter just begun): with every such cell at 0 the
    relations are the previous publish's (minus an order the new quarter replaced), so
    each range the previous audit proved wide is still at least as wide."""
    zeros = {k for k in before.new if values.get(k) == 0 and cells[k].residents == 0}
    return frozenset(known | zeros)


def _over_before(
    before: Before,
    relations: list[Relation],
    hidden: set[Key],
    values: dict[Key, float],
    bounds: dict[Key, tuple[float, float | None]],
    targets: set[Key],
) -> list[Relation]:
    """Every relation once more, over the previous publish: a cell unchanged since is
    the same key (one value in both), a changed one the value shown then or an unknown
    bounded by its label then, a never-shown unknown (a team in a district) a new
    unknown. Relations over cells the previous publish lacked are left out. `hidden`,
    `values`, `bounds` and `targets` grow in place."""
    unknowns = hidden - set(values)  # never shown: (district, team) figures
    same = before.same
    # A key as the previous publish had it: unchanged the same key, changed a copy; no
    # entry where the previous publish lacks the cell.
    then: dict[Key, Key] = {k: k for k in same}
    for changed in (before.shown, before.hidden, unknowns):
        then.update((k, (BEFORE, k)) for k in changed if k not in same)
    copies: list[Relation] = []
    for relation in relations:
        if same.issuperset(relation.keys):
            continue  # nothing in it changed
        keys = tuple(map(then.get, relation.keys))
        if None in keys:
            continue  # the previous publish lacks a cell
        copies.append(Relation(keys, relation.coefficients, relation.equal))  # type: ignore[arg-type]
    for key, value in before.shown.items():
        values[(BEFORE, key)] = value
    for key, limits in before.hidden.items():
        hidden.add((BEFORE, key))
        bounds[(BEFORE, key)] = limits
    hidden |= {(BEFORE, k) for k in unknowns}
    targets |= {(BEFORE, k) for k in before.targets}
    return copies


def _secondary_bounds(value: float, threshold: int) -> tuple[float, float | None]:
    """ "×": hidden to protect others, so based on `threshold` residents or more; a count
    is never below its residents."""
    return (float(threshold), None) if value >= threshold else (0.0, None)


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def _components(
    count: int, groups: list[tuple[int, ...]]
) -> Iterator[tuple[list[int], list[tuple[int, ...]]]]:
    """The table split into parts linked by groups (union-find), cells in table order."""
    parent = list(range(count))

    def root(n: int) -> int:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for group in groups:
        first = root(group[0])
        for member in group[1:]:
            other = root(member)
            if other != first:
                parent[other] = first
    part_cells: dict[int, list[int]] = {}
    for n in range(count):
        part_cells.setdefault(root(n), []).append(n)
    part_groups: dict[int, list[tuple[int, ...]]] = {}
    for group in groups:
        part_groups.setdefault(root(group[0]), []).append(group)
    for top, members in part_cells.items():
        yield members, part_groups.get(top, [])


@dataclass(frozen=True)
class _Facts:
    """What suppression needs of each cell, by cell number."""

    residents: list[int]
    published: list[bool]
    zero: list[bool]  # the summed value (the table's measure) is 0
    threshold: int


class _Protection:
    """The state of one suppression run over one connected part: which cells are
    hidden, and why. Cells are numbers; a lower number is listed earlier."""

    def __init__(
        self,
        facts: _Facts,
        cells: list[int],
        groups: list[tuple[int, ...]],
        again: set[int] | None = None,
    ) -> None:
        self.facts = facts
        self.cells = cells
        self.groups = groups
        residents, published = facts.residents, facts.published
        self.sensitive = {n for n in cells if residents[n] < facts.threshold}
        self.suppressed = {n: SECONDARY for n in cells if again and n in again and published[n]}
        self.suppressed.update({n: PRIMARY for n in self.sensitive if published[n]})
        self.hidden_keys = set(self.suppressed) | {n for n in cells if not published[n]}
        self.member_of: dict[int, list[int]] = {}
        for g, group in enumerate(groups):
            for n in group:
                self.member_of.setdefault(n, []).append(g)
        self.dirty = list(range(len(groups)))  # a heap of groups to look at again
        self.given_up: set[int] = set()

    def protected(self, n: int) -> bool:
        return n in self.sensitive or n in self.suppressed

    def suppress_smallest(self, members: Iterable[int]) -> bool:
        candidates = [n for n in members if n not in self.hidden_keys]
        if not candidates:
            return False
        residents = self.facts.residents
        smallest = min(candidates, key=lambda n: (residents[n], n))
        self.suppressed[smallest] = SECONDARY
        self.hidden_keys.add(smallest)
        for g in self.member_of.get(smallest, ()):
            heapq.heappush(self.dirty, g)
        return True

    def run(self) -> None:
        while True:
            self.close_groups()
            if not self.sensitive and not self.suppressed:
                return  # nothing to protect in this part of the table
            exposed = [n for n in self.recoverable() if self.protected(n)]
            exposed = [n for n in exposed if n not in self.given_up]
            if not exposed:
                return
            first = min(exposed)
            neighbours = [n for g in self.member_of.get(first, ()) for n in self.groups[g]]
            if not self.suppress_smallest(neighbours):
                # Fixed by the structure of the groups alone; nothing shown gives it away.
                self.given_up.add(first)

    def close_groups(self) -> None:
        """Step 2: no group with a lone protected unknown, or only zeros hidden. Groups
        are looked at again (lowest first) whenever one of their cells is suppressed."""
        hidden = self.hidden_keys
        while self.dirty:
            g = heapq.heappop(self.dirty)
            while self.dirty and self.dirty[0] == g:
                heapq.heappop(self.dirty)
            group = self.groups[g]
            unknown = [n for n in group if n in hidden]
            if not unknown:
                continue
            lone = len(unknown) == 1 and self.protected(unknown[0])
            # With the total shown, hidden parts adding up to 0 are each known to be 0.
            zeros = group[0] not in hidden and self.all_zero(unknown)
            if lone or zeros:
                self.suppress_smallest(group)

    def all_zero(self, members: list[int]) -> bool:
        if not any(self.protected(n) for n in members):
            return False
        return all(self.facts.zero[n] for n in members)

    def recoverable(self) -> set[int]:
        """Step 3: hidden cells whose value follows from the shown ones and the groups."""
        hidden = self.hidden_keys
        equations = []
        for total, *parts in self.groups:
            row: dict[int, int] = {}
            if total in hidden:
                row[total] = -1
            for n in parts:
                if n in hidden:
                    row[n] = row.get(n, 0) + 1
            if row:
                equations.append({n: v for n, v in row.items() if v})
        return _determined_unknowns(equations)


PRIME = 2**61 - 1
"""Step 3 eliminates modulo this prime instead of over fractions: the same answer
unless a determinant of the group equations is a multiple of it, which the small
integer coefficients of sums of counts (0, +1, -1) make practically impossible; and
integers are many times faster than `Fraction`. `exactly_determined` is the slow
reference used by the tests."""


def _determined_unknowns(equations: list[dict[int, int]], prime: int = PRIME) -> set[int]:
    """The unknowns fixed by these linear equations (sparse rows): those whose unit
    vector is a row of the reduced row echelon form (Gauss-Jordan modulo `prime`).

    Equations are peeled first: an unknown that occurs in one equation only is a fresh
    column for it, so the rest of the system is eliminated without it (less work and
    less fill-in), and the peeled equations are added back last, each with its own
    unknown as the pivot; that unknown is fixed when nothing else is left in its row."""
    core, peeled = _peel(equations)
    reduced: dict[int, dict[int, int]] = {}  # pivot column -> row, pivot coefficient 1
    holders: dict[int, set[int]] = {}  # column -> pivots whose row has it
    for equation in sorted(core, key=len):
        row = _reduce(equation, reduced, prime)
        if not row:
            continue
        # The column in the fewest reduced rows keeps the rows sparse (less fill-in).
        pivot = min(row, key=lambda c: (len(holders.get(c, ())), c))
        inverse = _inverse(row[pivot], prime)
        row = {c: v * inverse % prime for c, v in row.items()}
        for other in list(holders.get(pivot, ())):
            other_row = reduced[other]
            factor = other_row.get(pivot)
            if factor:
                before = set(other_row)
                _subtract(other_row, row, factor, prime)
                for c in before - set(other_row):
                    holders[c].discard(other)
                for c in set(other_row) - before:
                    holders.setdefault(c, set()).add(other)
        reduced[pivot] = row
        for c in row:
            holders.setdefault(c, set()).add(pivot)
    for fresh, equation in reversed(peeled):
        # No row so far has `fresh`: it becomes the pivot and no other row changes.
        row = _reduce(equation, reduced, prime)
        inverse = _inverse(row[fresh], prime)
        reduced[fresh] = {c: v * inverse % prime for c, v in row.items()}
    return {pivot for pivot, row in reduced.items() if len(row) == 1}


def _inverse(value: int, prime: int) -> int:
    """1/value modulo prime; sums of counts mostly have coefficients +1 and -1."""
    if value == 1 or value == prime - 1:
        return value
    return pow(value, prime - 2, prime)


def _reduce(
    equation: dict[int, int], reduced: dict[int, dict[int, int]], prime: int
) -> dict[int, int]:
    """The equation with every pivot column of the (reduced echelon) rows eliminated."""
    row = {c: v % prime for c, v in equation.items() if v % prime}
    for column in [c for c in row if c in reduced]:
        factor = row.get(column)
        if factor:
            _subtract(row, reduced[column], factor, prime)
    return row


def _peel(
    equations: list[dict[int, int]],
) -> tuple[list[dict[int, int]], list[tuple[int, dict[int, int]]]]:
    """Split off, again and again, an equation with an unknown that occurs in no other
    remaining equation; returns the rest (the core) and the peeled equations, in the
    order they were split off, each with its fresh unknown."""
    occurs: dict[int, set[int]] = {}
    live = {n: e for n, e in enumerate(equations) if e}
    for n, equation in live.items():
        for column in equation:
            occurs.setdefault(column, set()).add(n)
    peeled: list[tuple[int, dict[int, int]]] = []
    queue = sorted(c for c, rows in occurs.items() if len(rows) == 1)
    while queue:
        column = queue.pop()
        rows = occurs[column]
        if len(rows) != 1:
            continue
        (n,) = rows
        equation = live.pop(n)
        peeled.append((column, equation))
        for other in equation:
            occurs[other].discard(n)
            if len(occurs[other]) == 1:
                queue.append(other)
    return list(live.values()), peeled


def _subtract(row: dict[int, int], other: dict[int, int], factor: int, prime: int) -> None:
    """row -= factor * other, in place, modulo prime."""
    for column, value in other.items():
        new = (row.get(column, 0) - factor * value) % prime
        if new:
            row[column] = new
        else:
            row.pop(column, None)


def exactly_determined(equations: list[dict[int, int]]) -> set[int]:
    """The same as `_determined_unknowns`, over fractions: slow and exact."""
    reduced: dict[int, dict[int, Fraction]] = {}
    for equation in equations:
        row = {c: Fraction(v) for c, v in equation.items() if v}
        for pivot, pivot_row in reduced.items():
            factor = row.get(pivot)
            if factor:
                row = _minus(row, pivot_row, factor)
        if not row:
            continue
        pivot = min(row)
        scale = row[pivot]
        row = {c: v / scale for c, v in row.items()}
        for other, other_row in reduced.items():
            factor = other_row.get(pivot)
            if factor:
                reduced[other] = _minus(other_row, row, factor)
        reduced[pivot] = row
    return {pivot for pivot, row in reduced.items() if len(row) == 1}


def _minus(
    row: dict[int, Fraction], other: dict[int, Fraction], factor: Fraction
) -> dict[int, Fraction]:
    result = dict(row)
    for column, value in other.items():
        result[column] = result.get(column, Fraction(0)) - factor * value
        if not result[column]:
            del result[column]
    return result
