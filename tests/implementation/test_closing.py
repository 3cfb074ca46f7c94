"""A mandatory Wat telt: closing needs a start and an end measurement, or the reason
one was not filled in."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.conftest import client_for, confirmed_measurement
from tests.implementation.conftest import confirm_later_measurement
from wattelt.implementation.services import closing_blockers
from wattelt.instrument import services as instrument
from wattelt.organisations.models import OrganisationPolicy
from wattelt.residents import services as residents


@pytest.fixture
def mandatory(organisation):
    return OrganisationPolicy.objects.create(organisation=organisation, mandatory=True)


def refusal(trajectory, alice) -> str:
    with pytest.raises(ValidationError) as refused:
        residents.close_trajectory(trajectory, alice, "goals_reached")
    return " ".join(refused.value.messages)


def test_not_mandatory_closes_without_any_measurement(trajectory, alice):
    assert closing_blockers(trajectory) == []
    closed = residents.close_trajectory(trajectory, alice, "goals_reached")
    assert not closed.is_open


def test_mandatory_refuses_closing_and_names_both_missing_measurements(
    mandatory, trajectory, alice
):
    message = refusal(trajectory, alice)
    assert "startmeting ontbreekt" in message
    assert "eindmeting ontbreekt" in message
    trajectory.refresh_from_db()
    assert trajectory.is_open


def test_mandatory_with_a_start_measurement_names_only_the_end(mandatory, trajectory, alice):
    confirmed_measurement(trajectory, alice)
    message = refusal(trajectory, alice)
    assert "startmeting" not in message
    assert "eindmeting ontbreekt" in message


def test_mandatory_closes_after_an_end_measurement(mandatory, trajectory, alice):
    confirmed_measurement(trajectory, alice)
    confirm_later_measurement(trajectory, alice, "end")
    assert closing_blockers(trajectory) == []
    assert not residents.close_trajectory(trajectory, alice, "goals_reached").is_open


def test_a_follow_up_is_not_an_end_measurement(mandatory, trajectory, alice):
    confirmed_measurement(trajectory, alice)
    confirm_later_measurement(trajectory, alice, "follow_up")
    assert "eindmeting ontbreekt" in refusal(trajectory, alice)


def test_mandatory_closes_with_the_reason_the_end_was_not_filled_in(mandatory, trajectory, alice):
    confirmed_measurement(trajectory, alice)
    instrument.record_not_filled_in(trajectory, alice, "end", "crisis")
    assert not residents.close_trajectory(trajectory, alice, "goals_reached").is_open


def test_mandatory_closes_with_reasons_for_both(mandatory, trajectory, alice):
    instrument.record_not_filled_in(trajectory, alice, "start", "declined")
    assert "eindmeting ontbreekt" in refusal(trajectory, alice)
    instrument.record_not_filled_in(trajectory, alice, "end", "ended_early")
    assert not residents.close_trajectory(trajectory, alice, "resident_stopped").is_open


def test_a_draft_end_measurement_does_not_count(mandatory, trajectory, alice):
    confirmed_measurement(trajectory, alice)
    instrument.start_measurement(trajectory, alice, "end")
    assert "eindmeting ontbreekt" in " ".join(closing_blockers(trajectory))


def test_the_close_page_shows_what_is_missing(mandatory, trajectory, alice):
    response = client_for(alice).post(
        reverse("residents:close", args=[trajectory.pk]),
        {"closing_reason": "goals_reached", "ended_on": trajectory.started_on.isoformat()},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "startmeting ontbreekt" in html and "eindmeting ontbreekt" in html
    trajectory.refresh_from_db()
    assert trajectory.is_open
