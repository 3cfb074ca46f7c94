"""The counts behind the adoption indicators, per (team, responsible professional,
month), read from the adoption summary kept on write (summary.py): the monthly sums for
the months today's date no longer changes, the daily sums for the others (a follow-up
is judged once its tolerance has passed; nothing after the period's end counts). Two
queries, whatever the number of trajectories; the definitions are in the package's
docstring."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any

from django.db import connection
from django.utils import timezone

from wattelt.organisations.models import Organisation, Team
from wattelt.organisations.policy import offered_perspectives

from ..models import ADOPTION_COUNTERS, AdoptionDay, AdoptionMonth
from .indicators import (
    FOLLOW_UP_TOLERANCE_DAYS,
    INDICATORS,
    UNITS,
    Counts,
    IndicatorValue,
    Key,
    total,
)
from .months import Month, day_code

FOLLOW_UP_COUNTERS = ("follow_ups_due", "follow_ups_on_time")


def _last_due_code(day: dt.date) -> int:
    """The largest code of a due date D <= day (a due day may lie past a month's end,
    adoption/months.py: it is the month's last day then)."""
    month = Month.of(day)
    return month.number * 100 + (99 if day == month.last_day else day.day)


def _whole_months(start: dt.date, end: dt.date, today: dt.date) -> tuple[Month, Month]:
    """The months [lo, hi) that count whole: inside the period, and ended before the
    follow-ups judged by today (due before today minus the tolerance)."""
    first, last = Month.of(start), Month.of(end)
    judged_before = today - dt.timedelta(days=FOLLOW_UP_TOLERANCE_DAYS)
    lo = first if start == first.first_day else first + 1
    hi = min(Month.of(judged_before), last + 1 if end == last.last_day else last)
    return lo, hi


def _add(counts: dict[Key, Counts], row: Sequence[Any]) -> None:
    # Spelled out, in ADOPTION_COUNTERS' order: an organisation's year is thousands of
    # rows per view (getattr/setattr per counter was most of the page's Python time).
    (
        team,
        person,
        month,
        reason,
        started,
        started_in_time,
        measurements,
        with_professional_view,
        with_carer_view,
        goals,
        follow_ups_due,
        follow_ups_on_time,
        closed,
        closed_with_end,
        closed_with_reason,
        not_filled_in,
    ) = row
    if not any(row[4:]):
        return
    key = (team, person, int(month))
    c = counts.get(key)
    if c is None:
        c = counts[key] = Counts()
    c.started += int(started)
    c.started_in_time += int(started_in_time)
    c.measurements += int(measurements)
    c.with_professional_view += int(with_professional_view)
    c.with_carer_view += int(with_carer_view)
    c.goals += int(goals)
    c.follow_ups_due += int(follow_ups_due)
    c.follow_ups_on_time += int(follow_ups_on_time)
    c.closed += int(closed)
    c.closed_with_end += int(closed_with_end)
    c.closed_with_reason += int(closed_with_reason)
    if not_filled_in:
        c.not_filled_in[reason] = c.not_filled_in.get(reason, 0) + int(not_filled_in)


def _monthly(team_ids: list[int], lo: Month, hi: Month) -> list[tuple[Any, ...]]:
    return list(
        AdoptionMonth.objects.filter(
            team_id__in=team_ids, month__gte=lo.number, month__lt=hi.number
        )
        .order_by()
        .values_list("team_id", "responsible_id", "month", "reason", *ADOPTION_COUNTERS)
    )


def _daily(
    team_ids: list[int], ranges: list[tuple[int, int]], start: dt.date, end: dt.date, today: dt.date
) -> list[tuple[Any, ...]]:
    """The daily sums of the months in `ranges` (month numbers, both included), with the
    period's and today's bounds applied per day."""
    judged_before = today - dt.timedelta(days=FOLLOW_UP_TOLERANCE_DAYS)
    event = "day_code >= %s AND day_code <= %s"
    follow_up = "day_code >= %s AND day_code <= %s AND day_code < %s"
    columns: list[str] = []
    params: list[Any] = []
    for name in ADOPTION_COUNTERS:
        if name in FOLLOW_UP_COUNTERS:
            columns.append(f"SUM(CASE WHEN {follow_up} THEN {name} ELSE 0 END)")
            params += [day_code(start), _last_due_code(end), day_code(judged_before)]
        else:
            columns.append(f"SUM(CASE WHEN {event} THEN {name} ELSE 0 END)")
            params += [day_code(start), day_code(end)]
    marks = ", ".join(["%s"] * len(team_ids))
    params += team_ids
    within = " OR ".join(["(day_code >= %s AND day_code <= %s)"] * len(ranges))
    for lo, hi in ranges:
        params += [lo * 100, hi * 100 + 99]
    sql = (
        f"SELECT team_id, responsible_id, day_code / 100, reason, {', '.join(columns)}"
        f" FROM {AdoptionDay._meta.db_table} WHERE team_id IN ({marks}) AND ({within})"
        " GROUP BY team_id, responsible_id, day_code / 100, reason"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def adoption_counts(
    organisation: Organisation,
    start: dt.date,
    end: dt.date,
    team_ids: Collection[int] | None = None,
    today: dt.date | None = None,
) -> dict[Key, Counts]:
    """The counts of the organisation (or of these teams of it) for the period (both
    dates included), per (team, responsible professional, month). Three queries."""
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
    """`adoption_counts` for team ids known to be the organisation's. Two queries."""
    counts: dict[Key, Counts] = {}
    teams = sorted(team_ids)
    if not teams or end < start:
        return counts
    first, last = Month.of(start), Month.of(end)
    lo, hi = _whole_months(start, end, today)
    lo, hi = max(lo, first), min(hi, last + 1)
    if lo < hi:
        for row in _monthly(teams, lo, hi):
            _add(counts, row)
        partial = [(first, lo - 1), (hi, last)]
    else:
        partial = [(first, last)]
    ranges = [(a.number, b.number) for a, b in partial if a <= b]
    if ranges:
        for row in _daily(teams, ranges, start, end, today):
            _add(counts, row)
    return counts


def offered_views(organisation: Organisation) -> list[str]:
    """The optional views ("professional", "carer") the organisation's policy offers."""
    return [name for name in offered_perspectives(organisation) if name != "resident"]


# --- the public API for the implementation plan -----------------------------------------


def organisation_value(
    organisation: Organisation, key: str, start: dt.date, end: dt.date
) -> IndicatorValue | None:
    """One indicator of the whole organisation over the period (both dates included);
    None when the key is unknown. Four queries at most, whatever the data size."""
    if key not in INDICATORS:
        return None
    if end < start:
        return IndicatorValue(None, 0, 0, UNITS[key])
    offered = offered_views(organisation)
    return total(adoption_counts(organisation, start, end).values()).indicator(key, offered)
