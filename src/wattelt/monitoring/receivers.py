"""The monitoring summary follows every write of the data it counts. Connected in
`MonitoringConfig.ready()`; the signals are sent inside the writer's transaction, so the
summary rows change in the same transaction as the data (or not at all)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from wattelt.instrument.models import Goal, Measurement, NotFilledIn
from wattelt.instrument.signals import goal_status_set, measurement_confirmed, not_filled_in
from wattelt.privacy.signals import resident_anonymised
from wattelt.residents.models import Trajectory
from wattelt.residents.signals import trajectory_closed, trajectory_opened

from . import changes, summary


@receiver(trajectory_opened, dispatch_uid="monitoring-trajectory-opened")
def count_opened_trajectory(sender: Any, trajectory: Trajectory, **kwargs: Any) -> None:
    summary.refresh_trajectory(trajectory)


@receiver(measurement_confirmed, dispatch_uid="monitoring-measurement-confirmed")
def count_confirmed_measurement(sender: Any, measurement: Measurement, **kwargs: Any) -> None:
    summary.refresh_trajectory(measurement.trajectory_id)


@receiver(resident_anonymised, dispatch_uid="monitoring-resident-anonymised")
def count_anonymised_resident(sender: Any, resident_id: int, **kwargs: Any) -> None:
    summary.refresh_resident(resident_id)  # the birth date changed


@receiver(goal_status_set, dispatch_uid="monitoring-goal-status-set")
def count_goal_status(sender: Any, goal: Goal, **kwargs: Any) -> None:
    summary.refresh_trajectory(goal.trajectory_id)  # the note's status counts from now


@receiver(not_filled_in, dispatch_uid="monitoring-not-filled-in")
def count_not_filled_in(sender: Any, record: NotFilledIn, **kwargs: Any) -> None:
    # Counted from the record itself (no summary row changes): only the change log.
    changes.record(changes.touched([record.trajectory_id], record.recorded_on))


@receiver(trajectory_closed, dispatch_uid="monitoring-trajectory-closed")
def count_closed_trajectory(sender: Any, trajectory: Trajectory, **kwargs: Any) -> None:
    # No summary row holds the end date; the change log names the trajectory's years.
    assert trajectory.ended_on is not None
    changes.record(changes.touched([trajectory.pk], trajectory.ended_on))
