"""Due, overdue and missing start measurements: the coach's team list and the signal on
the professional's start page."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import client_for, confirmed_measurement, make_staff
from wattelt.audit.models import AccessLog
from wattelt.implementation import services
from wattelt.instrument import services as instrument
from wattelt.organisations.models import Membership, Team
from wattelt.residents import services as residents
from wattelt.residents.models import Trajectory

URL = reverse("implementation:team_reminders")
MISSING = "startmeting ontbreekt"


def add_trajectories(alice, team, district, count: int, started_days_ago: int = 300) -> None:
    for n in range(count):
        resident = residents.register_resident(
            residents.ResidentInput(f"R{n}", "Test", dt.date(1980, 1, 1), district), alice
        )
        residents.open_trajectory(
            resident, team, alice, timezone.localdate() - dt.timedelta(days=started_days_ago)
        )


# --- the signal ----------------------------------------------------------------------


def fresh(trajectory: Trajectory) -> Trajectory:
    return Trajectory.objects.get(pk=trajectory.pk)


def test_start_missing_once_the_grace_period_has_passed(trajectory):
    assert services.start_missing(fresh(trajectory), 14)
    assert services.reminder_state(fresh(trajectory), 14) == "start_missing"


def test_start_not_missing_within_the_grace_period(alice, team, district):
    add_trajectories(alice, team, district, 1, started_days_ago=10)
    recent = Trajectory.objects.get()
    assert not services.start_missing(recent, 14)
    assert services.reminder_state(recent, 14) == "due"


def test_start_not_missing_after_a_measurement(trajectory, alice):
    confirmed_measurement(trajectory, alice, days_ago=150)
    assert not services.start_missing(fresh(trajectory), 14)
    assert services.reminder_state(fresh(trajectory), 14) == "overdue"


def test_start_not_missing_after_recording_why_it_was_not_filled_in(trajectory, alice):
    instrument.record_not_filled_in(trajectory, alice, "start", "declined")
    assert not services.start_missing(fresh(trajectory), 14)


def test_start_not_missing_on_a_closed_trajectory(trajectory, alice):
    closed = residents.close_trajectory(trajectory, alice, "moved")
    assert not services.start_missing(closed, 14)


def test_start_page_shows_the_signal(trajectory, alice):
    html = client_for(alice).get(reverse("start")).content.decode()
    assert MISSING in html


def test_start_page_has_no_signal_after_a_start_measurement(trajectory, alice):
    confirmed_measurement(trajectory, alice, days_ago=150)
    html = client_for(alice).get(reverse("start")).content.decode()
    assert MISSING not in html and "badge--overdue" in html


# --- the coach's list ----------------------------------------------------------------


def test_coach_sees_the_team_with_due_states(trajectory, alice, bob, team, district):
    add_trajectories(alice, team, district, 1, started_days_ago=5)
    response = client_for(bob).get(URL)
    assert response.status_code == 200
    states = {t.pk: state for t, state in response.context["rows"]}
    assert states[trajectory.pk] == "start_missing"
    assert sorted(states.values()) == ["due", "start_missing"]
    html = response.content.decode()
    assert "Fatima Yilmaz" in html and MISSING in html
    assert response.context["counts"] == {"total": 2, "overdue": 1, "due": 1}


def test_a_professional_does_not_find_the_coach_list(trajectory, alice):
    assert client_for(alice).get(URL).status_code == 404


def test_coach_of_another_team_sees_nothing_of_ours(trajectory, organisation):
    other = Team.objects.create(organisation=organisation, name="Team Zuid")
    coach = make_staff("carol", organisation, other, Membership.Role.TEAMCOACH)
    response = client_for(coach).get(URL)
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert "Fatima" not in response.content.decode()


def test_needs_attention_hides_what_is_not_due(trajectory, alice, bob, team, district):
    confirmed_measurement(trajectory, alice, days_ago=1)  # next one in three months
    add_trajectories(alice, team, district, 1)
    everything = client_for(bob).get(URL).context["rows"]
    urgent = client_for(bob).get(URL, {"toon": "aandacht"}).context["rows"]
    assert len(everything) == 2
    assert [t.pk for t, _ in urgent] == [t.pk for t, s in everything if s]
    assert trajectory.pk not in [t.pk for t, _ in urgent]


def test_every_resident_shown_is_logged(trajectory, alice, bob, team, district):
    add_trajectories(alice, team, district, 2)
    client_for(bob).get(URL)
    logged = AccessLog.objects.filter(username="bob", object_type="trajectory", action="read")
    shown = set(Trajectory.objects.values_list("resident_id", flat=True))
    assert set(logged.values_list("resident_id", flat=True)) == shown
    assert logged.count() == 3 and {r.role for r in logged} == {"teamcoach"}


def test_the_list_is_paginated(alice, bob, team, district):
    add_trajectories(alice, team, district, 30)
    first = client_for(bob).get(URL)
    assert len(first.context["rows"]) == 25
    assert first.context["page"].paginator.count == 30
    assert len(client_for(bob).get(URL, {"page": 2}).context["rows"]) == 5


def test_the_page_counts_what_needs_attention(trajectory, alice, bob, team, district):
    """The list's size comes from the counts at the top (overdue and due make up what
    needs attention): it is the number of rows listed."""
    confirmed_measurement(trajectory, alice, days_ago=1)  # next one in three months
    add_trajectories(alice, team, district, 27)
    client = client_for(bob)
    for query in ({}, {"toon": "aandacht"}):
        first = client.get(URL, query).context["page"]
        second = client.get(URL, {**query, "page": 2}).context["page"]
        listed = len(first.object_list) + (len(second.object_list) if second.number == 2 else 0)
        assert first.paginator.count == listed, query
    assert client.get(URL).context["page"].paginator.count == 28
    assert client.get(URL, {"toon": "aandacht"}).context["page"].paginator.count == 27


def test_the_list_takes_a_fixed_number_of_queries(trajectory, alice, bob, team, district):
    client = client_for(bob)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries)

    small = count()
    other = Team.objects.create(organisation=team.organisation, name="Team Zuid")
    Membership.objects.create(staff=bob, team=other, role=Membership.Role.TEAMCOACH)
    # Five more a team: a query per row or per team would show (more rows add nothing).
    add_trajectories(alice, team, district, 5)
    carol = make_staff("carol", team.organisation, other, Membership.Role.PROFESSIONAL)
    add_trajectories(carol, other, district, 5)
    assert count() == small


def test_start_page_query_count_does_not_grow_with_the_signal(trajectory, alice, team, district):
    client = client_for(alice)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("start")).status_code == 200
        return len(queries)

    small = count()
    add_trajectories(alice, team, district, 5)  # a query per row would show
    assert count() == small
