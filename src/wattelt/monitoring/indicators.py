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
same eight queries.

The queries read the summary tables of models.py (kept up to date by summary.py, in
the transaction that changes the data), which hold per trajectory, measurement, chip,
chip pair and goal review the scope and age already worked out: no joins and no
correlated subqueries. They give exactly the figures the raw tables give (see
tests/monitoring/test_indicator_properties.py and docs/adr/0005).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar, overload

from django.db import models
from django.db.models import (
    Avg,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    Value,
)
from django.db.models.functions import ExtractQuarter, ExtractYear

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

Dimension = Literal["district_id", "team_id", "young"]
Dimensions = tuple[Dimension, ...]
CUBE_DIMENSIONS: Dimensions = ("district_id", "team_id", "young")
"""What `cube` splits every figure by, besides the quarter."""

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
        return ExtractYear(date_field) * 10 + ExtractQuarter(date_field)
    return Value(WHOLE_PERIOD, output_field=models.IntegerField())


def _dimensions(dims: Dimensions, young: str, path: str = "") -> dict[str, Any]:
    """The extra GROUP BY columns (none when the figures are not split)."""
    return {f"g_{dim}": F(f"{path}{young if dim == 'young' else dim}") for dim in dims}


def _key(row: Mapping[str, Any], dims: Dimensions) -> Key:
    if not dims:
        return row["period"]
    values = (bool(row["g_young"]) if dim == "young" else row[f"g_{dim}"] for dim in dims)
    return (row["period"], *values)


def _counted(resident: str, condition: Q | None = None) -> dict[str, Any]:
    """Aggregates for one Figure: rows, and distinct residents, under a condition."""
    return {
        "count": Count("pk", filter=condition),
        "residents": Count(resident, filter=condition, distinct=True),
    }


def _figures(prefix: str, resident: str, condition: Q | None = None) -> dict[str, Any]:
    return {f"{prefix}_{k}": v for k, v in _counted(resident, condition).items()}


def _figure(row: Mapping[str, Any], prefix: str) -> Figure:
    return Figure(count=row[f"{prefix}_count"], residents=row[f"{prefix}_residents"])


# --- registration -----------------------------------------------------------------------


def _trajectory_counts(
    sel: Selection, by_quarter: bool, dims: Dimensions = ()
) -> dict[Key, TrajectoryCounts]:
    rows = (
        TrajectorySummary.objects.filter(started_on__range=(sel.start, sel.end))
        .filter(_in_selection(sel, "young_at_start"))
        .annotate(period=_period_key("started_on", by_quarter))
        .values("period", **_dimensions(dims, "young_at_start"))
        .annotate(
            **_figures("all", "resident_id"),
            **_figures("start", "resident_id", Q(has_start=True)),
            **_figures("early", "resident_id", Q(early_start=True)),
            **_figures("follow_up", "resident_id", Q(has_follow_up=True)),
            **_figures("end", "resident_id", Q(has_end=True)),
        )
        .order_by()
    )
    reasons = _not_filled_in(sel, by_quarter, dims)
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
    sel: Selection, by_quarter: bool, dims: Dimensions
) -> dict[Key, dict[str, Figure]]:
    """Records of measurements not filled in, recorded in the period, by reason (age
    judged on the trajectory's start date)."""
    path = "trajectory__monitoring_summary__"
    rows = (
        not_filled_in_recorded(sel.start, sel.end)
        .filter(_in_selection(sel, "young_at_start", path))
        .annotate(period=_period_key("recorded_on", by_quarter))
        .values("period", "reason", **_dimensions(dims, "young_at_start", path))
        .annotate(**_counted("trajectory__resident_id"))
        .order_by()
    )
    by_period: dict[Key, dict[str, Figure]] = {}
    for row in rows:
        by_reason = by_period.setdefault(_key(row, dims), _no_reasons())
        by_reason[row["reason"]] = Figure(row["count"], row["residents"])
    return by_period


def trajectory_counts(sel: Selection) -> TrajectoryCounts:
    """Trajectories started in the period: how many, with a start measurement (within 30
    days: the registration rate), a follow-up, an end measurement; not-filled-in by reason."""
    return _trajectory_counts(sel, False).get(WHOLE_PERIOD, TrajectoryCounts())


# --- which themes play where ------------------------------------------------------------


def _band_figures(resident: str) -> dict[str, Any]:
    aggregates = {}
    for band, low, high in BANDS:
        in_band = Q(chip__gte=low, chip__lte=high)
        aggregates.update(_figures(band, resident, in_band))
    return aggregates


