"""The adoption summary follows every write of the data it counts. Connected in
`Config.ready()`; the signals are sent inside the writer's transaction, so the summary
rows change in the same transaction as the data (or not at all)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import pre_delete
from django.dispatch import receiver

from wattelt.instrument.models import Measurement, NotFilledIn
from wattelt.instrument.signals import measurement_confirmed, measurements_loaded, not_filled_in
from wattelt.privacy.signals import resident_anonymised
from wattelt.residents.models import Trajectory
from wattelt.residents.signals import responsible_assigned, trajectory_closed, trajectory_opened

from .adoption import summary


@receiver(trajectory_opened, dispatch_uid="adoption-trajectory-opened")
@receiver(trajectory_closed, dispatch_uid="adoption-trajectory-closed")
@receiver(responsible_assigned, dispatch_uid="adoption-responsible-assigned")
def count_trajectory(sender: Any, trajectory: Trajectory, **kwargs: Any) -> None:
    summary.refresh([trajectory.pk])


@receiver(measurement_confirmed, dispatch_uid="adoption-measurement-confirmed")
def count_measurement(sender: Any, measurement: Measurement, **kwargs: Any) -> None:
    # Also the new version of a correction: the old one no longer counts.
    summary.refresh([measurement.trajectory_id])


@receiver(not_filled_in, dispatch_uid="adoption-not-filled-in")
def count_not_filled_in(sender: Any, record: NotFilledIn, **kwargs: Any) -> None:
    summary.refresh([record.trajectory_id])


@receiver(measurements_loaded, dispatch_uid="adoption-measurements-loaded")
def count_loaded(
    sender: Any, trajectory_ids: set[int], trajectories: Any = None, **kwargs: Any
) -> None:
    if trajectories is not None:  # a queryset of the same trajectories: in one pass
        summary.refresh_scope(trajectories)
    else:
        summary.refresh(trajectory_ids)  # set-based, a few statements per 2,000 trajectories


@receiver(resident_anonymised, dispatch_uid="adoption-resident-anonymised")
def count_anonymised(sender: Any, resident_id: int, **kwargs: Any) -> None:
    # Anonymising keeps every date and status that counts; derived again all the same,
    # so no later change to what erasure keeps can leave the summary behind.
    summary.refresh_resident(resident_id)


@receiver(pre_delete, sender=Trajectory, dispatch_uid="adoption-trajectory-deleted")
def uncount_trajectory(sender: Any, instance: Trajectory, **kwargs: Any) -> None:
    # Not done by the app (erasure anonymises), but an admin's delete must not leave
    # its counts behind in the sums.
    summary.forget([instance.pk])
