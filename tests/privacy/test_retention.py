"""Retention: files whose trajectories all closed longer ago than the retention period
are anonymised by `manage.py apply_retention`; young people's files are kept longer."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from tests.privacy.conftest import FIRST_NAME, IDENTIFIERS, database_texts_containing, years_ago
from wattelt.audit.models import AccessLog
from wattelt.organisations.models import Staff, Team
from wattelt.privacy.models import ErasureRequest, RetentionPolicy
from wattelt.residents import services as residents
from wattelt.residents.models import Resident, Trajectory


def closed_trajectory(resident: Resident, team: Team, by: Staff, start: dt.date, end: dt.date):
    trajectory = residents.open_trajectory(resident, team, by, start)
    return residents.close_trajectory(trajectory, by, "goals_reached", "Klaar", ended_on=end)


@pytest.fixture
def make_resident(alice, district):
    def make(first_name: str, born: dt.date) -> Resident:
        data = residents.ResidentInput(first_name, "Retentie", born, district)
        return residents.register_resident(data, alice)

    return make


def run_retention(*args: str) -> str:
    out = StringIO()
    call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


def anonymised_ids() -> set[int]:
    return set(ErasureRequest.objects.executed().values_list("resident_id", flat=True))


def test_only_files_closed_longer_than_the_period_are_anonymised(make_resident, team, alice):
    adult_old = make_resident("Oud", years_ago(40))
    closed_trajectory(adult_old, team, alice, years_ago(17), years_ago(16))
    adult_recent = make_resident("Recent", years_ago(40))
    closed_trajectory(adult_recent, team, alice, years_ago(15), years_ago(14))
    adult_just_not = make_resident("Grens", years_ago(40))
    closed_trajectory(adult_just_not, team, alice, years_ago(16), years_ago(15, days=-1))
    still_open = make_resident("Open", years_ago(40))
    closed_trajectory(still_open, team, alice, years_ago(18), years_ago(17))
    residents.open_trajectory(still_open, team, alice, years_ago(1))
    never_in_care = make_resident("Nooit", years_ago(40))

    output = run_retention()

    assert anonymised_ids() == {adult_old.pk}
    assert f"resident {adult_old.pk}:" in output
    assert "(adult)" in output
    for kept in (adult_recent, adult_just_not, still_open, never_in_care):
        assert Resident.objects.get(pk=kept.pk).first_name == kept.first_name
    assert AccessLog.objects.get(purpose="avg-retention").resident_id == adult_old.pk


def test_young_people_are_kept_for_the_youth_period(make_resident, team, alice):
    young_then = make_resident("Jong", years_ago(34))  # 15 when support started
    closed_trajectory(young_then, team, alice, years_ago(19), years_ago(17))
    young_long_ago = make_resident("Jonger", years_ago(40))
    closed_trajectory(young_long_ago, team, alice, years_ago(25), years_ago(21))

    output = run_retention()

    assert anonymised_ids() == {young_long_ago.pk}
    assert "(youth)" in output
    assert Resident.objects.get(pk=young_then.pk).first_name == "Jong"


def test_organisation_sets_its_own_period(make_resident, team, alice, organisation):
    RetentionPolicy.objects.create(organisation=organisation, years=5, youth_years=8)
    resident = make_resident("Kort", years_ago(40))
    closed_trajectory(resident, team, alice, years_ago(7), years_ago(6))
    run_retention()
    assert anonymised_ids() == {resident.pk}


def test_dry_run_lists_without_names_and_changes_nothing(full_file, alice):
    Trajectory.objects.filter(pk=full_file.pk).update(
        started_on=years_ago(20),
        ended_on=years_ago(16),
        closing_reason="moved",
        closing_note=f"{FIRST_NAME} is verhuisd",
    )
    found_before = database_texts_containing(*IDENTIFIERS)
    logged_before = AccessLog.objects.count()

    output = run_retention("--dry-run")

    assert f"would anonymise resident {full_file.resident_id}:" in output
    assert FIRST_NAME not in output
    assert database_texts_containing(*IDENTIFIERS) == found_before
    assert not ErasureRequest.objects.exists()
    assert AccessLog.objects.count() == logged_before


def test_after_retention_the_resident_is_nowhere_and_a_rerun_does_nothing(full_file, alice):
    Trajectory.objects.filter(pk=full_file.pk).update(
        started_on=years_ago(20),
        ended_on=years_ago(16),
        closing_reason="moved",
        closing_note=f"{FIRST_NAME} is verhuisd",
    )
    assert database_texts_containing(*IDENTIFIERS)
    run_retention()
    assert database_texts_containing(*IDENTIFIERS) == []
    assert anonymised_ids() == {full_file.resident_id}
    assert "0 file(s) anonymised" in run_retention()
    assert ErasureRequest.objects.get().source == ErasureRequest.Source.RETENTION
