"""The interval audit: how precisely could a reader pin down a hidden figure?

`suppress_small_cells` hides the cells under 10 residents and enough others that no
hidden cell follows *exactly* from sums. A reader knows more than sums: counts are never
negative, a part is at most its whole ("with a start measurement" <= trajectories), a
goal's year lies between its last quarter and the sum of its quarters, which teams serve
which districts, and what "<10" and "×" say about a hidden cell. With all of that, a
hidden cell can be narrowed to a range without being pinned.

This module treats every hidden cell as an unknown and every relation as a linear
(in)equality, and asks a linear programme (HiGHS through `scipy.optimize.linprog`) the
smallest and largest value each sensitive hidden cell can take. While one of those
ranges is narrower than `width`, it hides the shown cell with the fewest residents in a
relation with the narrow cell (or, when those are all hidden, anywhere in its connected
part) and asks again. Only the connected part that changed is asked again.

Design, parameters and limits: docs/adr/0012-figures-that-cannot-betray-a-person.md.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

Key = tuple[Hashable, ...]

PROTECTION_WIDTH = 5
"""A sensitive cell's feasible range must span at least this many (max - min >= 5): then
no guess "v ± 2" is certain to hold it (it covers 5 values of at least 6)."""

_EPS = 1e-6


@dataclass(frozen=True)
class AtMost:
    """What the reader knows by definition: value(small) <= the sum of value(large)."""

    small: Key
    large: tuple[Key, ...]


@dataclass(frozen=True)
class Relation:
    """sum(coefficient * value) (= or <=) 0 over cells and unknowns."""

    terms: tuple[tuple[Key, int], ...]
    equal: bool


@dataclass
class Interval:
    low: float
    high: float

    @property
    def width(self) -> float:
        return self.high - self.low


def sum_relation(total: Key, parts: Iterable[Key]) -> Relation:
    return Relation(((total, -1), *((p, 1) for p in parts)), equal=True)


def order_relation(order: AtMost) -> Relation:
    return Relation(((order.small, 1), *((p, -1) for p in order.large)), equal=False)


class Audit:
    """The reader's system: `relations` over keys; `values` of the cells (an unknown
    that is never shown has no value); `bounds` per hidden key (low, high)."""

    def __init__(
        self,
        relations: Iterable[Relation],
        values: Mapping[Key, float],
        width: int = PROTECTION_WIDTH,
    ) -> None:
        self.relations = list(relations)
        self.values = values
        self.width = width
        self.cap = 1.0 + sum(abs(float(v)) for v in values.values())
        self.of_key: dict[Key, list[int]] = {}
        for r, relation in enumerate(self.relations):
            for key, _coefficient in relation.terms:
                self.of_key.setdefault(key, []).append(r)

    def parts(self, hidden: set[Key]) -> list[tuple[set[Key], list[int]]]:
        """The hidden keys split into parts linked by relations (shown keys are constants)."""
        parent: dict[Key, Key] = {}

        def root(k: Key) -> Key:
            parent.setdefault(k, k)
            while parent[k] != k:
                parent[k] = parent[parent[k]]
                k = parent[k]
            return k

        used: list[int] = []
        for r, relation in enumerate(self.relations):
            unknown = [k for k, _c in relation.terms if k in hidden]
            if not unknown:
                continue
            used.append(r)
            first = root(unknown[0])
            for k in unknown[1:]:
                other = root(k)
                if other != first:
                    parent[other] = first
        groups: dict[Key, set[Key]] = {}
        for k in hidden:
            groups.setdefault(root(k), set()).add(k)
        relations_of: dict[Key, list[int]] = {}
        for r in used:
            first = next(k for k, _c in self.relations[r].terms if k in hidden)
            relations_of.setdefault(root(first), []).append(r)
        return [(keys, relations_of.get(top, [])) for top, keys in groups.items()]

    def part_of(self, seeds: Iterable[Key], hidden: set[Key]) -> tuple[set[Key], list[int]]:
        """The hidden keys linked to `seeds` by relations, and those relations."""
        keys = set(seeds)
        todo = list(keys)
        relation_ids: set[int] = set()
        while todo:
            key = todo.pop()
            for r in self.of_key.get(key, ()):
                if r in relation_ids:
                    continue
                relation_ids.add(r)
                for k, _c in self.relations[r].terms:
                    if k in hidden and k not in keys:
                        keys.add(k)
                        todo.append(k)
        return keys, sorted(relation_ids)

    def narrow(
        self,
        keys: set[Key],
        relation_ids: list[int],
        targets: Iterable[Key],
        bounds: Mapping[Key, tuple[float, float | None]],
    ) -> dict[Key, Interval]:
        """The targets of one part whose feasible range is narrower than `width`, with
        that range. Any feasible solution shows values each target can take, so a few
        solutions for combined objectives prove most targets wide at once; only the rest
        get their own two programmes (the smallest and the largest value)."""
        # scipy is imported here, not with the module: it costs an app server's start
        # over a second, and only publishing with the interval audit uses it.
        from scipy.optimize import linprog

        targets = sorted((t for t in targets if t in keys), key=repr)
        if not targets:
            return {}
        order = sorted(keys, key=repr)
        column = {k: n for n, k in enumerate(order)}
        eq_rows: list[tuple[dict[int, float], float]] = []
        ub_rows: list[tuple[dict[int, float], float]] = []
        for r in relation_ids:
            relation = self.relations[r]
            row: dict[int, float] = {}
            constant = 0.0
            for k, coefficient in relation.terms:
                if k in column:
                    row[column[k]] = row.get(column[k], 0.0) + coefficient
                else:
                    constant += coefficient * float(self.values[k])
            (eq_rows if relation.equal else ub_rows).append((row, -constant))
        a_eq, b_eq = _matrix(eq_rows, len(order))
        a_ub, b_ub = _matrix(ub_rows, len(order))
        box = [bounds.get(k, (0.0, None)) for k in order]
        # Extra upper bounds keep the combined objectives bounded; their solutions are
        # solutions of the reader's system too.
        capped = [(low, self.cap if high is None else high) for low, high in box]
        seen = {t: [math.inf, -math.inf] for t in targets}
        columns = [column[t] for t in targets]

        def observe(x: np.ndarray) -> None:
            for t, c in zip(targets, columns, strict=True):
                pair = seen[t]
                pair[0] = min(pair[0], x[c])
                pair[1] = max(pair[1], x[c])

        def wide(t: Key) -> bool:
            low, high = seen[t]
            return math.floor(high + _EPS) - math.ceil(low - _EPS) >= self.width

        rng = np.random.default_rng(len(order))
        objectives: list[Any] = [
            1.0,
            -1.0,
            *(rng.choice([-1.0, 1.0], len(targets)) for _ in range(2)),
        ]
        for weights in objectives:
            c = np.zeros(len(order))
            c[columns] = weights
            result = linprog(c, a_ub, b_ub, a_eq, b_eq, bounds=capped, method="highs")
            if result.status == 2:
                raise ValueError("The relations do not hold for these figures.")
            if result.status == 0:
                observe(result.x)
        found: dict[Key, Interval] = {}
        for target in targets:
            if wide(target):
                continue
            c = np.zeros(len(order))
            c[column[target]] = 1.0
            low = linprog(c, a_ub, b_ub, a_eq, b_eq, bounds=box, method="highs")
            high = linprog(-c, a_ub, b_ub, a_eq, b_eq, bounds=box, method="highs")
            for result in (low, high):
                if result.status == 0:
                    observe(result.x)
            low_value = math.ceil(low.fun - _EPS) if low.status == 0 else -math.inf
            high_value = math.floor(-high.fun + _EPS) if high.status == 0 else math.inf
            interval = Interval(low_value, high_value)
            if interval.width < self.width:
                found[target] = interval
        return found


def _matrix(
    rows: list[tuple[dict[int, float], float]], width: int
) -> tuple[csr_matrix | None, np.ndarray | None]:
    from scipy.sparse import csr_matrix  # with linprog, when the audit runs

    if not rows:
        return None, None
    data, indices, pointers = [], [], [0]
    for row, _rhs in rows:
        for col, value in row.items():
            if value:
                indices.append(col)
                data.append(value)
        pointers.append(len(indices))
    matrix = csr_matrix((data, indices, pointers), shape=(len(rows), width))
    return matrix, np.array([rhs for _row, rhs in rows])


def widen(
    audit: Audit,
    hidden: set[Key],
    targets: set[Key],
    candidates: Mapping[Key, int],
    bounds: Mapping[Key, tuple[float, float | None]],
    hide_bounds: Mapping[Key, tuple[float, float | None]],
) -> list[Key]:
    """Hide shown cells (from `candidates`: key -> residents) until every target's
    range is at least `audit.width` wide. `hidden` grows in place; returns what was
    hidden, in order. `hide_bounds` are what the reader learns about a cell once it is
    hidden as secondary ("×": 10 or more residents).

    Hiding a cell only turns a known value into an unknown one, so no range ever gets
    narrower: after the first audit only the narrow targets are looked at again."""
    added: list[Key] = []
    bounds = dict(bounds)
    narrow: set[Key] = set()
    for keys, relation_ids in audit.parts(hidden):
        if keys & targets:
            narrow |= set(audit.narrow(keys, relation_ids, keys & targets, bounds))
    while narrow:
        stuck: set[Key] = set()
        # One more hidden cell next to each narrow target per round (cells hidden for
        # an earlier target in the round count already): few rounds, each re-asking
        # only the targets that were narrow.
        for target in sorted(narrow, key=repr):
            keys, _relation_ids = audit.part_of([target], hidden)
            choice = _next_to_hide(audit, target, keys, hidden, candidates)
            if choice is None:
                stuck.add(target)  # nothing left to hide near it
                continue
            hidden.add(choice)
            bounds[choice] = hide_bounds.get(choice, (0.0, None))
            added.append(choice)
        again = narrow - stuck
        narrow = set()
        done: set[Key] = set()
        for target in sorted(again, key=repr):
            if target in done:
                continue
            keys, relation_ids = audit.part_of([target], hidden)
            done |= keys
            narrow |= set(audit.narrow(keys, relation_ids, keys & again, bounds))
    return added


def _next_to_hide(
    audit: Audit, narrow: Key, part: set[Key], hidden: set[Key], candidates: Mapping[Key, int]
) -> Key | None:
    """The shown cell with the fewest residents in a relation with `narrow`; failing
    that, in a relation with any hidden key of its part."""
    for around in ([narrow], sorted(part, key=repr)):
        near = {
            k
            for key in around
            for r in audit.of_key.get(key, ())
            for k, _c in audit.relations[r].terms
            if k not in hidden and k in candidates
        }
        if near:
            return min(near, key=lambda k: (candidates[k], repr(k)))
    return None
