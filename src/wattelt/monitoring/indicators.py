"""Every monitoring indicator, in one place, computed in the database.

The definitions follow docs "Indicator definitions" (shared/domain.md): only confirmed
measurements count (a corrected measurement's earlier version is superseded, drafts
never count); the first and latest measurement of a trajectory are ordered by
(measured_on, id), as the instrument orders them; a young person is under 18 on the
measurement date (for trajectory counts: on the start date).

Every figure comes with the number of distinct residents behind it (`Figure.residents`),
because that is what small-cell suppression looks at. Nothing here is suppressed yet:
whatever leaves the system goes through `suppression.suppress_small_cells`.

Each indicator is one or two GROUP BY queries, whatever the data size; the quarterly
series groups by quarter in the same queries instead of asking once per quarter, and
`grouped` splits every indicator by quarter and by district, team or age group in the
same eight queries. A query counts distinct residents by grouping per resident first
(`_per_group`), not with COUNT(DISTINCT), which sorts once per figure and group.

The queries read the summary tables of models.py (kept up to date by summary.py, in
the transaction that changes the data), which hold per trajectory, measurement, chip,
chip pair and goal review the scope and age already worked out: no joins and no
correlated subqueries. They give exactly the figures the raw tables give (see
tests/monitoring/test_indicator_properties.py and docs/adr/0005).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar, overload

from django.db import connections, models
from django.db.models import (
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Cast, ExtractQuarter, ExtractYear

from wattelt.instrument.figures import (
    REGISTRATION_DAYS,
    not_filled_in_recorded,
    per_reason,
    registration_rate,
)
from wattelt.instrument.models import Goal, Measurement
from wattelt.organisations.models import District

from .models import ChipFact, ChipPair, GoalReviewFact, MeasurementFact, TrajectorySummary

AgeGroup = Literal["all", "adult", "young"]
AGE_GROUPS: tuple[AgeGroup, ...] = ("all", "adult", "young")

START_MEASUREMENT_DAYS = REGISTRATION_DAYS
"""Registration rate: a start measurement within this many days of the trajectory's start
(the one definition, shared with the adoption page: instrument/figures.py)."""
CHIP_STEP = 10
"""Paired change of a chip: improved at +10 or more, worse at -10 or less."""
GRADE_STEP = 1
"""Quality-of-life change: improved at +1 grade or more, worse at -1 or less (see report)."""
BANDS: tuple[tuple[str, int, int], ...] = (
    ("not_good", 0, 33),  # gaat niet goed
    ("fair", 34, 66),  # gaat redelijk
    ("good", 67, 100),  # gaat goed
)
ATTAINMENT_STATUSES = [s for s in Goal.Status.values if s != Goal.Status.OPEN]

CONFIRMED = Measurement.Status.CONFIRMED
WHOLE_PERIOD = 0
"""The period key when the figures are not split by quarter."""


@dataclass(frozen=True)
class Selection:
    """Which figures: a period (both dates included) and optional filters."""

    start: dt.date
    end: dt.date
    municipality_id: int | None = None
    organisation_id: int | None = None
    team_ids: tuple[int, ...] = ()
    district_ids: tuple[int, ...] = ()
    age_group: AgeGroup = "all"

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("The period ends before it starts.")
        if self.age_group not in AGE_GROUPS:
            raise ValueError(f"Unknown age group {self.age_group!r}.")


@dataclass(frozen=True)
class Figure:
    """A number and the distinct residents behind it."""

    count: int = 0
    residents: int = 0


NO_FIGURE = Figure()


@dataclass(frozen=True)
class TrajectoryCounts:
    """Trajectories started in the period, how many were measured, and the records of
    measurements not filled in (recorded in the period) by reason."""

    trajectories: Figure = NO_FIGURE
    with_start: Figure = NO_FIGURE
    start_within_30_days: Figure = NO_FIGURE
    with_follow_up: Figure = NO_FIGURE
    with_end: Figure = NO_FIGURE
    not_filled_in: Mapping[str, Figure] = field(default_factory=lambda: per_reason(NO_FIGURE))

    @property
    def registration_rate(self) -> float | None:
        """Share of the trajectories with a start measurement within 30 days."""
        return registration_rate(self.trajectories.count, self.start_within_30_days.count)


@dataclass(frozen=True)
class DomainFigures:
    """One domain in one district: chosen, prioritised, and the resident's chips by band."""

    domain: str
    chosen: Figure
    prioritised: Figure
    bands: Mapping[str, Figure]


