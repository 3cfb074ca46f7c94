"""The test oracle: the adoption page's counts as it computed them from the raw tables
before the adoption summary (one GROUP BY query per figure by team, responsible
professional and month). Only the tests use it, to prove the summary gives the same."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

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
from django.db.models.functions import Lead

from wattelt.implementation.adoption.indicators import FOLLOW_UP_TOLERANCE_DAYS, Counts, Key
from wattelt.implementation.adoption.months import (
    Month,
    day_code,
    day_code_of,
    month_number,
    month_of,
)
from wattelt.instrument.figures import not_filled_in_recorded, registered_in_time_expression
from wattelt.instrument.models import ChosenDomain, Goal, Measurement, NotFilledIn
from wattelt.organisations.models import Membership, Organisation, Staff
from wattelt.residents.models import Trajectory

CONFIRMED = Measurement.Status.CONFIRMED


def _scoped(team_ids: Collection[int], path: str) -> Q:
    """The teams, as ids: no join to the team table (it misled PostgreSQL's planner)."""
    return Q(**{f"{path}team_id__in": list(team_ids)})


def _cell(trajectory: str, date_field: str) -> dict[str, Any]:
    """The GROUP BY columns of a count: the trajectory's team and responsible
    professional (reached through `trajectory`) and the month of the date."""
    return {
        "team_id": F(f"{trajectory}team_id"),
        "responsible_id": F(f"{trajectory}responsible_id"),
        "month": month_of(date_field),
    }


def _started(
    start: dt.date,
    end: dt.date,
    team_ids: Collection[int],
) -> Iterable[Mapping[str, Any]]:
    """The registration rate's counts: trajectories started in the period, and those
    with a confirmed start measurement within 30 days (the one definition, shared with
    monitoring: `instrument.figures.registered_in_time`)."""
    return (
        Trajectory.objects.filter(_scoped(team_ids, ""))
        .filter(started_on__gte=start, started_on__lte=end)
        .annotate(in_time=registered_in_time_expression())
        .values("team_id", "responsible_id", month=month_of("started_on"))
        .annotate(started=Count("pk"), started_in_time=Count("pk", filter=Q(in_time=True)))
        .order_by()
    )


def _measurements_and_next(
    start: dt.date, team_ids: Collection[int], today: dt.date, k: int
) -> models.QuerySet[Measurement, dict[str, Any]]:
    """Every confirmed measurement that may make a follow-up due in the period, and all
    later ones (their next measurement), with its day code (m_code), its trajectory's
    end (e_code) and the next measurement's date minus the tolerance (next_code), the
    last from a window function (LEAD), not a subquery per measurement."""
    tolerance = dt.timedelta(days=FOLLOW_UP_TOLERANCE_DAYS)
    shifted = ExpressionWrapper(F("measured_on") - tolerance, output_field=models.DateField())
    return (
        Measurement.objects.filter(status=CONFIRMED)
        .filter(_scoped(team_ids, "trajectory__"))
        .filter(measured_on__gte=(Month.of(start) - k).first_day, measured_on__lte=today)
        .annotate(
            m_code=day_code_of("measured_on"),
            e_code=day_code_of("trajectory__ended_on"),
            # The next measurement's date minus the tolerance: on time when <= D.
            next_code=Window(
                Lead(day_code_of(shifted)),
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
            m_month=month_of("measured_on"),
        )
        .order_by()  # the model's ordering would sort all rows once more
    )


def _last_due_code(day: dt.date) -> int:
    """The largest code of a due date D <= day."""
    return month_number(day) * 100 + (99 if day == Month.of(day).last_day else day.day)


def _follow_ups(
    organisation: Organisation,
    start: dt.date,
    end: dt.date,
    team_ids: Collection[int],
    today: dt.date,
) -> list[tuple[int, ...]]:
    """Per (team, professional, month of a measurement): the confirmed measurements in
    the period, and the follow-ups they made due in the period, and how many of those
    were on time (the due month is `interval` months after the measurement's month).
    One query.

    With m the earlier measurement's date, k the interval and D = m + k months (clipped
    to the month's end, as `add_months` does), D's month number is month(m) + k and, for
    any date x in D's month, x <= D exactly when day(x) <= day(m) (when day(m) is past
    the month's end, both hold). So x <= D exactly when code(x) <= code(m) + 100 k, with
    code = month number * 100 + day: every comparison with D is one on integers, the
    same in both databases. The one exception, D <= the last day of a month, is D's
    month <= that month."""
    k = organisation.follow_up_interval_months
    inner, params = _measurements_and_next(start, team_ids, today, k).query.sql_with_params()
    # D + tolerance < today, so D < judged_before
    judged_before = today - dt.timedelta(days=FOLLOW_UP_TOLERANCE_DAYS)
    due = (
        "m.m_code >= %s AND m.m_code <= %s AND m.m_code < %s"
        " AND (m.e_code IS NULL OR m.e_code > m.m_code + %s)"
    )
    due_params = [
        day_code(start) - 100 * k,
        _last_due_code(end) - 100 * k,
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
    return _integer_rows(
        sql, [day_code(start), day_code(end), *due_params, *due_params, 100 * k, *params]
    )


def _integer_rows(sql: str, params: Sequence[Any]) -> list[tuple[int, ...]]:
    """The rows of a raw GROUP BY, every column an integer (a SUM over no rows is 0)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(int(v or 0) for v in row) for row in cursor.fetchall()]


def _closed(
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
        .values("team_id", "responsible_id", month=month_of("ended_on"))
        .annotate(
            closed=Count("pk"),
            closed_with_end=Count("pk", filter=Q(with_end=True)),
            closed_with_reason=Count("pk", filter=Q(with_end=False, with_reason=True)),
        )
        .order_by()
    )


def _views_used(
    start: dt.date,
    end: dt.date,
    team_ids: Collection[int],
) -> list[tuple[int, ...]]:
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
        .values("measurement_id", **_cell("measurement__trajectory__", "measurement__measured_on"))
        .annotate(has_professional=has["professional"], has_carer=has["carer"])
        .order_by()
    )
    inner, params = per_measurement.query.sql_with_params()
    sql = (
        "SELECT v.team_id, v.responsible_id, v.month, SUM(v.has_professional),"
        f" SUM(v.has_carer) FROM ({inner}) v GROUP BY v.team_id, v.responsible_id, v.month"
    )
    return _integer_rows(sql, params)


def _goals(
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
        .values(**_cell("stated_in__trajectory__", "stated_in__measured_on"))
        .annotate(goal_total=Count("pk"))
        .order_by()
    )


def _not_filled_in(
    start: dt.date,
    end: dt.date,
    team_ids: Collection[int],
) -> Iterable[Mapping[str, Any]]:
    return (
        not_filled_in_recorded(start, end)
        .filter(_scoped(team_ids, "trajectory__"))
        .values("reason", **_cell("trajectory__", "recorded_on"))
        .annotate(n=Count("pk"))
        .order_by()
    )


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

    for row in _started(start, end, team_ids):
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
    for row in _closed(start, end, team_ids):
        c = cell(row)
        c.closed, c.closed_with_end = row["closed"], row["closed_with_end"]
        c.closed_with_reason = row["closed_with_reason"]
    for team, person, month, professional, carer in _views_used(start, end, team_ids):
        c = counts.setdefault((team, person, month), Counts())
        c.with_professional_view, c.with_carer_view = professional, carer
    for row in _goals(start, end, team_ids):
        cell(row).goals = row["goal_total"]
    for row in _not_filled_in(start, end, team_ids):
        cell(row).not_filled_in[row["reason"]] = row["n"]


def professionals_of(team_ids: Collection[int]) -> list[tuple[int, str]]:
    """The professionals of these teams and anyone responsible for a trajectory of them,
    from the trajectories (as the page found them before the summary)."""
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
