"""The attacker of issue 14, written apart from the code it attacks.

It holds everything a role can download for a scope and year (the published cube: all
periods, areas, age groups, both perspectives of every figure), the written definitions
and which teams serve which districts (`Team.districts`), and solves, for each hidden
figure, the smallest and largest value it can have (linear programming, HiGHS). It uses
nothing of `audit.py` or `relations.py`: its relations are written out here from the
definitions in domain.md.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import lil_matrix

from wattelt.monitoring.cube import ALL, YEAR, Cube

Key = tuple[Hashable, ...]
AGES = ("all", "adult", "young")
BANDS = ("not_good", "fair", "good")
WIDE = 5
"""A range this wide or wider needs no exact ends: it cannot be pinned to within ±2."""


@dataclass
class System:
    """Unknowns, constants and (in)equalities: sum(coefficient * value) == 0 or <= 0."""

    constants: dict[Key, float] = field(default_factory=dict)
    unknowns: set[Key] = field(default_factory=set)
    equal: list[dict[Key, int]] = field(default_factory=list)
    at_most: list[dict[Key, int]] = field(default_factory=list)
    low: dict[Key, float] = field(default_factory=dict)
    high: dict[Key, float] = field(default_factory=dict)

    def add(self, row: dict[Key, int], equal: bool) -> None:
        """A relation between published figures (left out when one is not published)."""
        if all(k in self.constants or k in self.unknowns for k in row):
            (self.equal if equal else self.at_most).append(row)

    def merge(self, other: System, suffix: str) -> None:
        """Another publish's system beside this one, its keys marked with `suffix`."""

        def mark(k: Key) -> Key:
            return (*k, suffix)

        self.constants.update({mark(k): v for k, v in other.constants.items()})
        self.unknowns |= {mark(k) for k in other.unknowns}
        self.equal += [{mark(k): c for k, c in row.items()} for row in other.equal]
        self.at_most += [{mark(k): c for k, c in row.items()} for row in other.at_most]
        self.low.update({mark(k): v for k, v in other.low.items()})
        self.high.update({mark(k): v for k, v in other.high.items()})


def read(cube: Cube, small: str, hidden: str, truth: Mapping[Key, int]) -> System:
    """What the published cells say: a number, or "<10" (fewer than 10 residents: a
    count of at most 9 where the count is that small) or "×" (10 or more residents, so
    a count of 10 or more where it is that large)."""
    system = System()
    for key, cell in cube.cells.items():
        value = cell.values.get("count")
        if value == small:
            system.unknowns.add(key)
            system.low[key] = 0.0
            if truth[key] < 10:
                system.high[key] = 9.0
        elif value == hidden:
            system.unknowns.add(key)
            system.low[key] = 10.0 if truth[key] >= 10 else 0.0
        elif isinstance(value, int | float):
            system.constants[key] = float(value)
    return system


def relations(system: System, cube: Cube, serves: Mapping[int, set[int]]) -> None:
    """Every relation of the definitions between the published figures."""
    periods = [*cube.quarters, YEAR]
    districts: list[Hashable] = [("d", d) for d in cube.district_ids]
    teams: list[Hashable] = [("t", t) for t in cube.team_ids]
    areas = [ALL, *districts, *teams]
    for family, items in cube.families.items():
        goal = family.startswith("goal:")
        for item in items:
            for period in periods:
                for area in areas:
                    # A goal counts once in all ages with its last status, and in each
                    # age group with its last status there: all <= adults + young.
                    sign = -1 if goal else 1
                    system.add(
                        {
                            (family, item, period, area, "all"): -sign,
                            (family, item, period, area, "adult"): sign,
                            (family, item, period, area, "young"): sign,
                        },
                        not goal,
                    )
                for age in AGES:
                    for parts in (districts, teams):
                        row: dict[Key, int] = {(family, item, period, ALL, age): -1}
                        row.update({(family, item, period, a, age): 1 for a in parts})
                        system.add(row, True)
            for area in areas:
                for age in AGES:
                    year = (family, item, YEAR, area, age)
                    quarters = [(family, item, q, area, age) for q in cube.quarters]
                    if not goal:
                        system.add({year: -1, **dict.fromkeys(quarters, 1)}, True)
                    elif quarters:
                        # A goal counts once, with its last status: the year lies between
                        # the last quarter and the sum of the quarters.
                        system.add({year: 1, **dict.fromkeys(quarters, -1)}, False)
                        system.add({quarters[-1]: 1, year: -1}, False)
        for period in periods:
            for area in areas:
                for age in AGES:
                    _within(system, family, period, area, age)
    _teams_in_districts(system, cube, serves)


def _within(system: System, family: str, period: int, area: Hashable, age: str) -> None:
    def f(item: str, of: str = family) -> Key:
        return (of, item, period, area, age)

    if family == "qol" or family.startswith("chg:"):
        system.add({f("pairs"): -1, f("improved"): 1, f("same"): 1, f("worse"): 1}, True)
    if family.startswith("dom:"):
        system.add({f("prioritised"): 1, f("chosen"): -1}, False)
        system.add({**{f(b): 1 for b in BANDS}, f("chosen"): -1}, False)
    if family == "reg:with_start":
        system.add({f("count"): 1, f("count", "reg:trajectories"): -1}, False)
    if family == "reg:early":
        system.add({f("count"): 1, f("count", "reg:with_start"): -1}, False)
    if family in ("reg:follow_up", "reg:end"):
        system.add({f("count"): 1, f("count", "reg:trajectories"): -1}, False)


