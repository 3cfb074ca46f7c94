"""Residents, trajectories and when the next measurement is due."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from freezegun import freeze_time

from tests.conftest import confirmed_measurement
from wattelt.instrument import services as instrument
from wattelt.residents import services
from wattelt.residents.bsn import is_valid_bsn, mask_bsn


@pytest.mark.parametrize(
    ("bsn", "valid"),
    [
        ("111222333", True),
        ("123456782", True),
        ("123456789", False),
        ("12345678", False),
        ("abcdefghi", False),
        ("000000000", False),
    ],
)
def test_bsn_eleven_proof(bsn, valid):
    assert is_valid_bsn(bsn) is valid


def test_bsn_is_masked():
    assert mask_bsn("111222333") == "*****333"


def test_invalid_bsn_is_refused_with_a_clear_message(alice, district):
    with pytest.raises(ValidationError) as error:
        services.register_resident(
            services.ResidentInput("Jan", "Smit", dt.date(1990, 1, 1), district, bsn="123456789"),
            alice,
        )
    assert "elfproef" in error.value.message_dict["bsn"][0]


def test_start_measurement_due_after_grace_period(trajectory):
    assert trajectory.measurement_due_on == trajectory.started_on + dt.timedelta(days=14)


def test_follow_up_due_after_interval(trajectory, alice):
    measurement = confirmed_measurement(trajectory, alice, days_ago=30)
    trajectory.refresh_from_db()
    assert trajectory.measurement_due_on == services.add_months(measurement.measured_on, 3)


def test_not_filled_in_moves_the_due_date_on(trajectory, alice):
    record = instrument.record_not_filled_in(trajectory, alice, "start", "declined")
    trajectory.refresh_from_db()
    assert trajectory.measurement_due_on == services.add_months(record.recorded_on, 3)


def test_due_states(trajectory):
    trajectory.measurement_due_on = dt.date(2026, 3, 1)
    assert services.due_state(trajectory, dt.date(2026, 3, 2)) == "overdue"
    assert services.due_state(trajectory, dt.date(2026, 2, 20)) == "due"
    assert services.due_state(trajectory, dt.date(2026, 1, 1)) == ""


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2026, 11, 15), 3, dt.date(2027, 2, 15)),
        (dt.date(2024, 11, 30), 3, dt.date(2025, 2, 28)),
    ],
)
def test_add_months_clips_to_month_end(day, months, expected):
    assert services.add_months(day, months) == expected


def test_close_trajectory_with_reason(trajectory, alice):
    closed = services.close_trajectory(trajectory, alice, "goals_reached")
    assert closed.ended_on == timezone.localdate()
    assert closed.measurement_due_on is None


def test_close_needs_a_known_reason(trajectory, alice):
    with pytest.raises(ValidationError) as error:
        services.close_trajectory(trajectory, alice, "bored")
    assert "closing_reason" in error.value.message_dict


def test_close_refuses_with_an_open_draft(trajectory, alice):
    instrument.start_measurement(trajectory, alice)
    with pytest.raises(ValidationError, match="conceptmeting"):
        services.close_trajectory(trajectory, alice, "goals_reached")


def test_close_twice_is_refused(trajectory, alice):
    services.close_trajectory(trajectory, alice, "goals_reached")
    with pytest.raises(ValidationError, match="al afgesloten"):
        services.close_trajectory(trajectory, alice, "goals_reached")


@freeze_time("2026-06-01")
def test_young_person_follows_from_date_of_birth(resident):
    resident.date_of_birth = dt.date(2008, 6, 2)
    assert resident.is_young_on(dt.date(2026, 6, 1))
    assert not resident.is_young_on(dt.date(2026, 6, 2))
