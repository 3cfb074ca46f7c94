"""The monitoring dashboard: who sees which figures, small cells, bad filters, queries."""

from __future__ import annotations

import datetime as dt
import html
import io
import re

import pytest
from django.core.management import call_command
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


def this_year_days_ago(days: int) -> int:
    """`days` ago, but not before 1 January of this year (the default period)."""
    return min(days, timezone.localdate().timetuple().tm_yday - 1)


def trajectories(
    n: int,
    team: Team,
    by: Staff,
    district: District,
    measured: bool = False,
    born: dt.date = dt.date(1980, 1, 1),
    name: str = "Bewoner",
) -> list[Trajectory]:
    """n residents, each with a trajectory started this year (and a start measurement)."""
    today = timezone.localdate()
    started = today - dt.timedelta(days=this_year_days_ago(200))
    made = []
    for i in range(n):
        resident = residents.register_resident(
            residents.ResidentInput(
                first_name=f"{name}{i}",
                last_name=f"{team.name} {district.name}",
                date_of_birth=born,
                district=district,
            ),
            by,
        )
        trajectory = residents.open_trajectory(resident, team, by, started)
        if measured:
            confirmed_measurement(trajectory, by, days_ago=this_year_days_ago(100))
        made.append(trajectory)
    return made


def started(response) -> str:  # type: ignore[no-untyped-def]
    """The shown number of trajectories started, as the page shows it (the figure tables
    may come from the cache, rendered for an earlier view of the same cube)."""
    page = response.content.decode()
    figure = page[page.index('<div class="dashboard-figure" id="registration">') :]
    cell = '<td class="utrecht-table__cell utrecht-table__cell--numeric">([^<]*)</td>'
    first = re.search(cell, figure)
    assert first is not None
    return html.unescape(first.group(1))


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
    sections = [*response.context["sections"], *response.context["series"]]
    values = [v for s in sections for _label, row in s.rows for v in row]
    assert "<10" in values and "3" not in values
    html = response.content.decode()
    assert "&lt;10" in html and ">3</td>" not in html
    assert "Bewoner" not in html  # no resident names
    assert 'class="chart__suppressed"' in html and 'class="chart__bar"' not in html


def test_the_quarterly_series_is_a_line_chart_with_its_table(alice, bob, team, district, catalogue):
    trajectories(12, team, alice, district, measured=True)
    response = client_for(bob).get(URL)
    series = response.context["series"]
    assert [s.id for s in series] == ["series-registration", "series-quality", "series-goals"]
    today = timezone.localdate()
    labels = [label for label, _row in series[0].rows]
    assert labels[0] == f"{today.year} Q1" and len(labels) == (today.month - 1) // 3 + 1
    html = response.content.decode()
    # Twelve residents in one quarter: the other quarters are hidden zeros, so that one is
    # hidden too (it would give them away). Nothing to draw: each series says so instead
    # of showing an empty axis (the lines themselves: tests/test_charts.py).
    assert 'class="chart chart--line"' not in html
    assert html.count('class="chart-empty"') == 3
    assert "Geen lijn te tekenen: elk cijfer in deze grafiek is verborgen" in html
    assert [row[0] for _label, row in series[0].rows] == ["<10", "×", "<10", "<10"][: len(labels)]


@pytest.mark.parametrize(
    "params",
    [
        {"period": "2999"},  # in the future
        {"period": f"{dt.date.today().year + 1}-Q1"},
        {"period": "2024-Q7"},
        {"period": "gisteren"},
        {"period": "1990"},  # too long ago
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


def test_a_district_and_a_team_together_are_refused_with_a_reason(anna_world):
    anna, team, district = anna_world
    response = client_for(anna).get(URL, {"team": team.pk, "district": district.pk})
    assert response.status_code == 200
    assert "niet allebei" in response.content.decode()
    assert response.context["sections"] == []


@pytest.fixture
def anna_world(organisation, team, district):  # type: ignore[no-untyped-def]
    anna = staff_with_role("anna", organisation, Role.Name.MUNICIPALITY_ANALYST)
    return anna, team, district


def test_unknown_filters_are_ignored(bob):
    response = client_for(bob).get(URL, {"colour": "blue", "start": "2020-01-01"})
    assert response.status_code == 200 and not response.context["form"].errors


def test_a_team_without_data_shows_an_empty_state_not_an_error(bob, other_team, anna_world):
    anna, _team, _district = anna_world
    response = client_for(anna).get(URL, {"team": other_team.pk})
    assert response.status_code == 200 and not response.context["form"].errors
    assert started(response) == "<10"  # 0 trajectories is a figure under 10 as well
    last_year = client_for(bob).get(URL, {"period": str(timezone.localdate().year - 1)})
    assert last_year.status_code == 200


def test_the_view_is_logged_without_a_resident(bob):
    client_for(bob).get(URL)
    record = AccessLog.objects.get(object_type="dashboard")
    assert record.username == "bob" and record.purpose == "monitoring"
    assert record.resident_id is None and record.action == "read"


def publish_all() -> str:
    out = io.StringIO()
    call_command("publish_monitoring_figures", stdout=out)
    return out.getvalue()


def test_the_number_of_queries_does_not_grow_with_the_data(
    alice, bob, team, district, municipality, catalogue
):
    client = client_for(bob)
    trajectories(1, team, alice, district, measured=True)
    publish_all()
    client.get(URL)  # loads the published cube into this process
    with CaptureQueriesContext(connection) as small:
        client.get(URL)
    zuid = District.objects.create(municipality=municipality, name="Zuid")
    team.districts.add(zuid)
    trajectories(4, team, alice, district, measured=True)
    trajectories(4, team, alice, zuid, measured=True)
    publish_all()
    with CaptureQueriesContext(connection) as loading:
        first = client.get(URL)
    with CaptureQueriesContext(connection) as larger:
        client.get(URL)
    assert len(first.context["sections"]) > 6  # a table per district
    # From the published cube: the same few queries whatever the data.
    assert len(larger.captured_queries) == len(small.captured_queries) < 20
    # A newly published cube is read (its description and stored figures) and its
    # figures rendered once; from then on the rendered figures are served as they are.
    assert len(loading.captured_queries) > len(small.captured_queries)
    published = [
        q["sql"] for q in larger.captured_queries if "monitoring_publishedcube" in q["sql"]
    ]
    assert len(published) == 1


def test_new_data_shows_at_the_next_publish(alice, bob, team, district, catalogue):
    client = client_for(bob)
    trajectories(10, team, alice, district)
    assert started(client.get(URL)) == "10"  # none published yet: built on demand
    trajectories(1, team, alice, district)
    assert started(client.get(URL)) == "10"  # still the published figures
    publish_all()
    assert started(client.get(URL)) == "11"
