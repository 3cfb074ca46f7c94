"""The events other systems hear about. Connected in `Config.ready()`; the signals are
sent inside the writer's transaction, so the outbox row commits with the change or not
at all."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from wattelt.instrument.models import Measurement
from wattelt.instrument.signals import measurement_confirmed, measurement_corrected
from wattelt.residents.models import Consent, Trajectory
from wattelt.residents.signals import (
    consent_given,
    consent_withdrawn,
    trajectory_closed,
    trajectory_opened,
)

from .models import Channel
from .outbox import enqueue, resource_url


def _organisation_of(trajectory_id: int) -> int:
    return Trajectory.objects.filter(pk=trajectory_id).values_list(
        "team__organisation_id", flat=True
    )[0]


def _trajectory_event(trajectory: Trajectory, action: str, event: str) -> None:
    enqueue(
        Channel.TRAJECTORIES,
        trajectory.pk,
        trajectory.pk,
        action,
        {"gebeurtenis": event},
        {_organisation_of(trajectory.pk)},
    )


@receiver(trajectory_opened, dispatch_uid="notifications-trajectory-opened")
def notify_trajectory_opened(sender: Any, trajectory: Trajectory, **kwargs: Any) -> None:
    _trajectory_event(trajectory, "create", "geopend")


@receiver(trajectory_closed, dispatch_uid="notifications-trajectory-closed")
def notify_trajectory_closed(sender: Any, trajectory: Trajectory, **kwargs: Any) -> None:
    _trajectory_event(trajectory, "update", "gesloten")


@receiver(measurement_confirmed, dispatch_uid="notifications-measurement-confirmed")
def notify_measurement_confirmed(sender: Any, measurement: Measurement, **kwargs: Any) -> None:
    if measurement.corrects_id is not None:
        return  # a correction: `measurement_corrected` follows and reports it
    enqueue(
        Channel.MEASUREMENTS,
        measurement.pk,
        measurement.trajectory_id,
        "create",
        {"gebeurtenis": "bevestigd", "soort": measurement.kind},
        {_organisation_of(measurement.trajectory_id)},
    )


@receiver(measurement_corrected, dispatch_uid="notifications-measurement-corrected")
def notify_measurement_corrected(sender: Any, measurement: Measurement, **kwargs: Any) -> None:
    assert measurement.corrects_id is not None
    enqueue(
        Channel.MEASUREMENTS,
        measurement.pk,
        measurement.trajectory_id,
        "update",
        {
            "gebeurtenis": "gecorrigeerd",
            "soort": measurement.kind,
            "vervangt": resource_url("metingen", measurement.corrects_id),
        },
        {_organisation_of(measurement.trajectory_id)},
    )


def _consent_event(consent: Consent, action: str, event: str) -> None:
    # Both sides hear of it: the trajectory's organisation and the one it is shared with.
    enqueue(
        Channel.CONSENTS,
        consent.pk,
        consent.trajectory_id,
        action,
        {"gebeurtenis": event},
        {_organisation_of(consent.trajectory_id), consent.organisation_id},
    )


@receiver(consent_given, dispatch_uid="notifications-consent-given")
def notify_consent_given(sender: Any, consent: Consent, **kwargs: Any) -> None:
    _consent_event(consent, "create", "gegeven")


@receiver(consent_withdrawn, dispatch_uid="notifications-consent-withdrawn")
def notify_consent_withdrawn(sender: Any, consent: Consent, **kwargs: Any) -> None:
    _consent_event(consent, "update", "ingetrokken")