def _teams_in_districts(system: System, cube: Cube, serves: Mapping[int, set[int]]) -> None:
    """A team's figure in a district it serves is never shown; the district is the sum
    over the teams serving it, the team the sum over the districts it serves."""
    slices = {(f, i, p, a) for (f, i, p, area, a) in cube.cells if area != ALL}
    for family, item, period, age in slices:
        by_district: dict[int, dict[Key, int]] = {}
        for team, districts in serves.items():
            row: dict[Key, int] = {(family, item, period, ("t", team), age): -1}
            for district in districts:
                x = ("x", family, item, period, district, team, age)
                system.unknowns.add(x)
                system.low[x] = 0.0
                row[x] = 1
                whole = (family, item, period, ("d", district), age)
                by_district.setdefault(district, {whole: -1})[x] = 1
            system.add(row, True)
        for row in by_district.values():
            system.add(row, True)


def intervals(system: System, targets: Iterable[Key]) -> dict[Key, tuple[float, float]]:
    """[min, max] of each target over the system (rounded inwards to whole numbers),
    one linear programme per connected part of the unknowns; (-inf, inf) for a target
    shown to span at least WIDE values without computing its ends."""
    parent = {k: k for k in system.unknowns}

    def root(k: Key) -> Key:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    rows = [(row, True) for row in system.equal] + [(row, False) for row in system.at_most]
    for row, _equal in rows:
        unknown = [k for k in row if k in parent]
        for k in unknown[1:]:
            parent[root(k)] = root(unknown[0])
    wanted: dict[Key, list[Key]] = {}
    for target in targets:
        wanted.setdefault(root(target), []).append(target)
    part_rows: dict[Key, list[tuple[dict[Key, int], bool]]] = {}
    for row, equal in rows:
        first: Key | None = next((k for k in row if k in parent), None)
        if first is not None and root(first) in wanted:
            part_rows.setdefault(root(first), []).append((row, equal))
    found: dict[Key, tuple[float, float]] = {}
    for top, part_targets in wanted.items():
        found.update(_solve(system, part_rows.get(top, []), part_targets))
    return found


def _solve(
    system: System, rows: list[tuple[dict[Key, int], bool]], targets: list[Key]
) -> dict[Key, tuple[float, float]]:
    order = sorted(
        {k for row, _e in rows for k in row if k in system.unknowns} | set(targets), key=repr
    )
    column = {k: n for n, k in enumerate(order)}

    def matrix(chosen: list[dict[Key, int]]) -> tuple[Any, Any]:
        if not chosen:
            return None, None
        a = lil_matrix((len(chosen), len(order)))
        b = np.zeros(len(chosen))
        for r, row in enumerate(chosen):
            for key, coefficient in row.items():
                if key in column:
                    a[r, column[key]] += coefficient
                else:
                    b[r] -= coefficient * system.constants[key]
        return a.tocsr(), b

    a_eq, b_eq = matrix([row for row, equal in rows if equal])
    a_ub, b_ub = matrix([row for row, equal in rows if not equal])
    bounds = [(system.low.get(k, 0.0), system.high.get(k)) for k in order]
    # Any solution shows values the targets can take: a few combined objectives (with a
    # generous cap, whose solutions are solutions too) prove most ranges wide.
    capped = [(low, 1e7 if high is None else high) for low, high in bounds]
    seen = {t: [math.inf, -math.inf] for t in targets}

    def observe(x: Any) -> None:
        for t in targets:
            seen[t][0] = min(seen[t][0], x[column[t]])
            seen[t][1] = max(seen[t][1], x[column[t]])

    rng = np.random.default_rng(14)
    objectives: list[Any] = [1.0, -1.0, *(rng.choice([-1.0, 1.0], len(targets)) for _ in range(3))]
    for weights in objectives:
        c = np.zeros(len(order))
        c[[column[t] for t in targets]] = weights
        result = linprog(c, a_ub, b_ub, a_eq, b_eq, bounds=capped, method="highs")
        assert result.status == 0, result.message
        observe(result.x)
    found: dict[Key, tuple[float, float]] = {}
    for target in targets:
        low_seen, high_seen = seen[target]
        if math.floor(high_seen + 1e-6) - math.ceil(low_seen - 1e-6) >= WIDE:
            found[target] = (-math.inf, math.inf)  # wide enough; its ends are not needed
            continue
        c = np.zeros(len(order))
        c[column[target]] = 1
        low = linprog(c, a_ub, b_ub, a_eq, b_eq, bounds=bounds, method="highs")
        high = linprog(-c, a_ub, b_ub, a_eq, b_eq, bounds=bounds, method="highs")
        assert low.status == 0 and high.status in (0, 3), (target, low.message, high.message)
        top = math.floor(-high.fun + 1e-6) if high.status == 0 else math.inf
        found[target] = (math.ceil(low.fun - 1e-6), top)
    return found
