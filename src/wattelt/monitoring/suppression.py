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

from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Protocol

THRESHOLD = 10
"""Cells based on fewer distinct residents than this are not shown (domain.md)."""
TOTAL = "total"
"""The row or column label of the margins in a `grid`."""
PRIMARY = "primary"
SECONDARY = "secondary"

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
    """Cells and the sums that relate them; `measure` names the value the groups add up."""

    cells: tuple[Cell, ...]
    groups: tuple[Group, ...] = ()
    measure: str = "count"


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


def suppress_small_cells(table: Table, threshold: int = THRESHOLD) -> SuppressedTable:
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
       groups' equations (Gaussian elimination over fractions). While one can, the
       smallest shown cell of a group containing it is suppressed and step 2 repeats.

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
    for group in table.groups:
        missing = [k for k in group.members if k not in cells]
        if missing or not group.parts:
            raise ValueError(f"Group with unknown or no parts: {missing or group.total}")
    protection = _Protection(cells, table, threshold)
    protection.run()
    label = f"<{threshold}"
    shown = {}
    for key, cell in cells.items():
        if not cell.published:
            continue
        reason = protection.suppressed.get(key, "")
        shown[key] = ShownCell(
            key=key,
            residents=label if reason else cell.residents,
            values={name: label for name in cell.values} if reason else dict(cell.values),
            suppressed=reason,
        )
    return SuppressedTable(shown, label)


class _Protection:
    """The state of one suppression run: which cells are hidden, and why."""

    def __init__(self, cells: dict[Key, Cell], table: Table, threshold: int) -> None:
        self.cells = cells
        self.groups = [g.members for g in table.groups]
        self.measure = table.measure
        self.order = {key: n for n, key in enumerate(cells)}
        self.sensitive = {k for k, c in cells.items() if c.residents < threshold}
        self.suppressed = {k: PRIMARY for k in self.sensitive if cells[k].published}
        self.given_up: set[Key] = set()

    def hidden(self, key: Key) -> bool:
        return key in self.suppressed or not self.cells[key].published

    def protected(self, key: Key) -> bool:
        return key in self.sensitive or key in self.suppressed

    def suppress_smallest(self, keys: Iterable[Key]) -> bool:
        candidates = [k for k in keys if not self.hidden(k)]
        if not candidates:
            return False
        smallest = min(candidates, key=lambda k: (self.cells[k].residents, self.order[k]))
        self.suppressed[smallest] = SECONDARY
        return True

    def run(self) -> None:
        while True:
            self.close_groups()
            exposed = [k for k in self.recoverable() if self.protected(k)]
            exposed = [k for k in exposed if k not in self.given_up]
            if not exposed:
                return
            key = min(exposed, key=self.order.__getitem__)
            neighbours = [k for g in self.groups if key in g for k in g]
            if not self.suppress_smallest(neighbours):
                # Fixed by the structure of the groups alone; nothing shown gives it away.
                self.given_up.add(key)

    def close_groups(self) -> None:
        """Step 2: no group with a lone protected unknown, or only zeros hidden."""
        changed = True
        while changed:
            changed = False
            for group in self.groups:
                unknown = [k for k in group if self.hidden(k)]
                lone = len(unknown) == 1 and self.protected(unknown[0])
                # With the total shown, hidden parts adding up to 0 are each known to be 0.
                zeros = not self.hidden(group[0]) and self.all_zero(unknown)
                if (lone or zeros) and self.suppress_smallest(group):
                    changed = True

    def all_zero(self, keys: list[Key]) -> bool:
        if not any(self.protected(k) for k in keys):
            return False
        return all(self.cells[k].values.get(self.measure, None) == 0 for k in keys)

    def recoverable(self) -> set[Key]:
        """Step 3: hidden cells whose value follows from the shown ones and the groups."""
        unknown = [k for k in self.cells if self.hidden(k)]
        column = {k: n for n, k in enumerate(unknown)}
        equations = []
        for group in self.groups:
            total, *parts = group
            row: dict[int, Fraction] = {}
            for key, sign in [(total, -1), *((p, 1) for p in parts)]:
                if key in column:
                    row[column[key]] = row.get(column[key], Fraction(0)) + sign
            equations.append({c: v for c, v in row.items() if v})
        return {unknown[c] for c in _determined_unknowns(equations)}


def _determined_unknowns(equations: list[dict[int, Fraction]]) -> set[int]:
    """The unknowns fixed by these linear equations (sparse rows): those whose unit
    vector is a row of the reduced row echelon form."""
    reduced: dict[int, dict[int, Fraction]] = {}  # pivot column -> row
    for equation in equations:
        row = dict(equation)
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
