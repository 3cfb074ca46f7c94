"""What a reader of the published figures knows besides the sums of the linked table.

`cube.build_table` links the figures by sums (quarters = year, adults + young = all,
districts = scope, teams = scope, parts = whole). The written definitions and public
knowledge give more, and the interval audit (`audit.py`) must assume the reader uses it:

- order by definition: a trajectory with a start measurement is a trajectory, one with
  a start within 30 days has a start measurement, a prioritised or banded domain was
  chosen; a goal's status in the year is its last one, so the year's count of a status
  is at least that of the last quarter and at most the sum of the quarters;
- which teams serve which districts: the figure of a district is the sum, over the teams
  serving it, of the (never shown) figure of that team in that district, and likewise
  for a team over its districts; those hidden figures add up over quarters and ages too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Iterable

from .audit import AtMost
from .suppression import Group, Table

Key = tuple[Hashable, ...]

ORDERS: tuple[tuple[tuple[str, str], tuple[str, str]], ...] = (
    (("reg:with_start", "count"), ("reg:trajectories", "count")),
    (("reg:early", "count"), ("reg:with_start", "count")),
    (("reg:follow_up", "count"), ("reg:trajectories", "count")),
    (("reg:end", "count"), ("reg:trajectories", "count")),
)
"""(family, item) at most (family, item), in every period, area and age group."""
DOMAIN_PARTS = ("prioritised", "not_good", "fair", "good")


def with_known_relations(
    table: Table,
    quarters: list[int],
    pairs: Iterable[tuple[Hashable, Hashable]],
) -> Table:
    """The table with the orders and the team-in-district unknowns a reader can use.
    `pairs` are (district area, team area) with figures in common (("rest", "d") and
    ("rest", "t") for residents or teams outside the scope)."""
    values = {c.key: c.values.get(table.measure) for c in table.cells}
    orders = [o for o in _orders(values, quarters) if _holds(o, values)]
    unknowns, groups = _crossings(values, quarters, sorted(set(pairs), key=repr))
    # A goal counts once with its last status in all ages, and in each age group with
    # its last status there: all ages <= adults + young people, not equal.
    loose = frozenset(
        g
        for g in table.groups
        if str(g.total[0]).startswith("goal:")
        and g.total[-1] == "all"
        and all(p[-1] in ("adult", "young") for p in g.parts)
    )
    return dataclasses.replace(
        table,
        orders=tuple(orders),
        unknowns=tuple(unknowns),
        unknown_groups=tuple(groups),
        loose=loose,
    )


def _holds(order: AtMost, values: dict[Key, object]) -> bool:
    """A definition that these figures break is no definition (a data error): left out,
    so the reader's system stays what the data satisfy."""
    small = values[order.small]
    large = [values[k] for k in order.large]
    if not isinstance(small, int) or not all(isinstance(v, int) for v in large):
        return False
    return small <= sum(large)  # type: ignore[arg-type]


def _orders(values: dict[Key, object], quarters: list[int]) -> Iterable[AtMost]:
    for key in values:
        family, item, period, area, age = key
        rest = (period, area, age)
        for (small_f, small_i), (large_f, large_i) in ORDERS:
            if (family, item) == (small_f, small_i) and (large_f, large_i, *rest) in values:
                yield AtMost(key, ((large_f, large_i, *rest),))
        if str(family).startswith("dom:") and item in DOMAIN_PARTS:
            yield AtMost(key, ((family, "chosen", *rest),))
        if str(family).startswith("goal:") and period == 0 and quarters:
            parts = tuple((family, item, q, area, age) for q in quarters)
            if all(p in values for p in parts):
                # The year's status of a goal is its last: counted in its last quarter.
                yield AtMost(key, parts)
                yield AtMost(parts[-1], (key,))


def _crossings(
    values: dict[Key, object], quarters: list[int], pairs: list[tuple[Hashable, Hashable]]
) -> tuple[list[Key], list[Group]]:
    """One unknown per (district, team) pair in every figure, period and age group: the
    district's figure is the sum over its teams, the team's over its districts."""
    unknowns: list[Key] = []
    groups: list[Group] = []
    slices = sorted({(f, i, p, a) for (f, i, p, area, a) in values if _is_area(area)}, key=repr)
    kept: set[Key] = set()
    for family, item, period, age in slices:
        by_district: dict[Hashable, list[Key]] = {}
        by_team: dict[Hashable, list[Key]] = {}
        for district, team in pairs:
            d_key = (family, item, period, district, age)
            t_key = (family, item, period, team, age)
            if d_key not in values or t_key not in values:
                continue  # no such cell (a rest that is 0): no figures in common either
            x = ("x", family, item, period, (district, team), age)
            unknowns.append(x)
            kept.add(x)
            by_district.setdefault(district, []).append(x)
            by_team.setdefault(team, []).append(x)
        for area, parts in (*by_district.items(), *by_team.items()):
            groups.append(Group((family, item, period, area, age), tuple(parts)))
    for unknown in unknowns:
        _x, family, item, period, pair, age = unknown
        if str(family).startswith("goal:"):
            continue  # goals: no sum over quarters, and all ages only at most the sum
        if period == 0 and quarters:
            by_quarter: list[Key] = [("x", family, item, q, pair, age) for q in quarters]
            groups.append(Group(unknown, tuple(p for p in by_quarter if p in kept)))
        if age == "all":
            by_age: list[Key] = [("x", family, item, period, pair, a) for a in ("adult", "young")]
            groups.append(Group(unknown, tuple(p for p in by_age if p in kept)))
    return unknowns, [g for g in groups if g.parts]


def _is_area(area: Hashable) -> bool:
    return isinstance(area, tuple) and area[0] in ("d", "t", "rest")
