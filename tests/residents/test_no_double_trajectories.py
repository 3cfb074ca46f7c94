"""One open trajectory per resident and team: a second one is refused with a link to the
open one, the resident page does not offer it, and registering says a trajectory opened."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from tests.conftest import client_for
from wattelt.organisations.models import Membership, Team
from wattelt.residents import services
from wattelt.residents.models import Resident, Trajectory


def test_second_open_trajectory_in_the_team_is_refused(trajectory, resident, team, alice):
    with pytest.raises(services.TrajectoryAlreadyOpen) as refused:
        services.open_trajectory(resident, team, alice)
    assert refused.value.trajectory == trajectory
    assert "heeft al een open traject" in " ".join(refused.value.messages)
    assert Trajectory.objects.filter(resident=resident).count() == 1


def test_after_closing_a_new_trajectory_may_open(trajectory, resident, team, alice):
    services.close_trajectory(trajectory, alice, Trajectory.ClosingReason.GOALS_REACHED)
    again = services.open_trajectory(resident, team, alice)
    assert again.pk != trajectory.pk and again.is_open


def test_another_team_may_open_its_own(trajectory, resident, organisation, district, alice):
    other = Team.objects.create(organisation=organisation, name="Team Zuid")
    Membership.objects.create(staff=alice, team=other, role=Membership.Role.PROFESSIONAL)
    assert services.open_trajectory(resident, other, alice).team == other


def test_the_screen_refuses_in_dutch_with_a_link_to_the_open_one(trajectory, resident, team, alice):
    client = client_for(alice)
    response = client.post(
        reverse("residents:open_trajectory", args=[resident.pk]),
        {"team": team.pk, "started_on": timezone.localdate().isoformat()},
        follow=True,
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "heeft al een open traject" in content
    assert reverse("instrument:progress", args=[trajectory.pk]) in content
    assert Trajectory.objects.filter(resident=resident).count() == 1


def test_resident_page_offers_no_open_for_a_team_with_an_open_trajectory(
    trajectory, resident, alice
):
    content = client_for(alice).get(reverse("residents:detail", args=[resident.pk])).content
    assert reverse("residents:open_trajectory", args=[resident.pk]) not in content.decode()


def test_resident_page_offers_open_once_the_trajectory_is_closed(trajectory, resident, alice):
    services.close_trajectory(trajectory, alice, Trajectory.ClosingReason.GOALS_REACHED)
    content = client_for(alice).get(reverse("residents:detail", args=[resident.pk])).content
    assert reverse("residents:open_trajectory", args=[resident.pk]) in content.decode()


def test_registering_with_a_team_says_a_trajectory_was_opened(alice, team, district):
    response = client_for(alice).post(
        reverse("residents:register"),
        {
            "first_name": "Sanne",
            "last_name": "Bos",
            "date_of_birth": "1990-02-03",
            "district": district.pk,
            "team": team.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    resident = Resident.objects.get(last_name="Bos")
    assert resident.trajectories.get().team == team
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert said == [
        "Sanne Bos is geregistreerd en er is een traject geopend in Team Noord; "
        "leg daar de beginmeting vast."
    ]


def test_a_trajectory_started_earlier_counts_too(trajectory, resident, team, alice):
    with pytest.raises(services.TrajectoryAlreadyOpen):
        services.open_trajectory(resident, team, alice, timezone.localdate() - dt.timedelta(days=1))