@dataclass(frozen=True)
class DistrictProfile:
    """Which themes play in a district: the domains in the order of the catalogue."""

    district_id: int
    district: str
    measurements: Figure
    domains: list[DomainFigures]


@dataclass(frozen=True)
class Change:
    """Paired change from first to latest measurement, one pair per trajectory."""

    pairs: Figure = NO_FIGURE
    mean: float | None = None
    improved: Figure = NO_FIGURE
    same: Figure = NO_FIGURE
    worse: Figure = NO_FIGURE


@dataclass(frozen=True)
class GoalAttainment:
    """Goals whose status was set in the period, each goal once, with its last status
    set in the period."""

    by_status: Mapping[str, Figure] = field(
        default_factory=lambda: dict.fromkeys(ATTAINMENT_STATUSES, NO_FIGURE)
    )

    @property
    def goals(self) -> int:
        return sum(f.count for f in self.by_status.values())


T = TypeVar("T")


@dataclass(frozen=True)
class Quarter(Generic[T]):
    """One quarter of a series; `start` and `end` are clipped to the selection's period."""

    year: int
    quarter: int
    start: dt.date
    end: dt.date
    figures: T

    @property
    def label(self) -> str:
        return f"{self.year} Q{self.quarter}"


# --- the selection as database filters -------------------------------------------------

Dimension = Literal["district_id", "team_id", "young", "age", "owner"]
"""A column to split by; "young" splits into adults (False) and young people (True),
"age" gives every group three times: "all", "adult" and "young" (from one query);
"owner" once per team and set of teams of the `Owners` given (from one query)."""
Dimensions = tuple[Dimension, ...]
CUBE_DIMENSIONS: Dimensions = ("district_id", "team_id", "young")
"""What `cube` splits every figure by, besides the quarter."""


