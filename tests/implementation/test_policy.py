"""The organisation admin's settings: mandatory or not, follow-up interval, optional
views, retention; each change kept in the history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import client_for, confirmed_measurement, staff_with_role
from wattelt.implementation import services
from wattelt.instrument import schedule
from wattelt.instrument import services as instrument
from wattelt.organisations.models import Organisation, OrganisationPolicy, PolicyChange, Role, Team
from wattelt.privacy.models import RetentionPolicy
from wattelt.residents import services as residents
from wattelt.residents.models import Resident, Trajectory

URL = reverse("implementation:organisation_settings")


def form_data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "follow_up_interval_months": 3,
        "professional_view": "on",
        "carer_view": "on",
        "retention_years": 15,
        "youth_retention_years": 20,
        "portal_minimum_age": 16,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_admin_sees_the_defaults(olga):
    response = client_for(olga).get(URL)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial == {
        "mandatory": False,
        "professional_view": True,
        "carer_view": True,
        "follow_up_interval_months": 3,
        "retention_years": 15,
        "youth_retention_years": 20,
        "portal_minimum_age": 16,
    }
    assert "Nog geen wijzigingen" in response.content.decode()


def test_professional_and_coach_do_not_find_the_settings(alice, bob):
    assert client_for(alice, sudo=True).get(URL).status_code == 404
    assert client_for(bob, sudo=True).get(URL).status_code == 404


def test_saving_asks_for_password_and_code_again(olga, organisation):
    response = client_for(olga).post(URL, form_data(mandatory="on"))
    assert response.status_code == 302
    assert reverse("reauthenticate") in response["Location"]
    assert not OrganisationPolicy.objects.filter(organisation=organisation).exists()


def test_admin_changes_settings_and_each_change_is_in_the_history(olga, organisation):
    client = client_for(olga, sudo=True)
    response = client.post(
        URL,
        form_data(
            mandatory="on",
            carer_view=None,
            follow_up_interval_months=6,
            retention_years=10,
        ),
    )
    assert response.status_code == 302
    policy = OrganisationPolicy.objects.get(organisation=organisation)
    assert policy.mandatory and policy.professional_view and not policy.carer_view
    organisation.refresh_from_db()
    assert organisation.follow_up_interval_months == 6
    retention = RetentionPolicy.objects.get(organisation=organisation)
    assert (retention.years, retention.youth_years) == (10, 20)
    changes = {c.field: (c.old, c.new, c.changed_by) for c in PolicyChange.objects.all()}
    assert changes == {
        "mandatory": ("false", "true", olga),
        "carer_view": ("true", "false", olga),
        "follow_up_interval_months": ("3", "6", olga),
        "retention_years": ("15", "10", olga),
    }
    html = client.get(URL).content.decode()
    assert "Tijd tot de vervolgmeting (maanden)" in html
    assert "Bewaartermijn (jaren)" in html


def test_saving_unchanged_settings_records_nothing(olga):
    client_for(olga, sudo=True).post(URL, form_data())
    assert not PolicyChange.objects.exists()


@pytest.mark.parametrize("months", [0, 13])
def test_interval_outside_1_to_12_months_is_refused(olga, organisation, months):
    response = client_for(olga, sudo=True).post(URL, form_data(follow_up_interval_months=months))
    assert response.status_code == 200
    assert response.context["form"].errors["follow_up_interval_months"]
    organisation.refresh_from_db()
    assert organisation.follow_up_interval_months == 3
    assert not PolicyChange.objects.exists()


def test_youth_files_are_kept_at_least_20_years(olga, organisation):
    data = services.current_policy(organisation)
    data.youth_retention_years = 10
    with pytest.raises(ValidationError) as refused:
        services.change_policy(organisation, olga, data)
    assert "youth_retention_years" in refused.value.error_dict
    assert not RetentionPolicy.objects.exists()


def test_admin_changes_only_their_own_organisation(olga, organisation, municipality):
    other = Organisation.objects.create(municipality=municipality, name="Elders")
    other_admin = staff_with_role("otto", other, Role.Name.ORGANISATION_ADMIN)
    client_for(other_admin, sudo=True).post(URL, form_data(follow_up_interval_months=1))
    other.refresh_from_db()
    organisation.refresh_from_db()
    assert (other.follow_up_interval_months, organisation.follow_up_interval_months) == (1, 3)
    html = client_for(olga).get(URL).content.decode()
    assert "otto" not in html.lower()


# --- a new interval moves the due dates ---------------------------------------------


def make_trajectory(alice, team: Team, district, started_days_ago: int = 300) -> Trajectory:
    resident = residents.register_resident(
        residents.ResidentInput("R", "Test", dt.date(1980, 1, 1), district), alice
    )
    started = timezone.localdate() - dt.timedelta(days=started_days_ago)
    return residents.open_trajectory(resident, team, alice, started)


def due_dates(organisation: Organisation) -> dict[int, dt.date | None]:
    return dict(
        Trajectory.objects.filter(team__organisation=organisation).values_list(
            "pk", "measurement_due_on"
        )
    )


def test_new_interval_recomputes_due_dates_as_refresh_due_date_would(
    olga, alice, charlie, organisation, team, district, trajectory
):
    measured = make_trajectory(alice, team, district)
    confirmed_measurement(measured, alice, days_ago=40)
    skipped_later = make_trajectory(alice, team, district)
    confirmed_measurement(skipped_later, alice, days_ago=100)
    instrument.record_not_filled_in(skipped_later, alice, "follow_up", "crisis")
    closed = make_trajectory(alice, team, district)
    residents.close_trajectory(closed, alice, "moved")
    charlie_team = Team.objects.get(organisation=charlie.organisation)
    theirs = make_trajectory(charlie, charlie_team, district)
    confirmed_measurement(theirs, charlie, days_ago=40)
    theirs_due = Trajectory.objects.get(pk=theirs.pk).measurement_due_on
    activity = dict(Trajectory.objects.values_list("pk", "last_activity_at"))

    data = services.current_policy(organisation)
    data.follow_up_interval_months = 1
    services.change_policy(organisation, olga, data)

    recomputed = due_dates(organisation)
    today = timezone.localdate()
    assert recomputed[measured.pk] == residents.add_months(today - dt.timedelta(days=40), 1)
    assert recomputed[skipped_later.pk] == residents.add_months(today, 1)
    assert recomputed[trajectory.pk] == trajectory.started_on + dt.timedelta(days=14)
    assert recomputed[closed.pk] is None
    # The other organisation keeps its own interval; nobody's last activity moves.
    assert Trajectory.objects.get(pk=theirs.pk).measurement_due_on == theirs_due
    assert dict(Trajectory.objects.values_list("pk", "last_activity_at")) == activity
    # The one rule: refresh_due_date, run per trajectory, agrees on every row.
    for t in Trajectory.objects.filter(team__organisation=organisation):
        schedule.refresh_due_date(t)
    assert due_dates(organisation) == recomputed


def test_recomputing_takes_a_fixed_number_of_queries(
    alice, organisation, team, district, catalogue
):
    def measure() -> int:
        organisation.follow_up_interval_months += 1
        with CaptureQueriesContext(connection) as queries:
            services.recompute_due_dates(organisation)
        return len(queries)

    for _ in range(3):
        confirmed_measurement(make_trajectory(alice, team, district), alice, days_ago=50)
    small = measure()
    for _ in range(5):  # 3 → 8: a query per trajectory would show
        confirmed_measurement(make_trajectory(alice, team, district), alice, days_ago=50)
    assert measure() == small


def test_recomputing_thousands_of_trajectories_is_fast(alice, organisation, team, district):
    """Bound, not benchmark: 3000 open trajectories in well under the time an admin waits."""
    resident = Resident.objects.create(
        organisation=organisation,
        first_name="R",
        last_name="Test",
        date_of_birth=dt.date(1980, 1, 1),
        district=district,
    )
    started = timezone.localdate() - dt.timedelta(days=10)
    Trajectory.objects.bulk_create(
        Trajectory(resident=resident, team=team, responsible=alice, started_on=started)
        for _ in range(3000)
    )
    organisation.start_measurement_grace_days = 20
    begin = timezone.now()
    assert services.recompute_due_dates(organisation) == 3000
    assert (timezone.now() - begin).total_seconds() < 10
