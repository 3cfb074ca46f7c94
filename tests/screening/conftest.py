"""Fixtures for dossier screening: Quinn, the quality officer of Alice's organisation,
and a helper that makes trajectories in bulk."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import make_staff, staff_with_role
from wattelt.organisations.models import District, Membership, Organisation, Role, Staff, Team
from wattelt.residents import services as residents
from wattelt.residents.models import Trajectory
from wattelt.screening import services as screening
from wattelt.screening.models import ScreeningRound

TODAY = timezone.localdate


def make_trajectories(
    n: int,
    team: Team,
    professional: Staff,
    district: District,
    started_days_ago: int = 100,
    ended_days_ago: int | None = None,
) -> list[Trajectory]:
    made = []
    for i in range(n):
        resident = residents.register_resident(
            residents.ResidentInput(
                first_name=f"Inwoner{i}",
                last_name=f"{team.name} Achternaam{i}",
                date_of_birth=dt.date(1980, 1, 1),
                district=district,
            ),
            professional,
        )
        trajectory = residents.open_trajectory(
            resident, team, professional, TODAY() - dt.timedelta(days=started_days_ago)
        )
        if ended_days_ago is not None:
            Trajectory.objects.filter(pk=trajectory.pk).update(
                ended_on=TODAY() - dt.timedelta(days=ended_days_ago), closing_reason="other"
            )
        made.append(trajectory)
    return made


@pytest.fixture
def quinn(organisation: Organisation) -> Staff:
    return staff_with_role("quinn", organisation, Role.Name.QUALITY_OFFICER)


@pytest.fixture
def zuid(organisation: Organisation, district: District) -> Team:
    team = Team.objects.create(organisation=organisation, name="Team Zuid")
    team.districts.add(district)
    return team


@pytest.fixture
def dave(organisation: Organisation, zuid: Team) -> Staff:
    return make_staff("dave", organisation, zuid, Membership.Role.PROFESSIONAL)


def period() -> tuple[dt.date, dt.date]:
    return TODAY() - dt.timedelta(days=365), TODAY()


def sample_of(
    organisation: Organisation, by: Staff, size: int, seed: int | None = None
) -> ScreeningRound:
    start, end = period()
    return screening.draw_sample(
        organisation, by, screening.SampleInput(start, end, size, seed=seed)
    )


FULL_REVIEW = {
    "start_registered": "yes",
    "follow_up_registered": "partly",
    "goals_own_words": "yes",
    "goals_match_priorities": "no",
    "follow_up_on_time": "not_applicable",
    "notes": "Doel is door de professional geformuleerd.",
}
