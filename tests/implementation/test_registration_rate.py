"""One figure, one definition: the registration rate on the adoption page ("Gebruik van
Wat telt") and in Monitoring is the same number for the same team and period: of the
trajectories started in the period, the share with a confirmed start measurement within
30 days of the start (domain.md). The 14-day signal is the reminder, not this figure."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from tests.conftest import client_for, confirmed_measurement
from wattelt.implementation import adoption
from wattelt.instrument.figures import (
    REGISTRATION_DAYS,
    registered_in_time,
    registration_deadline,
    registration_rate,
)
from wattelt.monitoring.cube import Period, dashboard_scope
from wattelt.monitoring.indicators import Selection, trajectory_counts
from wattelt.monitoring.report import Choice, build_report
from wattelt.residents import services as residents
from wattelt.residents.models import Trajectory


def test_day_30_counts_and_day_31_does_not():
    start = dt.date(2026, 1, 31)
    assert REGISTRATION_DAYS == 30
    assert registration_deadline(start) == dt.date(2026, 3, 2)
    assert registered_in_time(start, start + dt.timedelta(days=30))
    assert not registered_in_time(start, start + dt.timedelta(days=31))
    assert registered_in_time(start, start)  # on the day itself
    assert registered_in_time(start, start - dt.timedelta(days=1))  # recorded just before
    assert not registered_in_time(start, None)  # never measured
    assert registration_rate(0, 0) is None
    assert registration_rate(4, 3) == 0.75


def started_on(day: dt.date, n: int, team, by, district, measured_after: int | None):
    """n residents, each with a trajectory started on `day`, measured `measured_after`
    days after the start (None: never)."""
    today = timezone.localdate()
    made = []
    for i in range(n):
        resident = residents.register_resident(
            residents.ResidentInput(
                first_name=f"Inwoner{measured_after}x{i}",
                last_name="Test",
                date_of_birth=dt.date(1980, 1, 1),
                district=district,
            ),
            by,
        )
        trajectory = residents.open_trajectory(resident, team, by, day)
        if measured_after is not None:
            measured_on = day + dt.timedelta(days=measured_after)
            confirmed_measurement(trajectory, by, days_ago=(today - measured_on).days)
        made.append(trajectory)
    return made


@pytest.fixture
def registered(alice, team, district, catalogue) -> dt.date:
    """A team with trajectories measured on day 30 (in time) and on day 31 (too late)."""
    cache.clear()
    start = timezone.localdate() - dt.timedelta(days=60)
    started_on(start, 12, team, alice, district, measured_after=30)
    started_on(start, 10, team, alice, district, measured_after=31)
    started_on(start, 1, team, alice, district, measured_after=13)  # before the reminder
    started_on(start, 1, team, alice, district, measured_after=None)
    return start


def test_adoption_and_monitoring_give_the_same_registration_rate(
    registered, organisation, team, bob
):
    period = Period(registered.year)
    today = timezone.localdate()
    assert Trajectory.objects.filter(team=team).count() == 24

    # "Gebruik van Wat telt": the team's counts over the period.
    counts = adoption.adoption_counts(
        organisation, period.start, period.end, team_ids=[team.pk], today=today
    )
    adoption_total = adoption.indicators.total(counts.values())
    adoption_rate = adoption_total.registration_rate
    value = adoption_total.indicator("start_within_14_days")
    assert (value.numerator, value.denominator) == (13, 24)

    # Monitoring, as the coach's dashboard shows it (the published, suppressed figures).
    scope = dashboard_scope(bob)
    assert scope is not None
    report = build_report(
        scope, Choice(period, ("t", team.pk)), list(scope.districts()), list(scope.teams())
    )
    registration = report.sections[0]
    assert registration.id == "registration"
    # Rows: started, with a start measurement, within 30 days, follow-up, end.
    started = int(registration.rows[0][1][0])
    within = int(registration.rows[2][1][0])
    monitoring_rate = registration_rate(started, within)

    # And the indicator function behind the cube.
    selection = Selection(period.start, period.end, team_ids=(team.pk,))
    assert trajectory_counts(selection).registration_rate == monitoring_rate

    assert adoption_rate == monitoring_rate == 13 / 24


def test_the_adoption_page_names_the_rate_and_the_reminder(registered, bob):
    page = client_for(bob).get(reverse("implementation:adoption")).content.decode()
    assert "Registratiegraad (startmeting binnen 30 dagen)" in page
    assert "Herinnering na 14 dagen" in page
    assert "binnen 14 dagen" not in page
