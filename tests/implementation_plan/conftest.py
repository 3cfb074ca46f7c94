"""Olga (organisation admin) and Quinn (quality officer) edit the plan; Bob (coach)
reads the draft; Alice (professional) reads what is published."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import confirmed_measurement, staff_with_role
from wattelt.implementation_plan import services
from wattelt.implementation_plan.models import PlanVersion
from wattelt.organisations.models import District, Organisation, Role, Staff, Team
from wattelt.residents import services as residents


@pytest.fixture
def olga(organisation: Organisation) -> Staff:
    return staff_with_role("olga", organisation, Role.Name.ORGANISATION_ADMIN)


@pytest.fixture
def quinn(organisation: Organisation) -> Staff:
    return staff_with_role("quinn", organisation, Role.Name.QUALITY_OFFICER)


@pytest.fixture
def draft(organisation: Organisation, olga: Staff) -> PlanVersion:
    return services.start_draft(organisation, olga)


def started_trajectories(
    team: Team, by: Staff, district: District, count: int, measured: int, days_ago: int = 40
) -> None:
    """`count` trajectories started `days_ago` days ago, the first `measured` of them
    with a start measurement on their first day."""
    started = timezone.localdate() - dt.timedelta(days=days_ago)
    for n in range(count):
        resident = residents.register_resident(
            residents.ResidentInput(
                first_name=f"Inwoner{n}",
                last_name="Plan",
                date_of_birth=dt.date(1980, 1, 1),
                district=district,
            ),
            by,
        )
        trajectory = residents.open_trajectory(resident, team, by, started)
        if n < measured:
            confirmed_measurement(trajectory, by, days_ago=days_ago)
