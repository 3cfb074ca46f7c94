"""Fixtures of the implementation tests: Olga, the organisation admin."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import board_data, complete_fields, staff_with_role
from wattelt.instrument import services as instrument
from wattelt.instrument.models import Measurement
from wattelt.organisations.models import Organisation, Role, Staff
from wattelt.residents.models import Trajectory


@pytest.fixture
def olga(organisation: Organisation) -> Staff:
    return staff_with_role("olga", organisation, Role.Name.ORGANISATION_ADMIN)


def confirm_later_measurement(
    trajectory: Trajectory, by: Staff, kind: str = "end", days_ago: int = 1
) -> Measurement:
    """A follow-up or end measurement: the goals of earlier ones get a status."""
    draft = instrument.start_measurement(trajectory, by, kind)
    reviews = {f"review__{g.pk}__status": "partly" for g in instrument.goals_to_review(draft)}
    day = (timezone.localdate() - dt.timedelta(days=days_ago)).isoformat()
    data = board_data(draft, **complete_fields(measured_on=day, **reviews))
    return instrument.confirm_measurement(draft, by, data)
