"""The adoption page's filters (?maand, ?team, ?medewerker) go through one form: hostile
values (non-ASCII digits, thousands of digits, NUL, signs) get a Dutch message naming
the filter and its value, and the page shows what it can: never a server error."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from freezegun import freeze_time

from tests.conftest import client_for, make_staff, staff_with_role
from wattelt.implementation import adoption
from wattelt.implementation.forms import AdoptionFilter, AdoptionFilterForm
from wattelt.organisations.models import Membership, Role, Team

TODAY = dt.date(2026, 6, 15)
HUGE = "9" * 5000
FULLWIDTH_3 = "\uff13"
FULLWIDTH_MONTH = "\uff12\uff10\uff12\uff16-\uff10\uff13"


@pytest.fixture
def south(organisation) -> Team:
    return Team.objects.create(organisation=organisation, name="Team Zuid")


@pytest.fixture
def quinn(organisation):
    return staff_with_role("quinn", organisation, Role.Name.QUALITY_OFFICER)


def page(user, **query):
    return client_for(user).get(reverse("implementation:adoption"), query)


def chosen(user, **query) -> AdoptionFilter:
    access = adoption.adoption_access(user)
    assert access is not None
    return AdoptionFilterForm(query, access=access, today=TODAY).chosen()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"team": "²"}, "Er is geen team “²”"),
        ({"team": "٣"}, "Er is geen team “٣”"),
        ({"team": FULLWIDTH_3}, f"Er is geen team “{FULLWIDTH_3}”"),
        ({"team": HUGE}, f"Er is geen team “{'9' * 20}…”"),
        ({"team": "+1"}, "Er is geen team “+1”"),
        ({"medewerker": "²"}, "Er is geen professional “²”"),
        ({"medewerker": HUGE}, f"Er is geen professional “{'9' * 20}…”"),
        ({"medewerker": " 1 2 "}, "Er is geen professional “1 2”"),
        ({"maand": "²⁰²⁶-03"}, "is geen maand"),
        ({"maand": FULLWIDTH_MONTH}, "is geen maand"),
        ({"maand": HUGE}, f"“{'9' * 20}…” is geen maand"),
    ],
)
def test_hostile_filters_get_a_message_not_an_error_page(quinn, south, query, message):
    response = page(quinn, **query)
    assert response.status_code == 200
    assert message in response.content.decode()


@pytest.mark.parametrize("name", ["team", "medewerker", "maand"])
def test_a_nul_character_is_refused_at_the_door(quinn, name):
    response = page(quinn, **{name: "1\x00"})
    assert response.status_code == 400
    assert "ongeldige tekens" in response.content.decode()


def test_hostile_filters_together_each_get_their_message(quinn, south):
    response = page(quinn, maand=HUGE, team="²", medewerker=HUGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "is geen maand" in html
    assert "Er is geen team “²”" in html
    assert "Er is geen professional" in html


def test_a_hostile_filter_falls_back_to_the_whole_scope(quinn, organisation, south):
    result = chosen(quinn, team="²", medewerker=HUGE, maand=FULLWIDTH_MONTH)
    assert (result.team_id, result.professional_id) == (None, None)
    assert result.end == adoption.Month.of(TODAY)
    assert len(result.problems) == 3


@freeze_time("2026-06-15")
def test_valid_filters_are_chosen(quinn, organisation, south):
    dave = make_staff("dave", organisation, south, Membership.Role.PROFESSIONAL)
    result = chosen(quinn, team=str(south.pk), medewerker=str(dave.pk), maand="2026-3")
    assert result.problems == []
    assert (result.team_id, result.professional_id) == (south.pk, dave.pk)
    assert result.end.key == "2026-03"
    assert result.people == [(dave.pk, "Dave Test")]


def test_a_professional_of_another_team_is_not_chosen(quinn, organisation, team, south):
    dave = make_staff("dave", organisation, south, Membership.Role.PROFESSIONAL)
    result = chosen(quinn, team=str(team.pk), medewerker=str(dave.pk))
    assert result.team_id == team.pk and result.professional_id is None
    assert result.problems == [
        f"Er is geen professional “{dave.pk}” van wie u de eigen cijfers mag zien (in dit "
        "team). U ziet de teamcijfers."
    ]
