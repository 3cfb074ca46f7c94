"""When a trajectory's next measurement is due, and the instrument's rule for closing.
The residents app holds the trajectory; the instrument knows its measurements."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from wattelt.organisations.models import Organisation
from wattelt.residents.models import Trajectory
from wattelt.residents.services import add_months

from .models import Measurement, NotFilledIn


def _confirmed() -> Q:
    return Q(measurements__status=Measurement.Status.CONFIRMED)


TRAJECTORY_FACTS = {
    # What the resident page shows of a trajectory's measurements (residents/facts.py).
    "confirmed_count": lambda: Count("measurements", filter=_confirmed()),
    "last_measured_on": lambda: Max("measurements__measured_on", filter=_confirmed()),
}


def next_due_on(
    organisation: Organisation, started_on: dt.date, done: list[dt.date | None]
) -> dt.date:
    """The rule: the start measurement is due within the grace period; after the last
    measurement (or record of one not filled in, `done`) the next one after the interval."""
    days = [d for d in done if d is not None]
    if not days:
        return started_on + dt.timedelta(days=organisation.start_measurement_grace_days)
    return add_months(max(days), organisation.follow_up_interval_months)


def refresh_due_date(trajectory: Trajectory) -> None:
    """Keep `measurement_due_on` right: the start measurement is due within the grace
    period; after each measurement (or record of one not filled in) the next one is due
    after the organisation's interval."""
    if not trajectory.is_open:
        due = None
    else:
        organisation = trajectory.team.organisation
        last_measured = (
            Measurement.objects.filter(
                trajectory_id=trajectory.pk, status=Measurement.Status.CONFIRMED
            )
            .order_by("-measured_on")
            .values_list("measured_on", flat=True)
            .first()
        )
        last_skipped = (
            NotFilledIn.objects.filter(trajectory_id=trajectory.pk)
            .order_by("-recorded_on")
            .values_list("recorded_on", flat=True)
            .first()
        )
        due = next_due_on(organisation, trajectory.started_on, [last_measured, last_skipped])
    Trajectory.objects.filter(pk=trajectory.pk).update(
        measurement_due_on=due, last_activity_at=timezone.now()
    )
    trajectory.measurement_due_on = due


def due_dates(
    trajectories: QuerySet[Trajectory], organisation: Organisation
) -> dict[int, dt.date | None]:
    """Each trajectory's due date by `refresh_due_date`'s rule, for many trajectories of
    one organisation in three queries whatever their number: the trajectories, their last
    confirmed measurement and their last record of one not filled in."""
    listed = list(trajectories.values_list("pk", "started_on", "ended_on"))
    measured = dict(
        Measurement.objects.filter(trajectory__in=trajectories, status=Measurement.Status.CONFIRMED)
        .values_list("trajectory_id")
        .annotate(last=Max("measured_on"))
        .order_by()
    )
    skipped = dict(
        NotFilledIn.objects.filter(trajectory__in=trajectories)
        .values_list("trajectory_id")
        .annotate(last=Max("recorded_on"))
        .order_by()
    )
    dues: dict[int, dt.date | None] = {}
    rule: dict[tuple[dt.date | None, dt.date | None], dt.date] = {}  # few distinct keys
    for pk, started_on, ended_on in listed:
        if ended_on is not None:
            dues[pk] = None
            continue
        days = [d for d in (measured.get(pk), skipped.get(pk)) if d is not None]
        key = (max(days), None) if days else (None, started_on)
        due = rule.get(key)
        if due is None:
            due = rule[key] = next_due_on(organisation, started_on, days)
        dues[pk] = due
    return dues


def refresh_due_dates(trajectories: QuerySet[Trajectory], organisation: Organisation) -> int:
    """`refresh_due_date` for many trajectories of one organisation (an import's derived
    phase): their `due_dates`, then one write of every due date and last activity.
    Returns how many trajectories."""
    dues = due_dates(trajectories, organisation)
    _write_due_dates(list(dues), list(dues.values()), timezone.now())
    return len(dues)


def _write_due_dates(ids: list[int], dues: list[dt.date | None], now: dt.datetime) -> None:
    """One statement on PostgreSQL (an `UPDATE` from two arrays; a million rows in
    ~16 s, bench/RESULTS.md), `executemany` elsewhere."""
    table = Trajectory._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {table} t SET measurement_due_on = d.due, last_activity_at = %s "
                "FROM unnest(%s::bigint[], %s::date[]) AS d(id, due) WHERE t.id = d.id",
                [now, ids, dues],
            )
            return
        stamp = connection.ops.adapt_datetimefield_value(now)
        rows = [
            (None if due is None else due.isoformat(), stamp, pk)
            for pk, due in zip(ids, dues, strict=True)
        ]
        cursor.executemany(
            f"UPDATE {table} SET measurement_due_on = %s, last_activity_at = %s WHERE id = %s",
            rows,
        )


def first_due_date(sender: Any, trajectory: Trajectory, **kwargs: Any) -> None:
    """A newly opened trajectory: its start measurement is due within the grace period."""
    refresh_due_date(trajectory)


def refuse_closing_with_draft(sender: Any, trajectory: Trajectory, **kwargs: Any) -> list[str]:
    """A trajectory with a draft measurement does not close: confirm or discard it first."""
    if Measurement.objects.filter(
        trajectory_id=trajectory.pk, status=Measurement.Status.DRAFT
    ).exists():
        raise ValidationError(
            _("A draft measurement is still open: confirm or discard it before closing.")
        )
    return []
