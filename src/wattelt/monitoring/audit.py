"""The interval audit: how precisely could a reader pin down a hidden figure?

`suppress_small_cells` hides the cells under 10 residents and enough others that no
hidden cell follows *exactly* from sums. A reader knows more than sums: counts are never
negative, a part is at most its whole ("with a start measurement" <= trajectories), a
goal's year lies between its last quarter and the sum of its quarters, which teams serve
which districts, and what "<10" and "×" say about a hidden cell. With all of that, a
hidden cell can be narrowed to a range without being pinned.

This module treats every hidden cell as an unknown and every relation as a linear
(in)equality, and asks a linear programme (HiGHS through `highspy`, one model per
connected part, only the objective changing between questions) the smallest and largest
value each sensitive hidden cell can take. While one of those ranges is narrower than
`width`, it hides a shown cell in a relation that holds an end of the range (the
programme's non-zero duals): one that could move enough once hidden, with the fewest
residents; failing that, next to the narrow cell or anywhere in its part. Only the parts
of the narrow cells are asked again.

Design, parameters and limits: docs/adr/0012-figures-that-cannot-betray-a-person.md.
"""

from __future__ import annotations

import functools
import logging
import math
import time
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from itertools import chain
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # imported on first use: over 0.2 s at an app server's start
    import numpy as np

Key = tuple[Hashable, ...]
logger = logging.getLogger(__name__)

PROTECTION_WIDTH = 5
"""A sensitive cell's feasible range must span at least this many (max - min >= 5): then
no guess "v ± 2" is certain to hold it (it covers 5 values of at least 6)."""

_EPS = 1e-6
PUSHES = 8
"""At most this many combined programmes that push every unproven target at once."""
DUAL, PRIMAL = 1, 4
"""HiGHS simplex_strategy values: the dual simplex for a programme's first answer, the
primal simplex from the last basis for every later one (ADR 0012, decision 16)."""
BATCH = 20
"""With more targets than this in a part, combined programmes of the whole part first."""
LOCAL_DEPTH = 2
"""Steps of relations around a target in the relaxation that proves it narrow."""
ESCALATION = 2
"""A target narrow again after a round gets this many times the cells hidden for it in
the round before (one the first time), each in another relation with it (`_to_hide`)."""
MOST_AT_ONCE = 16
"""At most this many cells hidden for one target in one round."""
STATS: defaultdict[str, float] = defaultdict(float)
"""What the audits of this process did (parts, programmes, rounds, seconds), for
`bench.audit`; cleared by whoever reads it."""


class FiguresDisagree(ValueError):
    """The figures break a relation the reader knows: read while they changed, or a
    previous publish that a data error since corrected contradicts."""


@dataclass(frozen=True)
class AtMost:
    """What the reader knows by definition: value(small) <= the sum of value(large)."""

    small: Key
    large: tuple[Key, ...]


class Relation(NamedTuple):
    """sum(coefficient * value) (= or <=) 0 over cells and unknowns: the keys and their
    coefficients side by side (a set test over the keys alone runs at C speed)."""

    keys: tuple[Key, ...]
    coefficients: tuple[int, ...]
    equal: bool


@dataclass
class Interval:
    low: float
    high: float
    binding: tuple[int, ...] = ()
    """The relations (ids) that hold the ends where they are: hiding a shown cell in
    one of them can widen the range."""

    @property
    def width(self) -> float:
        return self.high - self.low


@dataclass(frozen=True)
class Before:
    """The previous publish where it differs from today's figures: `shown` the counts it
    showed of cells that changed since; `hidden` the bounds its labels gave the cells
    that were hidden and changed since (or that it lacked a record of); `targets` those
    of them that were behind 1-9 residents."""

    shown: Mapping[Key, float] = field(default_factory=dict)
    hidden: Mapping[Key, tuple[float, float | None]] = field(default_factory=dict)
    targets: frozenset[Key] = frozenset()
    same: frozenset[Key] = frozenset()
    """Cells whose count is the same in both publishes (shown or hidden)."""
    labels: Mapping[Key, str] = field(default_factory=dict)
    """Of the cells in `same`: how the previous publish showed them ("" shown,
    "primary", "secondary", `UNPUBLISHED`), with `TARGET` appended when it audited them
    as behind 1-9 residents."""
    width: int = 0
    """The protection width the previous publish was audited with (0: not audited or
    not recorded)."""
    closed: bool = False
    """The previous publish's hidden cells were closed under the sums after its audit
    (it recorded its width): an unchanged part of the table can keep its pattern."""
    new: frozenset[Key] = frozenset()
    """Cells the previous publish did not have (a quarter begun since, a new figure)."""


