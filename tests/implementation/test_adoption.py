"""Adoption figures (blijven gebruiken), checked by hand on a small data set: the
registration rate, follow-ups on time around month ends, end measurements, perspectives
under the policy, goals per measurement, reasons, and who sees which figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time

from tests.conftest import client_for, make_staff, staff_with_role
from tests.implementation.adoption_data import Builder
from wattelt.implementation import adoption
from wattelt.implementation.adoption import Counts, Month, Threshold
from wattelt.organisations.models import Membership, OrganisationPolicy, Role, Team

TODAY = dt.date(2026, 6, 15)
SINCE = dt.date(2025, 7, 1)
D = dt.date


@pytest.fixture
def build(catalogue, district) -> Builder:
    return Builder(catalogue, district)


@pytest.fixture
def south(organisation) -> Team:
    return Team.objects.create(organisation=organisation, name="Team Zuid")


@pytest.fixture
def empty_team(organisation) -> Team:
    return Team.objects.create(organisation=organisation, name="Team Leeg")


@pytest.fixture
def dave(organisation, south):
    return make_staff("dave", organisation, south, Membership.Role.PROFESSIONAL)


def by_month(organisation, start=SINCE, end=TODAY, team_ids=None) -> dict[str, Counts]:
    counts = adoption.adoption_counts(organisation, start, end, team_ids, today=TODAY)
    months: dict[str, Counts] = {}
    for (_team, _person, month), c in counts.items():
        months.setdefault(Month(month).key, Counts()).add(c)
    return months


def fraction(counts: dict[str, Counts], month: str, key: str) -> tuple[int, int]:
    return counts.get(month, Counts()).fraction(key)


# --- the registration rate (start measurement within 30 days) ---------------------------


def test_the_registration_rate_counts_in_the_month_the_trajectory_started(
    build, organisation, team, alice
):
    """The registration rate (start measurement within 30 days), as in monitoring; the
    14-day signal is only the reminder."""
    jan_31 = build.trajectory(team, alice, D(2026, 1, 31))
    build.measurement(jan_31, D(2026, 3, 2))  # day 30: in time, counts in January
    feb_1 = build.trajectory(team, alice, D(2026, 2, 1))
    build.measurement(feb_1, D(2026, 3, 4))  # day 31: too late
    feb_10 = build.trajectory(team, alice, D(2026, 2, 10))
    build.measurement(feb_10, D(2026, 3, 1))  # day 19: after the reminder, still in time
    build.trajectory(team, alice, D(2026, 2, 28))  # never measured
    may_31 = build.trajectory(team, alice, D(2026, 5, 31))
    build.measurement(may_31, D(2026, 6, 1), status="draft")  # a draft does not count
    june = build.trajectory(team, alice, D(2026, 6, 5))  # its 30 days have not passed:
    build.measurement(june, D(2026, 6, 6))  # it counts all the same, as in monitoring

    months = by_month(organisation)
    assert fraction(months, "2026-01", "start_within_14_days") == (1, 1)
    assert fraction(months, "2026-02", "start_within_14_days") == (1, 3)
    assert fraction(months, "2026-05", "start_within_14_days") == (0, 1)
    assert fraction(months, "2026-06", "start_within_14_days") == (1, 1)


def test_a_superseded_measurement_does_not_count_as_a_start(build, organisation, team, alice):
    trajectory = build.trajectory(team, alice, D(2026, 3, 1))
    build.measurement(trajectory, D(2026, 3, 2), status="superseded")
    assert fraction(by_month(organisation), "2026-03", "start_within_14_days") == (0, 1)


# --- follow-ups on time -----------------------------------------------------------------


def test_follow_up_on_time_up_to_14_days_after_the_due_date(build, organisation, team, alice):
    # Interval 3 months: 31 January is due on 30 April; on time up to 14 May.
    on_time = build.trajectory(team, alice, D(2026, 1, 20))
    build.measurement(on_time, D(2026, 1, 31))
    build.measurement(on_time, D(2026, 5, 14), kind="follow_up")
    late = build.trajectory(team, alice, D(2026, 1, 20))
    build.measurement(late, D(2026, 1, 31))
    build.measurement(late, D(2026, 5, 15), kind="follow_up")
    # Closed before its due date (10 May): no follow-up was due.
    build.measurement(build.trajectory(team, alice, D(2026, 2, 1), D(2026, 5, 1)), D(2026, 2, 10))
    # Due 10 May, never done, still open: late, in May.
    build.measurement(build.trajectory(team, alice, D(2026, 2, 1)), D(2026, 2, 10))
    # Due 10 June: its 14 days have not passed (today is 15 June): not judged yet.
    build.measurement(build.trajectory(team, alice, D(2026, 3, 1)), D(2026, 3, 10))

    months = by_month(organisation)
    assert fraction(months, "2026-04", "follow_up_on_time") == (1, 2)
    assert fraction(months, "2026-05", "follow_up_on_time") == (0, 1)
    assert fraction(months, "2026-06", "follow_up_on_time") == (0, 0)


def test_follow_up_due_date_clips_to_the_end_of_a_short_month(build, organisation, team, alice):
    organisation.follow_up_interval_months = 1
    organisation.save()
    # 31 January + 1 month = 28 February; on time up to 14 March.
    on_time = build.trajectory(team, alice, D(2026, 1, 20))
    build.measurement(on_time, D(2026, 1, 31))
    build.measurement(on_time, D(2026, 3, 14), kind="follow_up")
    late = build.trajectory(team, alice, D(2026, 1, 20))
    build.measurement(late, D(2026, 1, 31))
    build.measurement(late, D(2026, 3, 15), kind="follow_up")

    months = by_month(organisation, start=D(2026, 2, 1), end=D(2026, 2, 28))
    assert fraction(months, "2026-02", "follow_up_on_time") == (1, 2)
    # The period's last day is included: the 28 February due dates are in.
    value = adoption.organisation_value(
        organisation, "follow_up_on_time", D(2026, 2, 28), D(2026, 2, 28)
    )
    assert value is not None and (value.numerator, value.denominator) == (1, 2)
    value = adoption.organisation_value(
        organisation, "follow_up_on_time", D(2026, 2, 1), D(2026, 2, 27)
    )
    assert value is not None and value.denominator == 0 and value.value is None


def test_the_organisations_interval_sets_the_due_date(build, organisation, team, alice):
    organisation.follow_up_interval_months = 6
    organisation.save()
    trajectory = build.trajectory(team, alice, D(2025, 10, 1))
    build.measurement(trajectory, D(2025, 10, 5))
    build.measurement(trajectory, D(2026, 4, 10), kind="follow_up")  # due 5 April: on time
    months = by_month(organisation)
    assert fraction(months, "2026-01", "follow_up_on_time") == (0, 0)
    assert fraction(months, "2026-04", "follow_up_on_time") == (1, 1)


# --- end measurements -------------------------------------------------------------------


def test_end_measurement_or_reason_of_trajectories_closed_in_the_month(
    build, organisation, team, alice
):
    with_end = build.trajectory(team, alice, D(2026, 1, 5), D(2026, 3, 31))
    build.measurement(with_end, D(2026, 3, 31), kind="end")
    with_reason = build.trajectory(team, alice, D(2026, 1, 5), D(2026, 4, 1))
    build.not_filled_in(with_reason, D(2026, 4, 1), kind="end", reason="declined")
    without = build.trajectory(team, alice, D(2026, 1, 5), D(2026, 4, 15))
    build.measurement(without, D(2026, 4, 14), kind="follow_up")  # not an end measurement
    build.not_filled_in(without, D(2026, 4, 15), kind="follow_up")  # not about the end

    months = by_month(organisation)
    assert fraction(months, "2026-03", "end_measurement") == (1, 1)
    assert fraction(months, "2026-04", "end_measurement") == (1, 2)
    assert months["2026-04"].closed_with_reason == 1


# --- perspectives, goals, reasons -------------------------------------------------------


@pytest.fixture
def may_measurements(build, team, alice):
    trajectory = build.trajectory(team, alice, D(2026, 1, 5))
    build.measurement(trajectory, D(2026, 5, 1), professional=True, carer=True, goals=2)
    build.measurement(trajectory, D(2026, 5, 20), professional=True, goals=1)
    build.measurement(trajectory, D(2026, 5, 31), goals=0)
    build.measurement(trajectory, D(2026, 6, 1), professional=True, goals=4, status="draft")
    return trajectory


def test_perspectives_and_goals_per_measurement(may_measurements, organisation):
    may = by_month(organisation)["2026-05"]
    assert may.measurements == 3
    assert may.fraction("professional_view_used") == (2, 3)
    assert may.fraction("carer_view_used") == (1, 3)
    assert may.fraction("goals_per_measurement") == (3, 3)
    value = adoption.organisation_value(
        organisation, "professional_view_used", D(2026, 5, 1), D(2026, 5, 31)
    )
    assert value == adoption.IndicatorValue(pytest.approx(200 / 3), 2, 3, "percent")
    goals = adoption.organisation_value(
        organisation, "goals_per_measurement", D(2026, 5, 1), D(2026, 5, 31)
    )
    assert goals == adoption.IndicatorValue(1.0, 3, 3, "number")


def test_a_view_the_policy_does_not_offer_is_not_measured(may_measurements, organisation):
    OrganisationPolicy.objects.create(organisation=organisation, carer_view=False)
    carer = adoption.organisation_value(organisation, "carer_view_used", D(2026, 5, 1), TODAY)
    assert carer == adoption.IndicatorValue(None, 0, 0, "percent")
    professional = adoption.organisation_value(
        organisation, "professional_view_used", D(2026, 5, 1), TODAY
    )
    assert professional is not None and professional.numerator == 2


def test_reasons_for_not_filling_in_by_month(build, organisation, team, alice):
    trajectory = build.trajectory(team, alice, D(2026, 4, 1))
    build.not_filled_in(trajectory, D(2026, 4, 30), reason="crisis")
    build.not_filled_in(trajectory, D(2026, 5, 1), reason="crisis", kind="follow_up")
    build.not_filled_in(trajectory, D(2026, 5, 2), reason="declined", kind="follow_up")
    months = by_month(organisation)
    assert months["2026-04"].not_filled_in == {
        **dict.fromkeys(months["2026-04"].not_filled_in, 0),
        "crisis": 1,
    }
    assert months["2026-05"].not_filled_in["crisis"] == 1
    assert months["2026-05"].not_filled_in["declined"] == 1
    assert months["2026-05"].not_filled_in_total == 2


# --- the public API ---------------------------------------------------------------------


def test_unknown_indicator_is_none(organisation):
    assert adoption.organisation_value(organisation, "no_such_thing", D(2026, 1, 1), TODAY) is None


def test_every_indicator_has_a_value_on_an_empty_organisation(organisation):
    for key in adoption.INDICATORS:
        value = adoption.organisation_value(organisation, key, D(2026, 1, 1), TODAY)
        assert value is not None and value.value is None and value.denominator == 0, key


def test_other_organisations_do_not_count(build, organisation, team, alice, charlie):
    other_team = charlie.teams.get()
    build.measurement(build.trajectory(other_team, charlie, D(2026, 5, 1)), D(2026, 5, 2))
    value = adoption.organisation_value(organisation, "start_within_14_days", D(2026, 1, 1), TODAY)
    assert value is not None and value.denominator == 0


# --- traffic lights ---------------------------------------------------------------------

RULE = Threshold("keep_using", "follow_up_on_time", green=70, amber=40)


def month(due: int, on_time: int) -> Counts:
    return Counts(follow_ups_due=due, follow_ups_on_time=on_time)


def test_green_when_sustained_over_three_months():
    assert adoption.traffic_light(RULE, [month(4, 3), month(4, 3), month(4, 4)])[0] == "green"


def test_one_weak_month_makes_it_amber():
    light, value = adoption.traffic_light(RULE, [month(10, 10), month(10, 10), month(4, 1)])
    assert value.value == pytest.approx(87.5)
    assert light == "amber"


def test_red_below_the_lower_threshold():
    assert adoption.traffic_light(RULE, [month(4, 1), month(4, 1), month(4, 2)])[0] == "red"


def test_grey_with_too_few_cases():
    assert adoption.traffic_light(RULE, [month(1, 1), month(2, 2), month(1, 1)])[0] == "grey"


def test_complete_months_leave_out_the_current_one():
    months = adoption.window(Month.of(TODAY))
    assert [m.key for m in adoption.complete_months(months, TODAY)] == [
        "2026-03",
        "2026-04",
        "2026-05",
    ]
    assert months[0].key == "2025-07" and len(months) == 12


# --- who sees what ----------------------------------------------------------------------


def test_access_per_role(organisation, team, south, empty_team, alice, bob, dave, charlie):
    quinn = staff_with_role("quinn", organisation, Role.Name.QUALITY_OFFICER)
    olga = staff_with_role("olga", organisation, Role.Name.ORGANISATION_ADMIN)
    priya = staff_with_role("priya", organisation, Role.Name.PRIVACY_OFFICER)
    anna = staff_with_role("anna", organisation, Role.Name.MUNICIPALITY_ANALYST)
    for user in (quinn, olga):
        access = adoption.adoption_access(user)
        assert access is not None and access.whole_organisation
        assert set(access.team_ids) == {team.pk, south.pk, empty_team.pk}
        assert access.detail_team_ids == set(access.team_ids)
    coach = adoption.adoption_access(bob)
    assert coach is not None and coach.team_ids == [team.pk]
    assert coach.detail_team_ids == {team.pk}
    professional = adoption.adoption_access(alice)
    assert professional is not None and professional.team_ids == [team.pk]
    assert not professional.per_professional
    other = adoption.adoption_access(charlie)
    assert other is not None and other.organisation != organisation
    assert adoption.adoption_access(priya) is None
    assert adoption.adoption_access(anna) is None


@pytest.fixture
def figures(build, team, south, alice, dave, bob):
    erin = make_staff("erin", team.organisation, team, Membership.Role.PROFESSIONAL)
    today = dt.date.today()
    for person, the_team, days in ((alice, team, 40), (erin, team, 50), (dave, south, 60)):
        trajectory = build.trajectory(the_team, person, today - dt.timedelta(days=days))
        build.measurement(trajectory, today - dt.timedelta(days=days - 3), professional=True)
    return erin


def page(user, **query):
    return client_for(user).get(reverse("implementation:adoption"), query)


def test_coach_sees_own_team_per_professional(figures, bob, team, south):
    response = page(bob)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Team Noord" in html and "Team Zuid" not in html
    assert "Per professional" in html
    assert "Alice Test" in html and "Erin Test" in html and "Dave Test" not in html
    assert "Zwaantje" not in html and "Bewonersnaam" not in html  # no resident names
    assert "<svg" in html


def test_coach_cannot_see_another_team(figures, bob, south):
    response = page(bob, team=south.pk)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Er is geen team “{south.pk}”" in html
    assert "Dave Test" not in html and "Team Zuid" not in html


def test_professional_sees_team_figures_only(figures, alice):
    response = page(alice)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Per professional" not in html
    assert "Erin Test" not in html
    response = page(alice, medewerker=figures.pk)
    html = response.content.decode()
    assert response.status_code == 200
    assert f"Er is geen professional “{figures.pk}”" in html
    assert "Erin Test" not in html


def test_quality_officer_sees_every_team_and_professional(figures, organisation, empty_team):
    quinn = staff_with_role("quinn", organisation, Role.Name.QUALITY_OFFICER)
    html = page(quinn).content.decode()
    for name in ("Team Noord", "Team Zuid", "Team Leeg", "Alice Test", "Erin Test", "Dave Test"):
        assert name in html
    assert "Niet meetbaar uit registraties" in html


def test_one_professionals_trend(figures, organisation, dave):
    quinn = staff_with_role("quinn", organisation, Role.Name.QUALITY_OFFICER)
    response = page(quinn, medewerker=dave.pk)
    assert response.status_code == 200
    assert response.context["scope_name"] == "Dave Test"
    total = response.context["report"].window_total
    assert total.started == 1 and total.measurements == 1


def test_empty_team_shows_no_figures_and_a_grey_light(figures, organisation, empty_team):
    olga = staff_with_role("olga", organisation, Role.Name.ORGANISATION_ADMIN)
    response = page(olga, team=empty_team.pk)
    assert response.status_code == 200
    report = response.context["report"]
    assert [row.name for row in report.teams] == ["Team Leeg"]
    assert report.window_total.measurements == 0
    assert {light.light for light in report.scope_lights} == {None, "grey"}
    assert report.professionals == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"maand": "2026-13"}, "is geen maand"),
        ({"maand": "gisteren"}, "is geen maand"),
        ({"maand": "1999-01"}, "is geen maand"),
        ({"maand": "2999-01"}, "ligt in de toekomst"),
        ({"team": "abc"}, "Er is geen team “abc”"),
        ({"team": "999999"}, "Er is geen team “999999”"),
        ({"medewerker": "-1"}, "Er is geen professional “-1”"),
    ],
)
def test_bad_filters_get_a_message_not_an_error_page(figures, bob, query, message):
    response = page(bob, **query)
    assert response.status_code == 200
    assert message in response.content.decode()


@freeze_time("2026-06-15")
def test_an_earlier_month_moves_the_window(bob):
    response = page(bob, maand="2025-03")
    assert response.status_code == 200
    trend = response.context["report"].trend
    assert trend[0].month.key == "2024-04" and trend[-1].month.key == "2025-03"


def test_query_count_does_not_grow_with_the_data(build, organisation, team, south, alice, dave):
    quinn = staff_with_role("quinn", organisation, Role.Name.QUALITY_OFFICER)
    client = client_for(quinn)
    url = reverse("implementation:adoption")

    captured_last = []

    def queries() -> int:
        caches["figures"].clear()  # a view that renders: the summary's counts are read
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        captured_last[:] = captured.captured_queries
        return len(captured)

    client.get(url)  # session and the like settle
    few = queries()
    today = dt.date.today()
    with build.refreshing_once():  # the page's queries are the subject, not the refresh
        for n in range(30):
            the_team, person = (team, alice) if n % 2 else (south, dave)
            extra = make_staff(f"prof{n}", organisation, the_team, Membership.Role.PROFESSIONAL)
            started = today - dt.timedelta(days=20 + 11 * n)
            trajectory = build.trajectory(the_team, extra if n % 3 else person, started)
            build.measurement(trajectory, started + dt.timedelta(days=5), goals=2, carer=True)
            build.measurement(trajectory, started + dt.timedelta(days=100), kind="follow_up")
            build.not_filled_in(trajectory, started + dt.timedelta(days=1), reason="other")
    many = queries()
    assert many == few
    # Session, login and layout 8, access 2, the figures 7 (+2 savepoints), policy 1.
    assert few <= 21, "\n".join(q["sql"][:150] for q in captured_last)


def test_the_rendered_report_is_kept_until_its_figures_change(build, organisation, team, alice):
    """The page reads the summary's stamps on every view and renders the report only when
    what it shows changed: a second view reuses it, a confirmed start measurement shows at once."""
    quinn = staff_with_role("quinn", organisation, Role.Name.QUALITY_OFFICER)
    client = client_for(quinn)
    url = reverse("implementation:adoption")
    today = dt.date.today()
    trajectory = build.trajectory(team, alice, today - dt.timedelta(days=3))

    def view() -> tuple[bool, str]:
        response = client.get(url)
        assert response.status_code == 200
        rendered = "implementation/_adoption_report.html" in [t.name for t in response.templates]
        return rendered, response.content.decode()

    rendered, html = view()
    assert rendered and "0% (0/1)" in html
    rendered, again = view()
    assert not rendered and "0% (0/1)" in again and "Alice Test" in again
    build.measurement(trajectory, today - dt.timedelta(days=1))
    rendered, html = view()
    assert rendered and "100% (1/1)" in html