@dataclass(frozen=True)
class Owners:
    """The "owner" split: only the rows of `teams` count, and every group comes once per
    team (("t", team)) and once per named set of those teams (e.g. what each of several
    scopes holds of a district), from one query. The sets' names must sort among
    ("t", team) tuples (`grouped` sorts its keys)."""

    teams: tuple[int, ...]
    sets: Mapping[Hashable, tuple[int, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.teams or not all(self.sets.values()):
            raise ValueError("Owners without teams, or a set of no teams.")
        unknown = {t for teams in self.sets.values() for t in teams} - set(self.teams)
        if unknown:
            raise ValueError(f"Sets with teams that are not owners: {sorted(unknown)}")


Key = Any
"""A group key: the period (int), or (period, *the values of the dimensions) when the
figures are split, e.g. (period, district_id, team_id, young) in the cube."""


def _in_selection(sel: Selection, young: str, path: str = "") -> Q:
    """The selection's filters on a summary table (reached through `path`), whose column
    `young` says whether the resident was young on the indicator's date. The period is
    not included: what falls in the period differs per indicator."""
    q = Q()
    if sel.municipality_id is not None:
        q &= Q(**{f"{path}municipality_id": sel.municipality_id})
    if sel.organisation_id is not None:
        q &= Q(**{f"{path}organisation_id": sel.organisation_id})
    if sel.team_ids:
        q &= Q(**{f"{path}team_id__in": sel.team_ids})
    if sel.district_ids:
        q &= Q(**{f"{path}district_id__in": sel.district_ids})
    if sel.age_group != "all":
        q &= Q(**{f"{path}{young}": sel.age_group == "young"})
    return q


def district_team_pairs(sel: Selection) -> set[tuple[int, int]]:
    """Which teams serve which districts in the selection's scope (any year): public
    knowledge in a municipality, so the suppression audit assumes the reader has it."""
    rows = (
        TrajectorySummary.objects.filter(_in_selection(sel, "young_at_start"))
        .values_list("district_id", "team_id")
        .distinct()
        .order_by()
    )
    return {(district, team) for district, team in rows}


def _period_key(date_field: str, by_quarter: bool) -> Any:
    """Group by quarter (year * 10 + quarter) or not at all (one constant key)."""
    if by_quarter:
        # An integer on every database (EXTRACT gives a decimal on PostgreSQL).
        return Cast(
            ExtractYear(date_field) * 10 + ExtractQuarter(date_field), models.IntegerField()
        )
    return Value(WHOLE_PERIOD, output_field=models.IntegerField())


def _dimensions(dims: Dimensions, young: str, path: str = "") -> dict[str, Any]:
    """The extra GROUP BY columns (none when the figures are not split; "age" is
    `_per_group`'s, see `_ages`)."""
    return {
        f"g_{dim}": F(f"{path}{young if dim == 'young' else dim}")
        for dim in dims
        if dim not in ("age", "owner")
    }


def _ages(dims: Dimensions, young: str, path: str = "") -> str | None:
    """`_per_group`'s `ages` for the dimensions: the age column when split by "age"."""
    return f"{path}{young}" if "age" in dims else None


def _key(row: Mapping[str, Any], dims: Dimensions) -> Key:
    if not dims:
        return row["period"]
    values = (
        bool(row["g_young"])
        if dim == "young"
        else row["g_age"]
        if dim == "age"
        else row["g_owner"]
        if dim == "owner"
        else row[f"g_{dim}"]
        for dim in dims
    )
    return (row["period"], *values)


def _figure(row: Mapping[str, Any], prefix: str) -> Figure:
    return Figure(count=row[f"{prefix}_count"], residents=row[f"{prefix}_residents"])


def _per_group(
    rows: QuerySet[Any],
    keys: Sequence[str],
    resident: str,
    figures: Mapping[str, Q | None],
    lowest: Mapping[str, str] | None = None,
    total: Mapping[str, str] | None = None,
    ages: str | None = None,
    owners: Owners | None = None,
    team: str = "team_id",
) -> list[dict[str, Any]]:
    """`rows` grouped by `keys` (annotations of `rows`): per figure its rows
    (`<name>_count`) and distinct residents (`<name>_residents`) under its condition,
    the lowest value of each of `lowest` and the sum of each of `total`. With `ages`
    (the column saying whether the resident was young on the row's date), each group
    comes as all ages (`g_age` "all") and as adults and young people (each only when
    it has rows), from the same query. With `owners` (`team` the rows' team column),
    only the rows of `owners.teams` count, and each group comes once per team and once
    per set of `owners.sets` (`g_owner`: ("t", team) or the set's name), from the same
    query.

    In two steps: first one row per group and resident (how many of that resident's
    rows meet each condition, on each side: of each age, of each team), then per group
    (the rows summed over the group's sides, the residents with any counted). That is
    exactly COUNT(DISTINCT resident) per figure, age group and set of teams, without
    the sort per figure and group that a DISTINCT aggregate costs, and without a query
    per age group or set of teams."""
    lowest, total = lowest or {}, total or {}
    age_sides: dict[str, Q | None] = (
        {"": None} if ages is None else {"y": Q(**{ages: True}), "a": ~Q(**{ages: True})}
    )
    age_groups = (
        {"all": [""]} if ages is None else {"all": ["y", "a"], "young": ["y"], "adult": ["a"]}
    )
    team_sides: dict[str, Q | None] = {"": None}
    owner_groups: dict[str, tuple[Hashable, list[str]]] = {"": ("", [""])}
    if owners is not None:
        rows = rows.filter(**{f"{team}__in": owners.teams})
        team_sides = {f"t{t}": Q(**{team: t}) for t in owners.teams}
        owner_groups = {f"t{t}": (("t", t), [f"t{t}"]) for t in owners.teams}
        for number, (name, teams) in enumerate(owners.sets.items()):
            owner_groups[f"s{number}"] = (name, [f"t{t}" for t in teams])
    sides = {
        age + side: _both(on_age, on_team)
        for age, on_age in age_sides.items()
        for side, on_team in team_sides.items()
    }
    # The lowest values per team (not per age): a set of teams takes the lowest of its own.
    aggregates: dict[str, Any] = {
        f"low_{name}_{side}": Min(column, filter=on_team)
        for name, column in lowest.items()
        for side, on_team in team_sides.items()
    }
    for side, on_side in sides.items():
        if None not in figures.values():  # else that figure's count is the rows'
            aggregates[f"rows_{side}"] = Count("pk", filter=on_side)
        for name, condition in figures.items():
            aggregates[f"n_{name}_{side}"] = Count("pk", filter=_both(condition, on_side))
        for name, column in total.items():
            aggregates[f"sum_{name}_{side}"] = Sum(column, filter=on_side, default=0)
    per_resident = rows.values(*keys, per_resident=F(resident)).annotate(**aggregates).order_by()
    connection = connections[per_resident.db]
    inner, params = per_resident.query.get_compiler(connection=connection).as_sql()
    q = connection.ops.quote_name
    groups = {
        f"{age}{'|' + owner if owner else ''}": (
            age,
            owned,
            [a + o for a in parts for o in teams],
            teams,
        )
        for age, parts in age_groups.items()
        for owner, (owned, teams) in owner_groups.items()
    }
    columns = [q(key) for key in keys]
    columns += [
        f"MIN({q(f'low_{name}_{side}')}) AS {q(f'low:{name}:{side}')}"
        for name in lowest
        for side in team_sides
    ]
    for group, (_age, _owned, parts, _teams) in groups.items():

        def summed(prefix: str, parts: list[str] = parts) -> str:
            return " + ".join(q(f"{prefix}_{side}") for side in parts)

        rows_of = next((f"n_{n}" for n, c in figures.items() if c is None), "rows")
        columns.append(f"SUM({summed(rows_of)}) AS {q(f'{group}:rows')}")
        for name in figures:
            n = summed(f"n_{name}")
            columns += [
                f"SUM({n}) AS {q(f'{group}:{name}_count')}",
                f"SUM(CASE WHEN {n} > 0 THEN 1 ELSE 0 END) AS {q(f'{group}:{name}_residents')}",
            ]
        columns += [f"SUM({summed(f'sum_{name}')}) AS {q(f'{group}:{name}')}" for name in total]
    group_by = ", ".join(q(key) for key in keys)
    sql = f"SELECT {', '.join(columns)} FROM ({inner}) per_resident GROUP BY {group_by}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        found = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    measured = [f"{name}_{part}" for name in figures for part in ("count", "residents")]
    result = []
    for row in found:
        for group, (age, owned, _parts, team_parts) in groups.items():
            if not row[f"{group}:rows"]:
                continue
            out = {key: row[key] for key in keys}
            for name in lowest:
                lows = [row[f"low:{name}:{side}"] for side in team_parts]
                out[name] = min((low for low in lows if low is not None), default=None)
            if ages is not None:
                out["g_age"] = age
            if owners is not None:
                out["g_owner"] = owned
            for name in (*measured, *total):  # SUM gives a decimal on PostgreSQL
                value = row[f"{group}:{name}"]
                out[name] = None if value is None else int(value)
            result.append(out)
    return result


def _both(first: Q | None, second: Q | None) -> Q | None:
    """Both conditions (None: no condition)."""
    if first is None or second is None:
        return second if first is None else first
    return first & second


# --- registration -----------------------------------------------------------------------


def _trajectory_counts(
    sel: Selection, by_quarter: bool, dims: Dimensions = (), owners: Owners | None = None
) -> dict[Key, TrajectoryCounts]:
    dimensions = _dimensions(dims, "young_at_start")
    rows = _per_group(
        TrajectorySummary.objects.filter(started_on__range=(sel.start, sel.end))
        .filter(_in_selection(sel, "young_at_start"))
        .annotate(period=_period_key("started_on", by_quarter), **dimensions),
        ["period", *dimensions],
        "resident_id",
        {
            "all": None,
            "start": Q(has_start=True),
            "early": Q(early_start=True),
            "follow_up": Q(has_follow_up=True),
            "end": Q(has_end=True),
        },
        ages=_ages(dims, "young_at_start"),
        owners=owners,
    )
    reasons = _not_filled_in(sel, by_quarter, dims, owners)
    counts = {}
    for row in rows:
        key = _key(row, dims)
        counts[key] = TrajectoryCounts(
            trajectories=_figure(row, "all"),
            with_start=_figure(row, "start"),
            start_within_30_days=_figure(row, "early"),
            with_follow_up=_figure(row, "follow_up"),
            with_end=_figure(row, "end"),
            not_filled_in=reasons.pop(key, _no_reasons()),
        )
    for key, by_reason in reasons.items():
        counts[key] = TrajectoryCounts(not_filled_in=by_reason)
    return counts


def _no_reasons() -> dict[str, Figure]:
    return per_reason(NO_FIGURE)


def _not_filled_in(
    sel: Selection, by_quarter: bool, dims: Dimensions, owners: Owners | None = None
) -> dict[Key, dict[str, Figure]]:
    """Records of measurements not filled in, recorded in the period, by reason (age
    judged on the trajectory's start date)."""
    path = "trajectory__monitoring_summary__"
    dimensions = _dimensions(dims, "young_at_start", path)
    rows = _per_group(
        not_filled_in_recorded(sel.start, sel.end)
        .filter(_in_selection(sel, "young_at_start", path))
        .annotate(period=_period_key("recorded_on", by_quarter), why=F("reason"), **dimensions),
        ["period", "why", *dimensions],
        "trajectory__resident_id",
        {"records": None},
        ages=_ages(dims, "young_at_start", path),
        owners=owners,
        team=f"{path}team_id",
    )
    by_period: dict[Key, dict[str, Figure]] = {}
    for row in rows:
        by_reason = by_period.setdefault(_key(row, dims), _no_reasons())
        by_reason[row["why"]] = _figure(row, "records")
    return by_period


def trajectory_counts(sel: Selection) -> TrajectoryCounts:
    """Trajectories started in the period: how many, with a start measurement (within 30
    days: the registration rate), a follow-up, an end measurement; not-filled-in by reason."""
    return _trajectory_counts(sel, False).get(WHOLE_PERIOD, TrajectoryCounts())


# --- which themes play where ------------------------------------------------------------


def _domain_profile(
    sel: Selection, by_quarter: bool, dims: Dimensions = (), owners: Owners | None = None
) -> dict[Key, list[DistrictProfile]]:
    in_period = Q(measured_on__range=(sel.start, sel.end)) & _in_selection(sel, "young")
    period = _period_key("measured_on", by_quarter)
    dimensions = _dimensions(dims, "young")
    chips = _per_group(
        ChipFact.objects.filter(in_period).annotate(
            period=period, part=F("district_id"), key=F("domain_key"), **dimensions
        ),
        ["period", "part", "key", *dimensions],
        "resident_id",
        {
            "chosen": None,
            "prioritised": Q(prioritised=True),
            **{band: Q(chip__gte=low, chip__lte=high) for band, low, high in BANDS},
        },
        lowest={"first_position": "position"},
        ages=_ages(dims, "young"),
        owners=owners,
    )
    chips.sort(key=lambda row: (row["first_position"], row["key"]))
    measured = _per_group(
        MeasurementFact.objects.filter(in_period).annotate(
            period=period, part=F("district_id"), **dimensions
        ),
        ["period", "part", *dimensions],
        "resident_id",
        {"measurements": None},
        ages=_ages(dims, "young"),
        owners=owners,
    )
    names = dict(
        District.objects.filter(pk__in={row["part"] for row in measured}).values_list("pk", "name")
    )
    measured.sort(key=lambda row: (names[row["part"]], row["part"]))
    profiles = {
        (_key(row, dims), row["part"]): DistrictProfile(
            district_id=row["part"],
            district=names[row["part"]],
            measurements=_figure(row, "measurements"),
            domains=[],
        )
        for row in measured
    }
    for row in chips:
        profiles[_key(row, dims), row["part"]].domains.append(
            DomainFigures(
                domain=row["key"],
                chosen=_figure(row, "chosen"),
                prioritised=_figure(row, "prioritised"),
                bands={band: _figure(row, band) for band, _low, _high in BANDS},
            )
        )
    by_period: dict[Key, list[DistrictProfile]] = {}
    for (key, _district), profile in profiles.items():
        by_period.setdefault(key, []).append(profile)
    return by_period


def domain_profile(sel: Selection) -> list[DistrictProfile]:
    """Per district: how often each domain was chosen and prioritised in confirmed
    measurements measured in the period, and where the resident's chips sit (bands)."""
    return _domain_profile(sel, False).get(WHOLE_PERIOD, [])


# --- change ------------------------------------------------------------------------------


def _change_figures(step: int) -> dict[str, Q | None]:
    """The parts of a change (the rows hold `change`), for `_per_group`."""
    return {
        "pairs": None,
        "improved": Q(change__gte=step),
        "same": Q(change__gt=-step, change__lt=step),
        "worse": Q(change__lte=-step),
    }


def _change(row: Mapping[str, Any]) -> Change:
    """A group's change from `_per_group` with `total={"change": ...}`: the mean is the
    sum of the changes over the pairs."""
    pairs = _figure(row, "pairs")
    return Change(
        pairs=pairs,
        mean=row["change"] / pairs.count if pairs.count else None,
        improved=_figure(row, "improved"),
        same=_figure(row, "same"),
        worse=_figure(row, "worse"),
    )


def _paired_change(
    sel: Selection, by_quarter: bool, dims: Dimensions = (), owners: Owners | None = None
) -> dict[Key, dict[str, Change]]:
    dimensions = _dimensions(dims, "young")
    rows = _per_group(
        ChipPair.objects.filter(latest_on__range=(sel.start, sel.end))
        .filter(_in_selection(sel, "young"))
        .annotate(period=_period_key("latest_on", by_quarter), key=F("domain_key"), **dimensions),
        ["period", "key", *dimensions],
        "resident_id",
        _change_figures(CHIP_STEP),
        lowest={"first_position": "position"},
        total={"change": "change"},
        ages=_ages(dims, "young"),
        owners=owners,
    )
    rows.sort(key=lambda row: (row["first_position"], row["key"]))
    by_period: dict[Key, dict[str, Change]] = {}
    for row in rows:
        by_period.setdefault(_key(row, dims), {})[row["key"]] = _change(row)
    return by_period


def paired_change(sel: Selection) -> dict[str, Change]:
    """Per domain (in catalogue order), the resident's chip from the first to the latest
    measurement of trajectories whose latest measurement falls in the period."""
    return _paired_change(sel, False).get(WHOLE_PERIOD, {})


def _quality_of_life_change(
    sel: Selection, by_quarter: bool, dims: Dimensions = (), owners: Owners | None = None
) -> dict[Key, Change]:
    dimensions = _dimensions(dims, "latest_young")
    rows = _per_group(
        TrajectorySummary.objects.filter(latest_on__range=(sel.start, sel.end))
        .filter(_in_selection(sel, "latest_young"))
        .exclude(latest_measurement_id=F("first_measurement_id"))
        .filter(latest_grade__isnull=False, first_grade__isnull=False)
        .annotate(
            change=ExpressionWrapper(
                F("latest_grade") - F("first_grade"), output_field=models.IntegerField()
            ),
            period=_period_key("latest_on", by_quarter),
            **dimensions,
        ),
        ["period", *dimensions],
        "resident_id",
        _change_figures(GRADE_STEP),
        total={"change": "change"},
        ages=_ages(dims, "latest_young"),
        owners=owners,
    )
    return {_key(row, dims): _change(row) for row in rows}


def quality_of_life_change(sel: Selection) -> Change:
    """The quality-of-life grade from the first to the latest measurement, for
    trajectories whose latest measurement falls in the period."""
    return _quality_of_life_change(sel, False).get(WHOLE_PERIOD, Change())


# --- goals --------------------------------------------------------------------------------


def _goal_attainment(
    sel: Selection, by_quarter: bool, dims: Dimensions = (), owners: Owners | None = None
) -> dict[Key, GoalAttainment]:
    period = _period_key("measured_on", by_quarter)
    in_period = Q(measured_on__range=(sel.start, sel.end))
    # A later review of the same goal in the same period replaces this one (whatever
    # the selection's other filters say about that later review). Every summary row of
    # a resident carries the resident's district (summary.py), so the later review's
    # district is this one's: said here, it lets PostgreSQL read only the selection's
    # districts for the later reviews instead of every review of the year.
    later = (
        GoalReviewFact.objects.filter(
            in_period, goal_id=OuterRef("goal_id"), district_id=OuterRef("district_id")
        )
        .annotate(later_period=period)
        .filter(later_period=OuterRef("period"))
        .filter(
            Q(measured_on__gt=OuterRef("measured_on"))
            | Q(measured_on=OuterRef("measured_on"), measurement_id__gt=OuterRef("measurement_id"))
        )
    )
    dimensions = _dimensions(dims, "young")
    rows = _per_group(
        GoalReviewFact.objects.filter(in_period)
        .filter(_in_selection(sel, "young"))
        .annotate(period=period)
        .exclude(Exists(later))
        .annotate(reached=F("status"), **dimensions),
        ["period", "reached", *dimensions],
        "resident_id",
        {"goals": None},
        ages=_ages(dims, "young"),
        owners=owners,
    )
    by_period: dict[Key, dict[str, Figure]] = {}
    for row in rows:
        by_status = by_period.setdefault(
            _key(row, dims), dict.fromkeys(ATTAINMENT_STATUSES, NO_FIGURE)
        )
        by_status[row["reached"]] = _figure(row, "goals")
    return {key: GoalAttainment(by_status) for key, by_status in by_period.items()}


def goal_attainment(sel: Selection) -> GoalAttainment:
    """Goals whose status was set in the period (at a confirmed measurement measured in
    it), by their last status in the period."""
    return _goal_attainment(sel, False).get(WHOLE_PERIOD, GoalAttainment())


# --- split figures ------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """Every indicator for one group of a split selection (see `grouped`)."""

    trajectory_counts: TrajectoryCounts = field(default_factory=TrajectoryCounts)
    profiles: list[DistrictProfile] = field(default_factory=list)
    paired_change: dict[str, Change] = field(default_factory=dict)
    quality_of_life_change: Change = field(default_factory=Change)
    goal_attainment: GoalAttainment = field(default_factory=GoalAttainment)


def grouped(
    sel: Selection, dims: Dimensions, by_quarter: bool = True, owners: Owners | None = None
) -> dict[Key, Figures]:
    """Every indicator of the selection split by quarter (or not) and by `dims`, in
    eight queries whatever the number of groups ("age" gives all ages, adults and young
    people from the same queries). Each group's figures are exactly what the indicator
    functions give for a Selection narrowed to that group: the age and the quarter are
    judged on each indicator's own date (start date for trajectory counts, the latest
    measurement for change, the measurement for the rest). Residents of different
    groups must not be added up: one resident can be in several groups (quarters,
    teams, turning 18)."""
    if ("owner" in dims) != (owners is not None):
        raise ValueError("The owner split needs its owners, and owners the owner split.")
    counts = _trajectory_counts(sel, by_quarter, dims, owners)
    profiles = _domain_profile(sel, by_quarter, dims, owners)
    pairs = _paired_change(sel, by_quarter, dims, owners)
    grades = _quality_of_life_change(sel, by_quarter, dims, owners)
    goals = _goal_attainment(sel, by_quarter, dims, owners)
    return {
        key: Figures(
            trajectory_counts=counts.get(key, TrajectoryCounts()),
            profiles=profiles.get(key, []),
            paired_change=pairs.get(key, {}),
            quality_of_life_change=grades.get(key, Change()),
            goal_attainment=goals.get(key, GoalAttainment()),
        )
        for key in sorted({*counts, *profiles, *pairs, *grades, *goals})
    }


@dataclass(frozen=True)
class CubeCell:
    """Every indicator for one quarter x district x team x age group (see `grouped`)."""

    year: int
    quarter: int
    district_id: int
    team_id: int
    young: bool
    trajectory_counts: TrajectoryCounts
    measurements: Figure
    domains: list[DomainFigures]
    paired_change: dict[str, Change]
    quality_of_life_change: Change
    goal_attainment: GoalAttainment

    @property
    def age_group(self) -> AgeGroup:
        return "young" if self.young else "adult"


def cube(sel: Selection) -> list[CubeCell]:
    """All indicators per quarter x district x team x age group of the selection, in
    eight queries whatever the number of cells. Only cells with any figure are returned,
    ordered by quarter, district, team, adult before young."""
    cells = []
    for (period, district_id, team_id, young), figures in grouped(sel, CUBE_DIMENSIONS).items():
        profile = figures.profiles[0] if figures.profiles else None
        cells.append(
            CubeCell(
                year=period // 10,
                quarter=period % 10,
                district_id=district_id,
                team_id=team_id,
                young=young,
                trajectory_counts=figures.trajectory_counts,
                measurements=profile.measurements if profile else NO_FIGURE,
                domains=profile.domains if profile else [],
                paired_change=figures.paired_change,
                quality_of_life_change=figures.quality_of_life_change,
                goal_attainment=figures.goal_attainment,
            )
        )
    return cells


# --- over time ----------------------------------------------------------------------------


Indicator = Literal[
    "trajectory_counts",
    "domain_profile",
    "paired_change",
    "quality_of_life_change",
    "goal_attainment",
]

_BY_QUARTER: dict[str, tuple[Callable[[Selection, bool], Mapping[int, Any]], Callable[[], Any]]] = {
    "trajectory_counts": (_trajectory_counts, TrajectoryCounts),
    "domain_profile": (_domain_profile, list),
    "paired_change": (_paired_change, dict),
    "quality_of_life_change": (_quality_of_life_change, Change),
    "goal_attainment": (_goal_attainment, GoalAttainment),
}


def quarters(sel: Selection) -> list[tuple[int, int, dt.date, dt.date]]:
    """(year, quarter, first day, last day) of each quarter the period touches, clipped."""
    spans = []
    year, quarter = sel.start.year, (sel.start.month - 1) // 3 + 1
    while (year, quarter) <= (sel.end.year, (sel.end.month - 1) // 3 + 1):
        first = dt.date(year, 3 * quarter - 2, 1)
        after = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
        last = after - dt.timedelta(days=1)
        spans.append((year, quarter, max(first, sel.start), min(last, sel.end)))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return spans


@overload
def quarterly_series(
    sel: Selection, indicator: Literal["trajectory_counts"]
) -> list[Quarter[TrajectoryCounts]]: ...
@overload
def quarterly_series(
    sel: Selection, indicator: Literal["domain_profile"]
) -> list[Quarter[list[DistrictProfile]]]: ...
@overload
def quarterly_series(
    sel: Selection, indicator: Literal["paired_change"]
) -> list[Quarter[dict[str, Change]]]: ...
@overload
def quarterly_series(
    sel: Selection, indicator: Literal["quality_of_life_change"]
) -> list[Quarter[Change]]: ...
@overload
def quarterly_series(
    sel: Selection, indicator: Literal["goal_attainment"]
) -> list[Quarter[GoalAttainment]]: ...
def quarterly_series(sel: Selection, indicator: Indicator) -> list[Quarter[Any]]:
    """An indicator per quarter of the selection's period (each quarter counted by the
    indicator's own period rule), in the same number of queries as one call."""
    compute, empty = _BY_QUARTER[indicator]
    by_quarter = compute(sel, True)
    return [
        Quarter(year, quarter, first, last, by_quarter.get(year * 10 + quarter, empty()))
        for year, quarter, first, last in quarters(sel)
    ]