UNPUBLISHED = "unpublished"
TARGET = "+target"
BEFORE = "before"
"""The first part of the key of a cell as the previous publish had it."""


def sum_relation(total: Key, parts: Sequence[Key]) -> Relation:
    return Relation((total, *parts), _signs(-1, len(parts)), True)


def order_relation(order: AtMost) -> Relation:
    return Relation((order.small, *order.large), _signs(1, len(order.large)), False)


@functools.cache
def _signs(first: int, others: int) -> tuple[int, ...]:
    """(first, -first, -first, ...): one shared tuple per shape."""
    return (first, *((-first,) * others))


class Audit:
    """The reader's system: `relations` over keys; `values` of the cells (an unknown
    that is never shown has no value); `bounds` per hidden key (low, high)."""

    def __init__(
        self,
        relations: Iterable[Relation],
        values: Mapping[Key, float],
        width: int = PROTECTION_WIDTH,
    ) -> None:
        import numpy as np

        self.relations = list(relations)
        self.values = values
        self.width = width
        self.cap = 1.0 + sum(abs(float(v)) for v in values.values())
        # The system as arrays, for building programmes without a loop per term: every
        # key a number (`ids`), in the order of its repr (the programmes' column order);
        # the relations' terms in one row-wise layout.
        term_keys = list(chain.from_iterable(relation.keys for relation in self.relations))
        every = sorted({*term_keys, *values}, key=repr)
        self.ids = ids = dict(zip(every, range(len(every)), strict=True))
        self.keys = every
        lengths = np.fromiter(
            map(len, (relation.keys for relation in self.relations)),
            dtype=np.int64,
            count=len(self.relations),
        )
        self.term_start = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=self.term_start[1:])
        self.term_key = np.fromiter(
            map(ids.__getitem__, term_keys), dtype=np.int64, count=len(term_keys)
        )
        coefficients = np.fromiter(
            map(len, (relation.coefficients for relation in self.relations)),
            dtype=np.int64,
            count=len(self.relations),
        )
        if not np.array_equal(coefficients, lengths):
            raise ValueError("A relation has not as many coefficients as keys.")
        self.term_coefficient = np.fromiter(
            chain.from_iterable(relation.coefficients for relation in self.relations),
            dtype=float,
            count=len(term_keys),
        )
        self.of_key = _RelationsOf(self.term_key, lengths, ids)
        """Per key the relations it is in, in order (once per term)."""
        self.value_of = np.array(
            [float(values[k]) if k in values else math.nan for k in every], dtype=float
        )
        self.column_of = np.full(len(every), -1, dtype=np.int64)
        """Scratch: a key's column in the programme being built, -1 elsewhere."""
        self.wholes: dict[Key, _PartModel] = {}
        """The programmes of whole parts asked before, by one of their keys. Parts only
        grow (a cell hidden joins its relations' unknowns): the next question of a part
        extends the programme of an earlier one (new columns and rows, shifted row
        bounds) and starts from its last basis instead of from nothing."""

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
            unknown = [k for k in relation.keys if k in hidden]
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
            first = next(k for k in self.relations[r].keys if k in hidden)
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
                for k in self.relations[r].keys:
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
        that range.

        Wide is proven by solutions of the whole part: one HiGHS model per part, only
        its objective changing between questions (each answer starts from the last
        basis). Many targets at once: a few combined objectives prove most of them wide.
        Narrow is proven by a relaxation: the relations within `LOCAL_DEPTH` steps of
        the target, the rest left out, give a range that holds the true one, so a narrow
        range there is narrow here; that small programme is asked first. Only targets
        neither settles get their own two questions of the whole part."""
        import numpy as np

        targets = sorted((t for t in targets if t in keys), key=repr)
        if not targets:
            return {}
        whole: list[_PartModel] = []

        def model() -> _PartModel:
            if not whole:
                whole.append(self._whole(keys, relation_ids, bounds))
            return whole[0]

        open_ = targets
        if len(targets) > BATCH:
            open_ = self._unproven(model(), targets)
        found: dict[Key, Interval] = {}
        undecided: list[Key] = []
        STATS["open after pushes"] += len(open_)
        for target in open_:
            ball, ball_relations = self._ball(target, keys)
            local = _PartModel(self, ball, ball_relations, bounds)
            interval = local.extremes(target)
            if interval.width < self.width:
                found[target] = interval
            else:
                undecided.append(target)
        if undecided:
            part = model()
            if part.solution is None:
                part.solve(np.zeros(0, dtype=np.int32), np.zeros(0))
            for target in self._unproven(part, undecided, combined=len(undecided) > BATCH):
                # Wide on a restriction (the keys outside the neighbourhood fixed at a
                # solution of the whole part) is wide here: its solutions are solutions.
                assert part.solution is not None
                fixed = (part.ids, part.solution)
                ball, _near = self._ball(target, keys)
                touching = sorted(
                    {r for k in ball for r in self.of_key.get(k, ()) if r in part.rows}
                )
                local = _PartModel(self, ball, touching, bounds, fixed)
                if local.extremes(target).width >= self.width:
                    continue
                STATS["whole-part questions"] += 1
                interval = part.extremes(target)
                if interval.width < self.width:
                    found[target] = interval
        return found

    def _whole(
        self,
        keys: set[Key],
        relation_ids: list[int],
        bounds: Mapping[Key, tuple[float, float | None]],
    ) -> _PartModel:
        """The programme of a whole part: an earlier part's within it, extended, or new.
        The largest earlier one is extended; the others within it are dropped."""
        earlier = [(len(m.column), key) for key, m in self.wholes.items() if key in keys]
        if earlier:
            _size, largest = max(earlier, key=lambda item: (item[0], repr(item[1])))
            model = self.wholes[largest]
            for _size, key in earlier:
                del self.wholes[key]
            model.extend(self, keys, relation_ids, bounds)
        else:
            model = _PartModel(self, keys, relation_ids, bounds)
        self.wholes[model.first] = model
        return model

    def _unproven(self, model: _PartModel, targets: list[Key], combined: bool = True) -> list[Key]:
        """The targets that solutions of the whole part (+Σ, -Σ, random signs, then
        pushes of the unproven towards the end each was seen least near) do not prove
        wide."""
        import numpy as np

        if not combined:
            return targets
        columns = np.array([model.column[t] for t in targets])
        low = np.full(len(targets), math.inf)
        high = np.full(len(targets), -math.inf)

        def observe(x: np.ndarray) -> None:
            np.minimum(low, x[columns], out=low)
            np.maximum(high, x[columns], out=high)

        def unproven() -> np.ndarray:
            return np.floor(high + _EPS) - np.ceil(low - _EPS) < self.width  # type: ignore[no-any-return]

        rng = np.random.default_rng(len(targets))
        for weights in (
            np.ones(len(targets)),
            -np.ones(len(targets)),
            *(rng.choice([-1.0, 1.0], len(targets)) for _ in range(2)),
        ):
            observe(model.solve(columns, weights)[1])
        floor, ceiling = model.lower[columns], model.upper[columns]
        for _push in range(PUSHES):
            open_ = unproven()
            if not open_.any():
                break
            down = (low - floor) >= (ceiling - high)
            observe(model.solve(columns[open_], np.where(down, 1.0, -1.0)[open_])[1])
            if unproven().sum() > open_.sum() * 0.8:
                break
        return [t for t, still in zip(targets, unproven(), strict=True) if still]

    def _ball(self, target: Key, keys: set[Key]) -> tuple[set[Key], list[int]]:
        """The hidden keys and relations within LOCAL_DEPTH steps of `target`."""
        ball = {target}
        frontier = [target]
        relation_ids: set[int] = set()
        for _step in range(LOCAL_DEPTH):
            reached: list[Key] = []
            for key in frontier:
                for r in self.of_key.get(key, ()):
                    if r in relation_ids:
                        continue
                    relation_ids.add(r)
                    for k in self.relations[r].keys:
                        if k in keys and k not in ball:
                            ball.add(k)
                            reached.append(k)
            frontier = reached
        return ball, sorted(relation_ids)


class _RelationsOf:
    """Per key the relations it is in (ascending, once per term), sliced out when asked
    rather than a list made for every key up front (most keys are never asked)."""

    def __init__(self, term_key: np.ndarray, lengths: np.ndarray, ids: Mapping[Key, int]) -> None:
        import numpy as np

        by_key = np.argsort(term_key, kind="stable")
        self._relation: list[int] = np.repeat(np.arange(len(lengths)), lengths)[by_key].tolist()
        start = np.zeros(len(ids) + 1, dtype=np.int64)
        np.cumsum(np.bincount(term_key, minlength=len(ids)), out=start[1:])
        self._start: list[int] = start.tolist()
        self._ids = ids

    def get(self, key: Key, default: Sequence[int] = ()) -> Sequence[int]:
        n = self._ids.get(key)
        if n is None:
            return default
        first, end = self._start[n], self._start[n + 1]
        return self._relation[first:end] if end > first else default


class _PartModel:
    """The reader's system over one part as a HiGHS linear programme, built once.

    Every unknown gets an upper bound (`Audit.cap`, more than all values together, where
    it has none): a range that reaches it is wide anyway, and bounded programmes need no
    special case. The objective is the only thing that changes between questions, until
    the part grows (`extend`). It keeps no reference to its `Audit` (which keeps it in
    `wholes`): without that cycle, an audit and the millions of objects it holds at 1M
    go by reference counting, not at the cycle collector's next full run."""

    def __init__(
        self,
        audit: Audit,
        keys: set[Key],
        relation_ids: list[int],
        bounds: Mapping[Key, tuple[float, float | None]],
        fixed: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        """`fixed`: values (key ids, values) for keys outside `keys` that are not shown
        cells."""
        import highspy
        import numpy as np

        began = time.perf_counter()
        STATS["models"] += 1
        STATS["model columns"] += len(keys)
        # Columns in the order of the keys' repr (their ids), rows in the order given.
        self.ids = np.sort(
            np.fromiter((audit.ids[k] for k in keys), dtype=np.int64, count=len(keys))
        )
        order = [audit.keys[i] for i in self.ids.tolist()]
        self.first = order[0]
        self.row_ids = list(relation_ids)
        self.rows = set(relation_ids)
        self.solution: np.ndarray | None = None
        self.column = {k: n for n, k in enumerate(order)}
        starts, indices, data, row_low, row_high = _rows(audit, relation_ids, self.ids, fixed)
        self.row_low, self.row_high = row_low, row_high
        lp = highspy.HighsLp()
        lp.num_col_ = len(order)
        lp.num_row_ = len(relation_ids)
        lp.col_cost_ = np.zeros(len(order))
        self.lower, self.upper = _box(audit, order, bounds)
        lp.col_lower_ = self.lower
        lp.col_upper_ = self.upper
        lp.row_lower_ = row_low
        lp.row_upper_ = row_high
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.num_col_ = len(order)
        lp.a_matrix_.num_row_ = len(relation_ids)
        lp.a_matrix_.start_ = starts
        lp.a_matrix_.index_ = indices
        lp.a_matrix_.value_ = data
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.passModel(lp)
        self.costed = np.zeros(0, dtype=np.int32)
        self.strategy = DUAL
        STATS["build s"] += time.perf_counter() - began

    def extend(
        self,
        audit: Audit,
        keys: set[Key],
        relation_ids: list[int],
        bounds: Mapping[Key, tuple[float, float | None]],
    ) -> None:
        """The programme of the part these keys and relations make now, which holds this
        one's: the keys not yet columns become columns (a shown cell since hidden leaves
        the constant side of its rows), the relations not yet rows become rows, and
        columns whose bounds changed get the new ones. The basis stays: the next answer
        starts from the last one."""
        import numpy as np

        began = time.perf_counter()
        STATS["models extended"] += 1
        highs = self.highs
        new_ids = np.sort(
            np.fromiter((audit.ids[k] for k in keys if k not in self.column), dtype=np.int64)
        )
        new_keys = [audit.keys[i] for i in new_ids.tolist()]
        STATS["model columns"] += len(new_keys)
        old_lower, old_upper = _box(audit, list(self.column), bounds)
        changed = np.flatnonzero((old_lower != self.lower) | (old_upper != self.upper))
        if len(changed):
            highs.changeColsBounds(
                len(changed), changed.astype(np.int32), old_lower[changed], old_upper[changed]
            )
            self.lower, self.upper = old_lower, old_upper
        if len(new_keys):
            # The new columns' entries in the rows there are: those rows written over the
            # new columns alone (their constant side then holds every other value).
            touched = sorted(
                {r for k in new_keys for r in audit.of_key.get(k, ()) if r in self.rows}
            )
            position = {r: n for n, r in enumerate(self.row_ids)}
            starts, indices, data, _low, _high = _rows(audit, touched, new_ids, None, True)
            row_of_entry = np.repeat(np.arange(len(touched)), np.diff(starts))
            by_column = np.lexsort((row_of_entry, indices))
            rows_now = np.array([position[r] for r in touched], dtype=np.int32)
            column_starts = np.zeros(len(new_keys) + 1, dtype=np.int32)
            np.cumsum(np.bincount(indices, minlength=len(new_keys)), out=column_starts[1:])
            lower, upper = _box(audit, new_keys, bounds)
            highs.addCols(
                len(new_keys),
                np.zeros(len(new_keys)),
                lower,
                upper,
                len(indices),
                column_starts,
                rows_now[row_of_entry[by_column]],
                data[by_column],
            )
            # Their values leave the constant side of those rows.
            shift = np.zeros(len(touched))
            np.add.at(shift, row_of_entry, data * audit.value_of[new_ids[indices]])
            rows_now_all = rows_now
            self.row_high[rows_now_all] += shift
            finite = np.isfinite(self.row_low[rows_now_all])
            self.row_low[rows_now_all[finite]] += shift[finite]
            highs.changeRowsBounds(  # type: ignore[attr-defined]
                len(touched),
                rows_now_all,
                self.row_low[rows_now_all],
                self.row_high[rows_now_all],
            )
            self.ids = np.concatenate([self.ids, new_ids])
            for key in new_keys:
                self.column[key] = len(self.column)
            self.lower = np.concatenate([self.lower, lower])
            self.upper = np.concatenate([self.upper, upper])
        new_rows = [r for r in relation_ids if r not in self.rows]
        if new_rows:
            starts, indices, data, row_low, row_high = _rows(audit, new_rows, self.ids, None)
            highs.addRows(len(new_rows), row_low, row_high, len(indices), starts, indices, data)
            self.row_ids += new_rows
            self.rows.update(new_rows)
            self.row_low = np.concatenate([self.row_low, row_low])
            self.row_high = np.concatenate([self.row_high, row_high])
        if len(new_keys) or new_rows or len(changed):
            self.solution = None
        STATS["build s"] += time.perf_counter() - began

    def solve(self, columns: np.ndarray, weights: np.ndarray) -> tuple[float, np.ndarray]:
        """Minimise sum(weights * unknowns at columns): the optimum and a solution.
        After the first solution, the primal simplex from the last basis: a new
        objective leaves that basis feasible, so it needs no way back to feasibility
        (the dual simplex does: on the municipality's parts at 1M, ~8,000 unknowns, a
        combined objective took it ~0.5 s, ADR 0012 decision 16)."""
        import highspy
        import numpy as np

        highs = self.highs
        strategy = PRIMAL if self.solution is not None else DUAL
        if strategy != self.strategy:
            highs.setOptionValue("simplex_strategy", strategy)
            self.strategy = strategy
        if len(self.costed):
            highs.changeColsCost(len(self.costed), self.costed, np.zeros(len(self.costed)))
        self.costed = columns.astype(np.int32)
        highs.changeColsCost(len(columns), self.costed, weights.astype(float))
        began = time.perf_counter()
        highs.run()
        STATS["solves"] += 1
        STATS["solve s"] += time.perf_counter() - began
        status = highs.getModelStatus()
        # Every unknown is bounded (`Audit.cap`): what presolve calls "unbounded or
        # infeasible" is infeasible.
        if status in (
            highspy.HighsModelStatus.kInfeasible,
            highspy.HighsModelStatus.kUnboundedOrInfeasible,
        ):
            raise FiguresDisagree("The relations do not hold for these figures.")
        if status != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"HiGHS: {highs.modelStatusToString(status)}")
        self.solution = np.array(highs.getSolution().col_value)
        return highs.getInfo().objective_function_value, self.solution

    def extremes(self, target: Key) -> Interval:
        """The smallest and largest value of `target` (rounded inwards), with the
        relations (ids) that hold them there."""
        import numpy as np

        column = np.array([self.column[target]])
        least = self.solve(column, np.ones(1))[0]
        binding = self.binding()
        most = self.solve(column, -np.ones(1))[0]
        rows = sorted(binding | self.binding())
        return Interval(
            math.ceil(least - _EPS),
            math.floor(-most + _EPS),
            tuple(self.row_ids[r] for r in rows),
        )

    def binding(self) -> set[int]:
        """The rows with a non-zero dual value in the last solution."""
        import numpy as np

        duals = np.array(self.highs.getSolution().row_dual)
        return set(np.flatnonzero(np.abs(duals) > _EPS).tolist())


