"""Monitoring hears about writes through signals connected in its AppConfig.ready(); they
run inside the writer's transaction, so a failure anywhere undoes the whole action."""

from __future__ import annotations

from typing import Any

import pytest
from django.dispatch import Signal

from tests.conftest import board_data, complete_fields
from wattelt.instrument import services as instrument
from wattelt.instrument.models import Measurement
from wattelt.instrument.signals import measurement_confirmed
from wattelt.monitoring import receivers
from wattelt.monitoring.models import MeasurementFact, TrajectorySummary
from wattelt.privacy.signals import resident_anonymised
from wattelt.residents.signals import trajectory_closing, trajectory_opened


class Refused(Exception):
    pass


def refuse(sender: Any, **kwargs: Any) -> None:
    raise Refused


def listeners(signal: Signal) -> list[Any]:
    return [entry[1]() for entry in signal.receivers]  # (key, weak reference, is async)


def test_monitoring_listens_to_the_writes_it_counts(db):
    assert receivers.count_opened_trajectory in listeners(trajectory_opened)
    assert receivers.count_confirmed_measurement in listeners(measurement_confirmed)
    assert receivers.count_anonymised_resident in listeners(resident_anonymised)


def test_a_confirmation_counts_at_once(trajectory, alice):
    draft = instrument.start_measurement(trajectory, alice, "")
    assert not MeasurementFact.objects.filter(trajectory_id=trajectory.pk).exists()
    instrument.confirm_measurement(draft, alice, board_data(draft, **complete_fields()))
    assert MeasurementFact.objects.filter(trajectory_id=trajectory.pk).count() == 1


def test_a_failing_receiver_rolls_back_the_confirmation(trajectory, alice):
    draft = instrument.start_measurement(trajectory, alice, "")
    data = board_data(draft, **complete_fields())
    measurement_confirmed.connect(refuse, dispatch_uid="test-refuse")
    try:
        with pytest.raises(Refused):
            instrument.confirm_measurement(draft, alice, data)
    finally:
        measurement_confirmed.disconnect(dispatch_uid="test-refuse")
    draft.refresh_from_db()
    assert draft.status == Measurement.Status.DRAFT
    assert not MeasurementFact.objects.filter(trajectory_id=trajectory.pk).exists()
    assert TrajectorySummary.objects.filter(trajectory_id=trajectory.pk).exists()


def test_the_apps_above_residents_each_give_their_closing_rule(db):
    rules = {receiver.__qualname__ for receiver in listeners(trajectory_closing)}
    assert rules == {"refuse_closing_with_draft", "mandatory_closing_blockers"}
