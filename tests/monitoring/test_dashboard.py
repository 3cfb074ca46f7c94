"""The monitoring dashboard: who sees which figures, small cells, bad filters, queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import client_for, confirmed_measurement, make_staff, staff_with_role
from wattelt.audit.models import AccessLog
from wattelt.organisations.models import (
    District,
    Membership,
    Municipality,
    Organisation,
    Role,
    Staff,
    Team,
)
from wattelt.residents import services as residents
from wattelt.residents.models import Trajectory

URL = reverse("monitoring:dashboard")


def trajectories(
    n: int, team: Team, by: Staff, district: District, measured: bool = False
) -> list[Trajectory]:
    """n residents, each with a trajectory started 200 days ago (and a start measurement)."""
    started = timezone.localdate() - dt.timedelta(days=200)
    made = []
    for i in range(n):
        resident = residents.register_resident(
            residents.ResidentInput(
                first_name=f"Bewoner{i}",
                last_name=f"{team.name} {district.name}",
                date_of_birth=dt.date(1980, 1, 1),
                district=district,
            ),
            by,
        )
        trajectory = residents.open_trajectory(resident, team, by, started)
        if measured:
            confirmed_measurement(trajectory, by)
        made.append(trajectory)
    return made


def started(response) -> str:  # type: ignore[no-untyped-def]
    """The shown number of trajectories started."""
    registration = response.context["sections"][0]
    assert registration.id == "registration"
    value: str = registration.rows[0][1][0]
    return value


@pytest.fixture
def other_team(organisation: Organisation) -> Team:
    return Team.objects.create(organisation=organisation, name="Team Zuid")


def test_professionals_and_other_roles_get_404(alice, privacy_officer):
    for user in (alice, privacy_officer):
        assert client_for(user).get(URL).status_code == 404


def test_each_role_sees_its_own_scope(
    alice, bob, charlie, organisation, team, other_team, district, catalogue
):
    dave = make_staff("dave", organisation, other_team, Membership.Role.PROFESSIONAL)
    trajectories(11, team, alice, district)
    trajectories(12, other_team, dave, district)
    trajectories(10, charlie.teams.get(), charlie, district)  # other organisation
    elsewhere = Municipality.objects.create(name="Elders")
    far_org = Organisation.objects.create(municipality=elsewhere, name="Ver weg")
    far_team = Team.objects.create(organisation=far_org, name="Team Ver")
    far_district = District.objects.create(municipality=elsewhere, name="Ver")
    far = make_staff("erik", far_org, far_team, Membership.Role.PROFESSIONAL)
    trajectories(10, far_team, far, far_district)

    quinn = staff_with_role("quinn", organisation, Role.Name.QUALITY_OFFICER)
    olga = staff_with_role("olga", organisation, Role.Name.ORGANISATION_ADMIN)
    anna = staff_with_role("anna", organisation, Role.Name.MUNICIPALITY_ANALYST)
    assert started(client_for(bob).get(URL)) == "11"  # his own team only
    assert started(client_for(quinn).get(URL)) == "23"  # the organisation
    assert started(client_for(olga).get(URL)) == "23"
    assert started(client_for(anna).get(URL)) == "33"  # the whole municipality, not Elders
    assert started(client_for(anna).get(URL, {"team": other_team.pk})) == "12"
    # A coach cannot pick a team he does not coach.
    response = client_for(bob).get(URL, {"team": other_team.pk})
    assert response.status_code == 200
    assert response.context["form"].errors and response.context["sections"] == []


def test_a_figure_under_ten_residents_is_shown_as_less_than_ten(
    alice, bob, team, district, catalogue
):
    trajectories(3, team, alice, district, measured=True)
    response = client_for(bob).get(URL)
    assert response.status_code == 200
    assert started(response) == "<10"
    values = [v for s in response.context["sections"] for _label, row in s.rows for v in row]
    assert "<10" in values and "3" not in values
    html = response.content.decode()
    assert "&lt;10" in html and ">3<" not in html
    assert "Bewoner" not in html  # no resident names
    assert 'class="bar-chart__suppressed"' in html and 'class="bar-chart__bar"' not in html


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2999-01-01", "end": "2999-12-31"},  # in the future
        {"start": "2024-06-01", "end": "2024-01-01"},  # ends before it starts
        {"start": "gisteren"},
        {"age_group": "old"},
        {"team": "999999"},
        {"district": "abc"},
    ],
)
def test_bad_filters_give_a_message_not_an_error_page(bob, params):
    response = client_for(bob).get(URL, params)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["sections"] == []
    assert 'role="alert"' in response.content.decode()


def test_the_view_is_logged_without_a_resident(bob):
    client_for(bob).get(URL)
    record = AccessLog.objects.get(object_type="dashboard")
    assert record.username == "bob" and record.purpose == "monitoring"
    assert record.resident_id is None and record.action == "read"


def test_the_number_of_queries_does_not_grow_with_the_data(
    alice, bob, team, district, municipality, catalogue
):
    client = client_for(bob)
    trajectories(1, team, alice, district, measured=True)
    with CaptureQueriesContext(connection) as small:
        client.get(URL)
    zuid = District.objects.create(municipality=municipality, name="Zuid")
    team.districts.add(zuid)
    trajectories(4, team, alice, district, measured=True)
    trajectories(4, team, alice, zuid, measured=True)
    with CaptureQueriesContext(connection) as larger:
        response = client.get(URL)
    assert len(response.context["sections"]) > 6  # a table per district
    assert len(larger.captured_queries) == len(small.captured_queries)