def _box(
    audit: Audit, order: list[Key], bounds: Mapping[Key, tuple[float, float | None]]
) -> tuple[np.ndarray, np.ndarray]:
    """The columns' lower and upper bounds (no upper bound: `Audit.cap`)."""
    import numpy as np

    box = [bounds.get(k, (0.0, None)) for k in order]
    lower = np.array([b[0] for b in box], dtype=float)
    upper = np.array([audit.cap if b[1] is None else b[1] for b in box], dtype=float)
    return lower, upper


def _rows(
    audit: Audit,
    relation_ids: list[int],
    ids: np.ndarray,
    fixed: tuple[np.ndarray, np.ndarray] | None,
    partial: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The relations as rows over the columns `ids` (key ids, in column order): row
    starts, column indices, coefficients (one entry per row and column, in the order of
    its first term, zero sums left out) and the row bounds (every other key's value on
    the constant side; `fixed` values for unknowns outside the columns). `partial`: keys
    without a value may stay outside (their bounds are not used)."""
    import highspy
    import numpy as np

    rows = np.asarray(relation_ids, dtype=np.int64)
    starts_of, ends_of = audit.term_start[rows], audit.term_start[rows + 1]
    lengths = ends_of - starts_of
    row_of_term = np.repeat(np.arange(len(rows)), lengths)
    terms = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    terms += np.repeat(starts_of, lengths)
    term_key = audit.term_key[terms]
    coefficient = audit.term_coefficient[terms]
    column_of = audit.column_of
    column_of[ids] = np.arange(len(ids))
    try:
        term_column = column_of[term_key]
    finally:
        column_of[ids] = -1
    value = audit.value_of
    outside = term_column < 0
    if fixed is not None:
        fixed_ids, fixed_values = fixed
        saved = value[fixed_ids]
        value[fixed_ids] = fixed_values
    try:
        known = value[term_key[outside]]
    finally:
        if fixed is not None:
            value[fixed_ids] = saved
    if not partial and np.isnan(known).any():
        raise KeyError("An unknown outside the programme has no value.")
    constant = np.bincount(
        row_of_term[outside], weights=coefficient[outside] * known, minlength=len(rows)
    )
    inside = ~outside
    width = max(1, len(ids))
    cell = row_of_term[inside] * width + term_column[inside]
    unique, first, inverse = np.unique(cell, return_index=True, return_inverse=True)
    summed = np.bincount(inverse, weights=coefficient[inside], minlength=len(unique))
    by_first = np.argsort(first, kind="stable")
    unique, summed = unique[by_first], summed[by_first]
    keep = summed != 0
    unique, summed = unique[keep], summed[keep]
    starts = np.zeros(len(rows) + 1, dtype=np.int32)
    np.cumsum(np.bincount(unique // width, minlength=len(rows)), out=starts[1:])
    indices = (unique % width).astype(np.int32)
    equal = np.fromiter(
        (audit.relations[r].equal for r in relation_ids), dtype=bool, count=len(rows)
    )
    row_high = -constant
    row_low = np.where(equal, -constant, -highspy.kHighsInf)
    return starts, indices, summed.astype(float), row_low, row_high


class Widened(NamedTuple):
    added: list[Key]
    """Cells hidden on top of the ones given, in order."""
    withheld: set[Key]
    """Hidden cells whose label must say nothing about their size (see `widen`)."""


def widen(
    audit: Audit,
    hidden: set[Key],
    targets: set[Key],
    candidates: Mapping[Key, int],
    bounds: Mapping[Key, tuple[float, float | None]],
    hide_bounds: Mapping[Key, tuple[float, float | None]],
    steady: frozenset[Key] = frozenset(),
    published: frozenset[Key] | Set[Key] = frozenset(),
) -> Widened:
    """Hide shown cells (from `candidates`: key -> residents) until every target's
    range is at least `audit.width` wide. `hidden` grows in place; returns what was
    hidden, in order. `hide_bounds` are what the reader learns about a cell once it is
    hidden as secondary ("×": 10 or more residents).

    A target still narrow when nothing is left to hide in its part (every cell in a
    relation with it hidden: tiny areas) is narrowed by what the labels say alone ("<10"
    at most 9, "×" at least 10). Then every `published` cell of its part is withheld:
    shown as "×" without the promise of 10 or more (bounds 0.., so the reader learns
    nothing of its size); returned in `withheld`, and the part asked again.

    `steady`: cells as the previous publish had them (same count and label, see
    `suppression._steady`). A part whose keys and relations hold only those (and
    never-shown unknowns) is the same system the previous audit proved wide, minus
    the relations over the publish before it: wide still, not asked again.

    Hiding a cell only turns a known value into an unknown one, so no range ever gets
    narrower: after the first audit only the narrow targets are looked at again."""
    added: list[Key] = []
    bounds = dict(bounds)
    narrow: dict[Key, Interval] = {}
    parts = _unsettled(audit, hidden, steady) if steady else audit.parts(hidden)
    for keys, relation_ids in parts:
        if keys & targets:
            STATS["parts"] += 1
            STATS["largest part"] = max(STATS["largest part"], len(keys))
            STATS["targets"] += len(keys & targets)
            narrow.update(audit.narrow(keys, relation_ids, keys & targets, bounds))
    STATS["narrow first"] += len(narrow)
    times_narrow: defaultdict[Key, int] = defaultdict(int)
    while narrow:
        STATS["rounds"] += 1
        hid_any = False
        # More hidden cells next to each narrow target per round (cells hidden for an
        # earlier target in the round count already): one the first time, and twice as
        # many each time it is narrow again (`ESCALATION`), so a target pinned by many
        # relations takes a few rounds, not one per relation. Each round re-asks only
        # the targets that were narrow. A target with nothing left to hide near it is
        # asked again too: a cell hidden for another target may have widened it.
        for target, interval in sorted(narrow.items(), key=lambda item: repr(item[0])):
            times_narrow[target] += 1
            count = min(ESCALATION ** (times_narrow[target] - 1), MOST_AT_ONCE)
            for choice in _to_hide(audit, target, interval, hidden, candidates, hide_bounds, count):
                hid_any = True
                hidden.add(choice)
                bounds[choice] = hide_bounds.get(choice, (0.0, None))
                added.append(choice)
        if not hid_any:
            break  # every narrow target's part is hidden whole: nothing more to hide
        again = set(narrow)
        narrow = {}
        done: set[Key] = set()
        for target in sorted(again, key=repr):
            if target in done:
                continue
            keys, relation_ids = audit.part_of([target], hidden)
            done |= keys
            narrow.update(audit.narrow(keys, relation_ids, keys & again, bounds))
    STATS["stuck"] += len(narrow)
    withheld: set[Key] = set()
    done = set()
    for target in sorted(narrow, key=repr):
        if target in done:
            continue
        keys, relation_ids = audit.part_of([target], hidden)
        done |= keys
        mine = {k for k in keys if k in published}
        withheld |= mine
        bounds.update(dict.fromkeys(mine, (0.0, None)))
        for key, interval in audit.narrow(keys, relation_ids, keys & set(narrow), bounds).items():
            # Only the previous publish's labels can still hold it (they cannot change).
            logger.error(
                "interval audit: %r stays within %s..%s with its part withheld",
                key,
                interval.low,
                interval.high,
            )
    return Widened(added, withheld)


def _unsettled(
    audit: Audit, hidden: set[Key], steady: frozenset[Key]
) -> list[tuple[set[Key], list[int]]]:
    """The parts that hold a key or a relation that is not as the previous publish had
    it (`steady`); the others are the system the previous audit proved wide. A key
    without a value is a never-shown unknown (a team in a district) or its copy in the
    previous publish: the relations over the previous publish of a settled part are
    today's with those unknowns renamed, so they tell the reader nothing more."""

    import numpy as np

    values = audit.values
    same = np.fromiter(
        (
            key in steady or (key[1] if key[0] == BEFORE else key) not in values
            for key in audit.keys
        ),
        dtype=bool,
        count=len(audit.keys),
    )
    is_hidden = np.zeros(len(audit.keys), dtype=bool)
    is_hidden[[audit.ids[k] for k in hidden if k in audit.ids]] = True
    # A relation holding a key that is not the same: its hidden keys are seeds too.
    starts = audit.term_start[:-1]
    moved = ~np.logical_and.reduceat(same[audit.term_key], starts) if len(starts) else starts
    terms = np.repeat(moved, np.diff(audit.term_start)) if len(starts) else moved
    seed_ids = np.flatnonzero(is_hidden & ~same)
    seed_ids = np.union1d(seed_ids, audit.term_key[terms][is_hidden[audit.term_key[terms]]])
    seeds = {audit.keys[i] for i in seed_ids.tolist()}
    parts: list[tuple[set[Key], list[int]]] = []
    done: set[Key] = set()
    for seed in sorted(seeds, key=repr):
        if seed not in done:
            keys, relation_ids = audit.part_of([seed], hidden)
            done |= keys
            parts.append((keys, relation_ids))
    STATS["keys settled"] += len(hidden) - len(done)
    return parts


def _to_hide(
    audit: Audit,
    narrow: Key,
    interval: Interval,
    hidden: set[Key],
    candidates: Mapping[Key, int],
    hide_bounds: Mapping[Key, tuple[float, float | None]],
    count: int = 1,
) -> list[Key]:
    """Up to `count` shown cells to hide for a narrow target, one per relation, from the
    relations that hold an end of its range and the other relations with `narrow`
    (failing those, from the relations of any hidden key of its part). A relation's cell
    is the one with the fewest residents among those that, once hidden, could move by
    what the range lacks (its value minus what its "×" says), else the one with the
    fewest residents. While some relations hold no other hidden key (each of them pins
    the target exactly on its own), only those are used; the ones that hold an end
    first, then by cost. One hidden cell that frees enough saves rounds of small ones."""
    need = audit.width - interval.width

    def cost(k: Key) -> tuple[bool, int, str]:
        room = float(audit.values[k]) - hide_bounds.get(k, (0.0, None))[0]
        return (room < need, candidates[k], repr(k))

    found: dict[Key, tuple[bool, int]] = {}
    """Per cell: (its relation holds another hidden key, the group it came from)."""
    asked: set[int] = set()
    groups: list[Iterable[int]] = [interval.binding, audit.of_key.get(narrow, ())]
    for attempt, relation_ids in enumerate(groups):
        for r in relation_ids:
            if r in asked:
                continue
            asked.add(r)
            keys = audit.relations[r].keys
            near = [k for k in keys if k not in hidden and k in candidates]
            if not near:
                continue
            cell = min(near, key=cost)
            rank = (any(k in hidden and k != narrow for k in keys), attempt)
            found[cell] = min(found.get(cell, rank), rank)
        if attempt == 1 and not found:  # the part's relations, only when needed
            groups.append(audit.part_of([narrow], hidden)[1])
    # While a relation pins it exactly, hide there only: more elsewhere would be waste.
    pool = [k for k, (shared, _attempt) in found.items() if not shared] or list(found)
    return sorted(pool, key=lambda k: (*found[k], *cost(k)))[:count]
