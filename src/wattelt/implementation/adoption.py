"""Adoption ("blijven gebruiken"): is Wat telt used, per team and per professional, per
month. Figures about professionals, never about residents: no resident's name or id
leaves this module, only counts.

Public API (used by the implementation plan to link its goals to live figures; keep it
stable): `INDICATORS`, `IndicatorValue`, `organisation_value`.

Definitions (the screen shows the same):

* **start_within_14_days**: of the trajectories started in the period whose 14 days
  have passed, the share with a confirmed measurement on or before the start date plus
  14 days. A trajectory counts in the month it started.
* **follow_up_on_time**: every confirmed measurement of a trajectory makes a follow-up
  due `follow_up_interval_months` (the organisation's setting) later, when the
  trajectory is still open on that due date. It was on time when a later confirmed
  measurement of the trajectory is dated no later than the due date plus
  `FOLLOW_UP_TOLERANCE_DAYS`. It counts in the month of its due date, once the
  tolerance has passed. A record of "not filled in" does not count as on time; it is
  counted by reason.
* **end_measurement**: of the trajectories closed in the period, the share with a
  confirmed end measurement or a recorded reason why it was not filled in.
* **professional_view_used** / **carer_view_used**: of the confirmed measurements in the
  period, the share in which at least one professional's (carer's) chip was placed.
  Only for views the organisation's policy offers; otherwise not measured (None).
* **goals_per_measurement**: goals stated in the confirmed measurements of the period,
  divided by those measurements.

Figures per professional are by the trajectory's responsible professional, figures per
team by the trajectory's team. Every figure is one GROUP BY query by (team,
professional, month) over the whole scope, whatever the number of teams, professionals
or months; everything else is summed from those rows in Python (at most teams x
professionals x months rows, not data rows). Calendar-month arithmetic for due dates
is done on month numbers (year * 12 + month) and days, exactly, in SQL (see ADR 0006).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from django.db import connection, models, transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    Value,
    When,
    Window,
)
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear, Lead
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wattelt.instrument.models import ChosenDomain, Goal, Measurement, NotFilledIn
from wattelt.organisations.models import Membership, Organisation, Role, Staff, Team
from wattelt.residents.models import Trajectory

from .models import OrganisationPolicy

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

START_WINDOW_DAYS = 14
"""A start measurement counts as timely on or before the start date plus this many days."""
FOLLOW_UP_TOLERANCE_DAYS = 14
"""A follow-up counts as on time up to this many days after its due date."""

Unit = Literal["percent", "number"]

INDICATORS: dict[str, str | Promise] = {
    "start_within_14_days": _("Start measurement within 14 days"),
    "follow_up_on_time": _("Follow-ups on time"),
    "end_measurement": _("Closed with an end measurement or a reason"),
    "professional_view_used": _("Professional's view used"),
    "carer_view_used": _("Carer's view used"),
    "goals_per_measurement": _("Goals per measurement"),
}
"""Indicator key -> short label (translatable: use str() in the active language)."""

UNITS: dict[str, Unit] = {
    "start_within_14_days": "percent",
    "follow_up_on_time": "percent",
    "end_measurement": "percent",
    "professional_view_used": "percent",
    "carer_view_used": "percent",
    "goals_per_measurement": "number",
}
OPTIONAL_VIEWS = {"professional_view_used": "professional", "carer_view_used": "carer"}

CONFIRMED = Measurement.Status.CONFIRMED


@dataclass(frozen=True)
class IndicatorValue:
    """One indicator over a period: `value` is a percentage (0-100) for unit "percent",
    a plain number (e.g. 1.5 goals) for unit "number", None when there is nothing to
    measure (denominator 0, or a view the organisation does not offer)."""

    value: float | None
    numerator: int
    denominator: int
    unit: Unit


# --- months ------------------------------------------------------------------------------


def month_number(day: dt.date) -> int:
    """Months since year 0: consecutive months differ by one."""
    return day.year * 12 + day.month - 1


@dataclass(frozen=True, order=True)
class Month:
    number: int

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(month_number(day))

    @property
    def year(self) -> int:
        return self.number // 12

    @property
    def month(self) -> int:
        return self.number % 12 + 1

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def key(self) -> str:
        """As in the URL: 2026-03."""
        return f"{self.year:04d}-{self.month:02d}"

    def __add__(self, months: int) -> Month:
        return Month(self.number + months)

    def __sub__(self, months: int) -> Month:
        return Month(self.number - months)


def _month_of(date_field: str) -> Any:
    return ExtractYear(date_field) * 12 + ExtractMonth(date_field) - 1


# --- the counts -------------------------------------------------------------------------


def _no_reasons() -> dict[str, int]:
    return dict.fromkeys(NotFilledIn.Reason.values, 0)


@dataclass
class Counts:
    """Additive counts behind every indicator; summed over teams, people and months."""

    started: int = 0
    started_in_time: int = 0
    follow_ups_due: int = 0
    follow_ups_on_time: int = 0
    closed: int = 0
    closed_with_end: int = 0
    closed_with_reason: int = 0
    """Closed without an end measurement but with a recorded reason."""
    measurements: int = 0
    with_professional_view: int = 0
    with_carer_view: int = 0
    goals: int = 0
    not_filled_in: dict[str, int] = field(default_factory=_no_reasons)

    def add(self, other: Counts) -> None:
        for name in (
            "started",
            "started_in_time",
            "follow_ups_due",
            "follow_ups_on_time",
            "closed",
            "closed_with_end",
            "closed_with_reason",
            "measurements",
            "with_professional_view",
            "with_carer_view",
            "goals",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for reason, count in other.not_filled_in.items():
            self.not_filled_in[reason] = self.not_filled_in.get(reason, 0) + count

    @property
    def not_filled_in_total(self) -> int:
        return sum(self.not_filled_in.values())

    def fraction(self, key: str) -> tuple[int, int]:
        return {
            "start_within_14_days": (self.started_in_time, self.started),
            "follow_up_on_time": (self.follow_ups_on_time, self.follow_ups_due),
            "end_measurement": (self.closed_with_end + self.closed_with_reason, self.closed),
            "professional_view_used": (self.with_professional_view, self.measurements),
            "carer_view_used": (self.with_carer_view, self.measurements),
            "goals_per_measurement": (self.goals, self.measurements),
        }[key]

    def indicator(
        self, key: str, offered: Collection[str] = ("professional", "carer")
    ) -> IndicatorValue:
        unit = UNITS[key]
        if key in OPTIONAL_VIEWS and OPTIONAL_VIEWS[key] not in offered:
            return IndicatorValue(None, 0, 0, unit)
        numerator, denominator = self.fraction(key)
        if not denominator:
            return IndicatorValue(None, numerator, denominator, unit)
        value = numerator / denominator
        return IndicatorValue(
            value * 100 if unit == "percent" else value, numerator, denominator, unit
        )


Key = tuple[int, int, int]
"""(team id, responsible professional's id, month number)."""


def _scoped(team_ids: Collection[int], path: str) -> Q:
    """The teams, as ids: no join to the team table (it misled PostgreSQL's planner)."""
    return Q(**{f"{path}team_id__in": list(team_ids)})


def _started(
    organisation: Organisation,
    start: dt.date,
    end: dt.date,
    team_ids: Collection[int],
    today: dt.date,
) -> Iterable[Mapping[str, Any]]:
    # Only trajectories whose 14 days have passed are judged.
    last_judged = today - dt.timedelta(days=START_WINDOW_DAYS + 1)
    confirmed = Measurement.objects.filter(trajectory_id=OuterRef("pk"), status=CONFIRMED)
    return (
        Trajectory.objects.filter(_scoped(team_ids, ""))
        .filter(started_on__gte=start, started_on__lte=min(end, last_judged))
        .annotate(
            deadline=ExpressionWrapper(
                F("started_on") + dt.timedelta(days=START_WINDOW_DAYS),
                output_field=models.DateField(),
            ),
            in_time=Exists(confirmed.filter(measured_on__lte=OuterRef("deadline"))),
        )
        .values("team_id", "responsible_id", month=_month_of("started_on"))
        .annotate(started=Count("pk"), started_in_time=Count("pk", filter=Q(in_time=True)))
        .order_by()
    )


def _day_code(date: Any) -> Any:
    """A date as month number * 100 + day: ordered as the dates are."""
    return _month_of(date) * 100 + ExtractDay(date)


def day_code(day: dt.date) -> int:
    return month_number(day) * 100 + day.day


def _follow_ups(
    organisation: Organisation,
    start: dt.date,
    end: dt.date,
    team_ids: Collection[int],
    today: dt.date,
) -> list[tuple[int, int, int, int, int, int]]:
    """Per (team, professional, month of a measurement): the confirmed measurements in
    the period, and the follow-ups they made due in the period, and how many of those
    were on time (the due month is `interval` months after the measurement's month).
    One query: the next measurement of each comes from a window function (LEAD), not
    a subquery per measurement.

    With m the earlier measurement's date, k the interval and D = m + k months (clipped
    to the month's end, as `add_months` does), D's month number is month(m) + k and, for
    any date x in D's month, x <= D exactly when day(x) <= day(m) (when day(m) is past
    the month's end, both hold). So x <= D exactly when code(x) <= code(m) + 100 k, with
    code = month number * 100 + day: every comparison with D is one on integers, the
    same in both databases. The one exception, D <= the last day of a month, is D's
    month <= that month."""
    k = organisation.follow_up_interval_months
    tolerance = dt.timedelta(days=FOLLOW_UP_TOLERANCE_DAYS)
    shifted = ExpressionWrapper(F("measured_on") - tolerance, output_field=models.DateField())
    # Every confirmed measurement that may make a follow-up due in the period, and all
    # later ones (their next measurement).
    measurements = (
        Measurement.objects.filter(status=CONFIRMED)
        .filter(_scoped(team_ids, "trajectory__"))
        .filter(measured_on__gte=(Month.of(start) - k).first_day, measured_on__lte=today)
        .annotate(
            m_code=_day_code("measured_on"),
            e_code=_day_code("trajectory__ended_on"),
            # The next measurement's date minus the tolerance: on time when <= D.
            next_code=Window(
                Lead(_day_code(shifted)),
                partition_by=[F("trajectory_id")],
                order_by=[F("measured_on").asc(), F("pk").asc()],
            ),
        )
        .values(
            "m_code",
            "e_code",
            "next_code",
            team_id=F("trajectory__team_id"),
            responsible_id=F("trajectory__responsible_id"),
            m_month=_month_of("measured_on"),
        )
        .order_by()  # the model's ordering would sort all rows once more
    )
    inner, params = measurements.query.sql_with_params()

    def up_to(day: dt.date) -> int:
        """The largest code of a due date D <= day."""
        return month_number(day) * 100 + (99 if day == Month.of(day).last_day else day.day)

    judged_before = today - tolerance  # D + tolerance < today, so D < judged_before
    due = (
        "m.m_code >= %s AND m.m_code <= %s AND m.m_code < %s"
        " AND (m.e_code IS NULL OR m.e_code > m.m_code + %s)"
    )
    due_params = [
        day_code(start) - 100 * k,
        up_to(end) - 100 * k,
        day_code(judged_before) - 100 * k,
        100 * k,
    ]
    sql = (
        "SELECT m.team_id, m.responsible_id, m.m_month,"
        " SUM(CASE WHEN m.m_code >= %s AND m.m_code <= %s THEN 1 ELSE 0 END),"
        f" SUM(CASE WHEN {due} THEN 1 ELSE 0 END),"
        f" SUM(CASE WHEN {due} AND m.next_code <= m.m_code + %s THEN 1 ELSE 0 END)"
        f" FROM ({inner}) m GROUP BY m.team_id, m.responsible_id, m.m_month"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [day_code(start), day_code(end), *due_params, *due_params, 100 * k, *params],
        )
        return [tuple(int(v or 0) for v in row) for row in cursor.fetchall()]  # type: ignore[misc]


def _closed(
    organisation: Organisation,
    start: dt.date,
    end: dt.date,
    team_ids: Collection[int],
) -> Iterable[Mapping[str, Any]]:
    end_measurement = Measurement.objects.filter(
        trajectory_id=OuterRef("pk"), status=CONFIRMED, kind=Measurement.Kind.END
    )
    reason = NotFilledIn.objects.filter(trajectory_id=OuterRef("pk"), kind=Measurement.Kind.END)
    return (
        Trajectory.objects.filter(_scoped(team_ids, ""))
        .filter(ended_on__gte=start, ended_on__lte=end)
        .annotate(with_end=Exists(end_measurement), with_reason=Exists(reason))
        .values("team_id", "responsible_id", month=_month_of("ended_on"))
        .annotate(
            closed=Count("pk"),
            closed_with_end=Count("pk", filter=Q(with_end=True)),
            closed_with_reason=Count("pk", filter=Q(with_end=False, with_reason=True)),
        )
        .order_by()
    )


def _views_used(
    organisation: Organisation,
    start: dt.date,
    end: dt.date,
    team_ids: Collection[int],
) -> list[tuple[int, int, int, int, int]]:
    """Per (team, professional, month): the confirmed measurements with a professional's
    and with a carer's chip. The chips are grouped per measurement first, then per
    (team, professional, month): two hash aggregates, no sort for a COUNT(DISTINCT), no
    subquery per measurement."""
    has = {
        name: Max(
            Case(
                When(**{f"{name}_chip__isnull": False}, then=Value(1)),
                default=Value(0),
                output_field=models.IntegerField(),
            )
        )
        for name in ("professional", "carer")
    }
    per_measurement = (
        ChosenDomain.objects.filter(
            measurement__status=CONFIRMED,
            measurement__measured_on__gte=start,
            measurement__measured_on__lte=end,
        )
        .filter(_scoped(team_ids, "measurement__trajectory__"))
        .filter(Q(professional_chip__isnull=False) | Q(carer_chip__isnull=False))
        .values(
            "measurement_id",
            team_id=F("measurement__trajectory__team_id"),
            responsible_id=F("measurement__trajectory__responsible_id"),
            month=_month_of("measurement__measured_on"),
        )
        .annotate(has_professional=has["professional"], has_carer=has["carer"])
        .order_by()
    )
    inner, params = per_measurement.query.sql_with_params()
    sql = (
        "SELECT v.team_id, v.responsible_id, v.month, SUM(v.has_professional),"
        f" SUM(v.has_carer) FROM ({inner}) v GROUP BY v.team_id, v.responsible_id, v.month"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(int(v or 0) for v in row) for row in cursor.fetchall()]  # type: ignore[misc]


def _goals(
    organisation: Organisation,
    start: dt.date,
    end: dt.date,
    team_ids: Collection[int],
) -> Iterable[Mapping[str, Any]]:
    return (
        Goal.objects.filter(
            stated_in__status=CONFIRMED,
            stated_in__measured_on__gte=start,
            stated_in__measured_on__lte=end,
        )
        .filter(_scoped(team_ids, "stated_in__trajectory__"))
        .values(
            month=_month_of("stated_in__measured_on"),
            team_id=F("stated_in__trajectory__team_id"),
            responsible_id=F("stated_in__trajectory__responsible_id"),
        )
        .annotate(goal_total=Count("pk"))
        .order_by()
    )


def _not_filled_in(
    organisation: Organisation,
    start: dt.date,
    end: dt.date,
    team_ids: Collection[int],
) -> Iterable[Mapping[str, Any]]:
    return (
        NotFilledIn.objects.filter(recorded_on__gte=start, recorded_on__lte=end)
        .filter(_scoped(team_ids, "trajectory__"))
        .values(
            "reason",
            month=_month_of("recorded_on"),
            team_id=F("trajectory__team_id"),
            responsible_id=F("trajectory__responsible_id"),
        )
        .annotate(n=Count("pk"))
        .order_by()
    )


def adoption_counts(
    organisation: Organisation,
    start: dt.date,
    end: dt.date,
    team_ids: Collection[int] | None = None,
    today: dt.date | None = None,
) -> dict[Key, Counts]:
    """The counts of the organisation (or of these teams of it) for the period (both
    dates included), per (team, responsible professional, month). Seven queries."""
    today = today or timezone.localdate()
    if team_ids is None:
        team_ids = list(Team.objects.filter(organisation=organisation).values_list("pk", flat=True))
    else:
        # Only the organisation's own teams, whatever the caller passes.
        team_ids = [t.pk for t in Team.objects.filter(organisation=organisation, pk__in=team_ids)]
    return counts_of_teams(organisation, start, end, team_ids, today)


def counts_of_teams(
    organisation: Organisation,
    start: dt.date,
    end: dt.date,
    team_ids: Collection[int],
    today: dt.date,
) -> dict[Key, Counts]:
    """`adoption_counts` for team ids known to be the organisation's. Six queries."""
    counts: dict[Key, Counts] = {}
    if not team_ids:
        return counts
    with transaction.atomic():
        _without_jit()
        _collect(counts, organisation, start, end, team_ids, today)
    return counts


def _without_jit() -> None:
    """PostgreSQL compiles a query to machine code (JIT) when its estimated cost is
    high; for these GROUP BY queries over a year of an organisation the compiling took
    3.2 of the 3.3 s of one query (EXPLAIN ANALYZE, 164,000 measurements) and gains
    nothing. Off for the rest of this transaction only."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")


def _collect(
    counts: dict[Key, Counts],
    organisation: Organisation,
    start: dt.date,
    end: dt.date,
    team_ids: Collection[int],
    today: dt.date,
) -> None:
    def cell(row: Mapping[str, Any], month: str = "month") -> Counts:
        key = (row["team_id"], row["responsible_id"], int(row[month]))
        return counts.setdefault(key, Counts())

    for row in _started(organisation, start, end, team_ids, today):
        c = cell(row)
        c.started, c.started_in_time = row["started"], row["started_in_time"]
    k = organisation.follow_up_interval_months
    for team, person, month, measured, due, on_time in _follow_ups(
        organisation, start, end, team_ids, today
    ):
        if measured:
            counts.setdefault((team, person, month), Counts()).measurements = measured
        if due:
            c = counts.setdefault((team, person, month + k), Counts())
            c.follow_ups_due, c.follow_ups_on_time = due, on_time
    for row in _closed(organisation, start, end, team_ids):
        c = cell(row)
        c.closed, c.closed_with_end = row["closed"], row["closed_with_end"]
        c.closed_with_reason = row["closed_with_reason"]
    for team, person, month, professional, carer in _views_used(organisation, start, end, team_ids):
        c = counts.setdefault((team, person, month), Counts())
        c.with_professional_view, c.with_carer_view = professional, carer
    for row in _goals(organisation, start, end, team_ids):
        cell(row).goals = row["goal_total"]
    for row in _not_filled_in(organisation, start, end, team_ids):
        cell(row).not_filled_in[row["reason"]] = row["n"]


def total(counts: Iterable[Counts]) -> Counts:
    result = Counts()
    for c in counts:
        result.add(c)
    return result


def offered_views(organisation: Organisation) -> list[str]:
    """The optional views ("professional", "carer") the organisation's policy offers."""
    policy = OrganisationPolicy.objects.filter(organisation=organisation).first()
    policy = policy or OrganisationPolicy(organisation=organisation)
    return [
        name
        for name, offered in (
            ("professional", policy.professional_view),
            ("carer", policy.carer_view),
        )
        if offered
    ]


# --- the public API for the implementation plan -----------------------------------------


def organisation_value(
    organisation: Organisation, key: str, start: dt.date, end: dt.date
) -> IndicatorValue | None:
    """One indicator of the whole organisation over the period (both dates included);
    None when the key is unknown. Eight queries at most, whatever the data size."""
    if key not in INDICATORS:
        return None
    if end < start:
        return IndicatorValue(None, 0, 0, UNITS[key])
    offered = offered_views(organisation)
    return total(adoption_counts(organisation, start, end).values()).indicator(key, offered)


# --- who sees what ----------------------------------------------------------------------


@dataclass(frozen=True)
class AdoptionAccess:
    """The one access rule of the adoption page. Quality officers and organisation
    admins: every team of their organisation, per professional too. Team coaches: the
    teams they coach, per professional too. Professionals: their own teams' team figures,
    never a colleague's own figures. Everyone else: nothing (None)."""

    organisation: Organisation
    teams: tuple[Team, ...]
    detail_team_ids: frozenset[int]
    whole_organisation: bool = False

    @property
    def team_ids(self) -> list[int]:
        return [team.pk for team in self.teams]

    @property
    def per_professional(self) -> bool:
        return bool(self.detail_team_ids)


def adoption_access(user: Staff | AnonymousUser) -> AdoptionAccess | None:
    if not user.is_authenticated or user.organisation_id is None:
        return None
    organisation = user.organisation
    assert organisation is not None
    teams = Team.objects.filter(organisation=organisation).order_by("name", "pk")
    if user.has_role(Role.Name.QUALITY_OFFICER) or user.has_role(Role.Name.ORGANISATION_ADMIN):
        all_teams = tuple(teams)
        return AdoptionAccess(
            organisation, all_teams, frozenset(t.pk for t in all_teams), whole_organisation=True
        )
    roles = dict(
        Membership.objects.filter(staff_id=user.pk, team__organisation=organisation).values_list(
            "team_id", "role"
        )
    )
    if not roles:
        return None
    own = tuple(teams.filter(pk__in=roles))
    coached = frozenset(t for t, role in roles.items() if role == Membership.Role.TEAMCOACH)
    return AdoptionAccess(organisation, own, coached)


# --- the page: trend, teams, professionals, traffic lights ------------------------------

TREND_MONTHS = 12
SUSTAINED_MONTHS = 3
MIN_CASES = 5
"""Fewer cases than this in the last three months: no traffic light (too little data)."""


@dataclass(frozen=True)
class Threshold:
    """A phase's traffic light: green when the share over the last three complete months
    is at least `green` and no single month (with cases) fell below `amber`; red when the
    share is below `amber`; amber in between; grey with fewer than MIN_CASES cases."""

    phase: str
    indicator: str
    green: int
    amber: int


THRESHOLDS = (
    Threshold("able_to_use", "start_within_14_days", green=80, amber=50),
    Threshold("keep_using", "follow_up_on_time", green=70, amber=40),
)
PHASES: tuple[tuple[str, str | Promise], ...] = (
    ("know", _("Knowing")),
    ("understand", _("Understanding")),
    ("want", _("Wanting")),
    ("able_to_use", _("Able to use")),
    ("keep_using", _("Keep using")),
)
"""The guide's five implementation phases (weten, begrijpen, willen, kunnen gebruiken,
blijven gebruiken); registrations can only show the last two."""

Light = Literal["green", "amber", "red", "grey"]


@dataclass(frozen=True)
class PhaseLight:
    phase: str
    label: str
    light: Light | None  # None: not measurable from registrations
    value: IndicatorValue | None = None


def traffic_light(threshold: Threshold, months: list[Counts]) -> tuple[Light, IndicatorValue]:
    """The light of one phase from the counts of the last complete months."""
    value = total(months).indicator(threshold.indicator)
    if value.denominator < MIN_CASES or value.value is None:
        return "grey", value
    if value.value < threshold.amber:
        return "red", value
    monthly = [c.indicator(threshold.indicator).value for c in months]
    if value.value >= threshold.green and all(v is None or v >= threshold.amber for v in monthly):
        return "green", value
    return "amber", value


def phase_lights(months: list[Counts]) -> list[PhaseLight]:
    by_phase = {t.phase: t for t in THRESHOLDS}
    lights = []
    for phase, label in PHASES:
        if phase in by_phase:
            light, value = traffic_light(by_phase[phase], months)
            lights.append(PhaseLight(phase, str(label), light, value))
        else:
            lights.append(PhaseLight(phase, str(label), None))
    return lights


@dataclass(frozen=True)
class MonthFigures:
    month: Month
    counts: Counts
    complete: bool


@dataclass(frozen=True)
class GroupRow:
    """A team or a professional over the whole window, with the lights of the last
    complete months."""

    id: int
    name: str
    counts: Counts
    lights: list[PhaseLight]


@dataclass(frozen=True)
class AdoptionReport:
    recent: list[Month]
    """The complete months the traffic lights judge."""
    trend: list[MonthFigures]
    scope_lights: list[PhaseLight]
    teams: list[GroupRow]
    professionals: list[GroupRow]
    offered: list[str]
    interval_months: int

    @property
    def window_total(self) -> Counts:
        return total(m.counts for m in self.trend)


def detail_teams(access: AdoptionAccess, team_id: int | None = None) -> frozenset[int]:
    """The teams whose professionals' own figures this user sees (within the chosen team)."""
    if team_id is None:
        return access.detail_team_ids
    return access.detail_team_ids & {team_id}


def window(end: Month) -> list[Month]:
    return [end - n for n in range(TREND_MONTHS - 1, -1, -1)]


def complete_months(months: list[Month], today: dt.date) -> list[Month]:
    """The last SUSTAINED_MONTHS months of the window that have ended."""
    return [m for m in months if m.last_day < today][-SUSTAINED_MONTHS:]


def _by_month(
    counts: Mapping[Key, Counts], months: list[Month], keep: Any = lambda key: True
) -> dict[int, Counts]:
    summed = {m.number: Counts() for m in months}
    for key, c in counts.items():
        if key[2] in summed and keep(key):
            summed[key[2]].add(c)
    return summed


def adoption_report(
    access: AdoptionAccess,
    end: Month,
    team_id: int | None = None,
    professional_id: int | None = None,
    people: list[tuple[int, str]] | None = None,
    today: dt.date | None = None,
) -> AdoptionReport:
    """Everything the page shows for the twelve months up to `end`: the trend of the
    chosen scope (all the user's teams, one team, or one professional), every visible
    team with its lights, and `people` (from `professionals_of(detail_teams(...))`) with
    theirs. Seven queries, whatever the data."""
    today = today or timezone.localdate()
    people = people or []
    organisation = access.organisation
    months = window(end)
    recent = complete_months(months, today)
    counts = counts_of_teams(
        organisation, months[0].first_day, min(end.last_day, today), access.team_ids, today
    )

    def in_scope(key: Key) -> bool:
        if team_id is not None and key[0] != team_id:
            return False
        if professional_id is not None:
            return key[1] == professional_id and key[0] in access.detail_team_ids
        return True

    trend_by_month = _by_month(counts, months, in_scope)
    trend = [MonthFigures(m, trend_by_month[m.number], m.last_day < today) for m in months]

    def group_row(group_id: int, name: str, keep: Any) -> GroupRow:
        summed = _by_month(counts, months, keep)
        return GroupRow(
            group_id,
            name,
            total(summed.values()),
            phase_lights([summed[m.number] for m in recent]),
        )

    teams = [
        group_row(team.pk, team.name, lambda key, pk=team.pk: key[0] == pk)
        for team in access.teams
        if team_id is None or team.pk == team_id
    ]
    detail = detail_teams(access, team_id)
    professionals = [
        group_row(pk, name, lambda key, pk=pk: key[1] == pk and key[0] in detail)
        for pk, name in people
    ]
    return AdoptionReport(
        recent=recent,
        trend=trend,
        scope_lights=phase_lights([trend_by_month[m.number] for m in recent]),
        teams=teams,
        professionals=professionals,
        offered=offered_views(organisation),
        interval_months=organisation.follow_up_interval_months,
    )


def professionals_of(team_ids: Collection[int]) -> list[tuple[int, str]]:
    """The professionals of these teams, and anyone responsible for a trajectory of them
    (someone who left the team keeps their figures), by name. One query."""
    responsible = Trajectory.objects.filter(team_id__in=list(team_ids)).values("responsible_id")
    staff = (
        Staff.objects.filter(
            Q(
                memberships__team_id__in=list(team_ids),
                memberships__role=Membership.Role.PROFESSIONAL,
            )
            | Q(pk__in=responsible)
        )
        .distinct()
        .order_by("first_name", "last_name", "pk")
    )
    return [(person.pk, str(person)) for person in staff]