def _domain_profile(
    sel: Selection, by_quarter: bool, dims: Dimensions = ()
) -> dict[Key, list[DistrictProfile]]:
    in_period = Q(measured_on__range=(sel.start, sel.end)) & _in_selection(sel, "young")
    period = _period_key("measured_on", by_quarter)
    chips = (
        ChipFact.objects.filter(in_period)
        .annotate(period=period)
        .values("period", "district_id", key=F("domain_key"), **_dimensions(dims, "young"))
        .annotate(
            first_position=Min("position"),
            **_figures("chosen", "resident_id"),
            **_figures("prioritised", "resident_id", Q(prioritised=True)),
            **_band_figures("resident_id"),
        )
        .order_by("first_position", "key")
    )
    measured = list(
        MeasurementFact.objects.filter(in_period)
        .annotate(period=period)
        .values("period", "district_id", **_dimensions(dims, "young"))
        .annotate(**_counted("resident_id"))
        .order_by()
    )
    names = dict(
        District.objects.filter(pk__in={row["district_id"] for row in measured}).values_list(
            "pk", "name"
        )
    )
    measured.sort(key=lambda row: (names[row["district_id"]], row["district_id"]))
    profiles = {
        (_key(row, dims), row["district_id"]): DistrictProfile(
            district_id=row["district_id"],
            district=names[row["district_id"]],
            measurements=Figure(row["count"], row["residents"]),
            domains=[],
        )
        for row in measured
    }
    for row in chips:
        profiles[_key(row, dims), row["district_id"]].domains.append(
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


def _change_aggregates(resident: str, step: int) -> dict[str, Any]:
    return {
        **_figures("pairs", resident),
        "mean": Avg("change"),
        **_figures("improved", resident, Q(change__gte=step)),
        **_figures("same", resident, Q(change__gt=-step, change__lt=step)),
        **_figures("worse", resident, Q(change__lte=-step)),
    }


def _change(row: Mapping[str, Any]) -> Change:
    mean = row["mean"]
    return Change(
        pairs=_figure(row, "pairs"),
        mean=None if mean is None else float(mean),
        improved=_figure(row, "improved"),
        same=_figure(row, "same"),
        worse=_figure(row, "worse"),
    )


def _paired_change(
    sel: Selection, by_quarter: bool, dims: Dimensions = ()
) -> dict[Key, dict[str, Change]]:
    rows = (
        ChipPair.objects.filter(latest_on__range=(sel.start, sel.end))
        .filter(_in_selection(sel, "young"))
        .annotate(period=_period_key("latest_on", by_quarter))
        .values("period", key=F("domain_key"), **_dimensions(dims, "young"))
        .annotate(
            first_position=Min("position"),
            **_change_aggregates("resident_id", CHIP_STEP),
        )
        .order_by("first_position", "key")
    )
    by_period: dict[Key, dict[str, Change]] = {}
    for row in rows:
        by_period.setdefault(_key(row, dims), {})[row["key"]] = _change(row)
    return by_period


def paired_change(sel: Selection) -> dict[str, Change]:
    """Per domain (in catalogue order), the resident's chip from the first to the latest
    measurement of trajectories whose latest measurement falls in the period."""
    return _paired_change(sel, False).get(WHOLE_PERIOD, {})


def _quality_of_life_change(
    sel: Selection, by_quarter: bool, dims: Dimensions = ()
) -> dict[Key, Change]:
    rows = (
        TrajectorySummary.objects.filter(latest_on__range=(sel.start, sel.end))
        .filter(_in_selection(sel, "latest_young"))
        .exclude(latest_measurement_id=F("first_measurement_id"))
        .filter(latest_grade__isnull=False, first_grade__isnull=False)
        .annotate(
            change=ExpressionWrapper(
                F("latest_grade") - F("first_grade"), output_field=models.IntegerField()
            ),
            period=_period_key("latest_on", by_quarter),
        )
        .values("period", **_dimensions(dims, "latest_young"))
        .annotate(**_change_aggregates("resident_id", GRADE_STEP))
        .order_by()
    )
    return {_key(row, dims): _change(row) for row in rows}


def quality_of_life_change(sel: Selection) -> Change:
    """The quality-of-life grade from the first to the latest measurement, for
    trajectories whose latest measurement falls in the period."""
    return _quality_of_life_change(sel, False).get(WHOLE_PERIOD, Change())


# --- goals --------------------------------------------------------------------------------


def _goal_attainment(
    sel: Selection, by_quarter: bool, dims: Dimensions = ()
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
    rows = (
        GoalReviewFact.objects.filter(in_period)
        .filter(_in_selection(sel, "young"))
        .annotate(period=period)
        .exclude(Exists(later))
        .values("period", "status", **_dimensions(dims, "young"))
        .annotate(**_counted("resident_id"))
        .order_by()
    )
    by_period: dict[Key, dict[str, Figure]] = {}
    for row in rows:
        by_status = by_period.setdefault(
            _key(row, dims), dict.fromkeys(ATTAINMENT_STATUSES, NO_FIGURE)
        )
        by_status[row["status"]] = Figure(row["count"], row["residents"])
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
    sel: Selection, dims: Dimensions, by_quarter: bool = True, with_profile: bool = True
) -> dict[Key, Figures]:
    """Every indicator of the selection split by quarter (or not) and by `dims`, in
    eight queries (five without the domain profile) whatever the number of groups. Each
    group's figures are exactly what the indicator functions give for a Selection
    narrowed to that group: the age and the quarter are judged on each indicator's own
    date (start date for trajectory counts, the latest measurement for change, the
    measurement for the rest). Residents of different groups must not be added up: one
    resident can be in several groups (quarters, teams, turning 18)."""
    counts = _trajectory_counts(sel, by_quarter, dims)
    profiles = _domain_profile(sel, by_quarter, dims) if with_profile else {}
    pairs = _paired_change(sel, by_quarter, dims)
    grades = _quality_of_life_change(sel, by_quarter, dims)
    goals = _goal_attainment(sel, by_quarter, dims)
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
