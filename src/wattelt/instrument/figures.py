"""What figures about the instrument's records share. Monitoring and the adoption page
(implementation) both count the records of a measurement not filled in and both give
the registration rate; both apps sit above the instrument, so the one definition of
each lives here."""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from django.db.models import DateField, Exists, ExpressionWrapper, OuterRef, QuerySet

from .models import Measurement, NotFilledIn

T = TypeVar("T")

REGISTRATION_DAYS = 30
"""Registration rate (domain.md, "Indicator definitions"): of the trajectories started
in a period, the share with a confirmed start measurement within this many days of the
start. The 14-day signal (`Organisation.start_measurement_grace_days`) is a reminder to
the professional, not this figure."""


def registration_deadline(started_on: dt.date) -> dt.date:
    """The last day on which a start measurement still counts for the registration rate:
    the start date plus 30 days (day 30 counts, day 31 does not)."""
    return started_on + dt.timedelta(days=REGISTRATION_DAYS)


def registered_in_time(started_on: dt.date, first_measured_on: dt.date | None) -> bool:
    """The trajectory counts as registered: its first confirmed measurement is dated no
    later than `registration_deadline` (an earlier date, before the start, counts too)."""
    return first_measured_on is not None and first_measured_on <= registration_deadline(started_on)


def registered_in_time_expression(trajectory: str = "pk", started_on: str = "started_on") -> Exists:
    """`registered_in_time` in the database, for a query over trajectories (`trajectory`
    and `started_on` name the trajectory's id and start date in the outer query): a
    confirmed measurement of the trajectory dated no later than the deadline exists."""
    deadline = ExpressionWrapper(
        OuterRef(started_on) + dt.timedelta(days=REGISTRATION_DAYS), output_field=DateField()
    )
    return Exists(
        Measurement.objects.filter(
            trajectory_id=OuterRef(trajectory),
            status=Measurement.Status.CONFIRMED,
            measured_on__lte=deadline,
        )
    )


def registration_rate(started: int, registered: int) -> float | None:
    """The share (0-1) of the trajectories started that were registered in time; None
    when none started."""
    return registered / started if started else None


def per_reason(zero: T) -> dict[str, T]:
    """One entry for every reason a measurement was not filled in, each `zero`."""
    return dict.fromkeys(NotFilledIn.Reason.values, zero)


def not_filled_in_recorded(start: dt.date, end: dt.date) -> QuerySet[NotFilledIn]:
    """The records of a measurement not filled in that count in a period: those recorded
    in it (both dates included), by reason."""
    return NotFilledIn.objects.filter(recorded_on__range=(start, end))
