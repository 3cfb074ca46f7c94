"""The change log of the published figures (issue 16, point 7): every change that can
alter figures names the scopes and years it alters, in its own transaction; a publish
run republishes exactly those and, with nothing changed, nothing at all."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import (
    board_data,
    complete_fields,
    confirmed_measurement,
    make_staff,
    staff_with_role,
)
from tests.imports.files import csv_bytes
from tests.imports.test_bulk import HEADER_TWO_GOALS, start_row, twin
from tests.monitoring.test_published import publish_all
from wattelt.imports import services as imports
from wattelt.instrument import services as instrument
from wattelt.instrument.models import Goal
from wattelt.monitoring import changes, summary
from wattelt.monitoring.cube import Scope
from wattelt.monitoring.models import FigureChange, PublishedCube
from wattelt.monitoring.published import publish
from wattelt.organisations.models import (
    District,
    Membership,
    Municipality,
    Organisation,
    Role,
    Staff,
    Team,
)
from wattelt.privacy.services import anonymise_resident
from wattelt.residents import services as residents
from wattelt.residents.models import Resident, Trajectory

TODAY = timezone.localdate()
THIS_YEAR = TODAY.year
LAST_YEAR = THIS_YEAR - 1


@pytest.fixture
def elsewhere(db: None) -> Team:
    """A second municipality with its own organisation, team, coach and a resident."""
    municipality = Municipality.objects.create(name="Gemeente Elders")
    organisation = Organisation.objects.create(municipality=municipality, name="Elders")
    team = Team.objects.create(organisation=organisation, name="Team Elders")
    team.districts.add(District.objects.create(municipality=municipality, name="Centrum"))
    make_staff("carl", organisation, team, Membership.Role.TEAMCOACH)
    return team


@pytest.fixture
def opened(trajectory: Trajectory, bob: Staff) -> Trajectory:
    """`trajectory` (started 200 days ago, its team coached by bob), log emptied."""
    FigureChange.objects.all().delete()
    return trajectory


def ours(trajectory: Trajectory, *years: int) -> set[tuple[str, str, int]]:
    """The municipality, organisation and coach's scopes of the trajectory, in `years`."""
    team = trajectory.team
    scopes = {
        ("municipality", str(trajectory.resident.district.municipality_id)),
        ("organisation", str(team.organisation_id)),
        ("teams", str(team.pk)),
    }
    return {(kind, key, year) for kind, key in scopes for year in years}


def logged() -> set[tuple[str, str, int]]:
    return set(FigureChange.objects.values_list("kind", "scope_key", "year"))


def years_since(day: dt.date) -> list[int]:
    return list(range(day.year, THIS_YEAR + 1))


def test_opening_a_trajectory_logs_its_scopes_in_its_start_year(resident, team, alice, bob):
    started = dt.date(LAST_YEAR, 6, 1)
    trajectory = residents.open_trajectory(resident, team, alice, started)
    assert logged() == ours(trajectory, LAST_YEAR)


def test_a_confirmation_logs_the_years_from_start_to_the_measurement(opened, alice, elsewhere):
    measurement = confirmed_measurement(opened, alice, days_ago=10)
    span = range(opened.started_on.year, measurement.measured_on.year + 1)
    assert logged() == ours(opened, *span)


def test_a_confirmation_logs_only_the_years_its_trajectory_counts_in(
    resident, team, alice, bob, catalogue
):
    """Started three years ago, measured then; measured again now: the start year (its
    cohort's flags) and this year change, the years between show nothing of it."""
    started = dt.date(THIS_YEAR - 3, 3, 1)
    trajectory = residents.open_trajectory(resident, team, alice, started)
    confirmed_measurement(trajectory, alice, days_ago=(TODAY - started).days - 5)
    FigureChange.objects.all().delete()
    confirmed_measurement(
        trajectory,
        alice,
        kind="follow_up",
        days_ago=1,
        **{f"review-{Goal.objects.get(trajectory=trajectory).pk}-status": "partly"},
    )
    assert logged() == ours(trajectory, THIS_YEAR - 3, (TODAY - dt.timedelta(days=1)).year)


def test_a_draft_logs_nothing(opened, alice):
    draft = instrument.start_measurement(opened, alice)
    instrument.save_draft(draft, alice, board_data(draft, chosen=["wonen"]))
    assert logged() == set()


def test_a_correction_logs_the_old_and_the_new_date(opened, alice):
    measurement = confirmed_measurement(opened, alice, days_ago=10)
    FigureChange.objects.all().delete()
    fields = complete_fields(measured_on=opened.started_on.isoformat())
    fields["goal__0__id"] = Goal.objects.get(trajectory=opened).pk
    instrument.correct_measurement(
        measurement,
        alice,
        instrument.CorrectionInput(board_data(measurement, **fields), reason="verkeerde datum"),
    )
    assert logged() == ours(opened, *years_since(opened.started_on))


def test_a_record_of_not_filled_in_logs_its_year(opened, alice):
    instrument.record_not_filled_in(opened, alice, "start", "crisis")
    assert logged() == ours(opened, *years_since(opened.started_on))


def test_closing_logs_the_years_up_to_the_end(opened, alice):
    confirmed_measurement(opened, alice, kind="start", days_ago=190)
    FigureChange.objects.all().delete()
    residents.close_trajectory(opened, alice, Trajectory.ClosingReason.GOALS_REACHED)
    assert logged() == ours(opened, *years_since(opened.started_on))


def test_a_goal_status_through_a_note_logs_and_a_plain_note_does_not(opened, alice):
    confirmed_measurement(opened, alice, days_ago=10)
    goal = Goal.objects.get(trajectory=opened)
    FigureChange.objects.all().delete()
    instrument.add_goal_progress(goal, alice, "Gesproken met de buren")
    assert logged() == set()
    instrument.add_goal_progress(goal, alice, "Gelukt", status=Goal.Status.ACHIEVED)
    assert logged() == ours(opened, *years_since(opened.started_on))


def test_an_erasure_logs_the_residents_scopes(opened, alice):
    anonymise_resident(opened.resident)
    assert logged() == ours(opened, *years_since(opened.started_on))


def test_a_move_logs_the_old_and_the_new_municipality(opened, alice, elsewhere):
    confirmed_measurement(opened, alice, days_ago=10)
    before = ours(opened, *years_since(opened.started_on))
    FigureChange.objects.all().delete()
    # A move (or corrected birth date) derives the resident's summary rows again.
    new_home = District.objects.get(municipality=elsewhere.organisation.municipality)
    Resident.objects.filter(pk=opened.resident_id).update(district=new_home)
    summary.refresh_resident(opened.resident_id)
    moved = {
        ("municipality", str(new_home.municipality_id), y) for y in years_since(opened.started_on)
    }
    assert logged() == before | moved  # not the other organisation's or coach's figures


def test_a_bulk_import_logs_each_scope_once_per_file(opened, organisation):
    other = twin(opened, "123456782")
    FigureChange.objects.all().delete()
    quinn = staff_with_role("quinn", organisation, Role.Name.QUALITY_OFFICER)
    rows = [start_row(opened, "111222333"), start_row(other, "123456782")]
    content = csv_bytes(rows, HEADER_TWO_GOALS)  # rows that go the bulk way
    job = imports.submit(organisation, quinn, "historie.csv", content, False)
    call_command("run_imports", stdout=open("/dev/null", "w"))  # noqa: SIM115
    job.refresh_from_db()
    assert (job.state, job.imported) == ("done", 2)
    written = list(FigureChange.objects.values_list("kind", "scope_key", "year"))
    assert sorted(written) == sorted(ours(opened, *years_since(opened.started_on)))


def test_a_publish_with_nothing_changed_publishes_nothing(opened, alice, elsewhere):
    confirmed_measurement(opened, alice, days_ago=10)
    first = publish_all()
    assert "delayed 0" in first and FigureChange.objects.count() == 0  # compacted
    with CaptureQueriesContext(connection) as queries:
        again = publish_all()
    assert "published 0," in again and "delayed 0" in again
    # The check: the log, the stored cubes, the scopes, the lock; whatever the data size.
    assert len(queries.captured_queries) <= 20


def test_a_change_republishes_exactly_its_scopes(opened, alice, elsewhere):
    publish_all()
    built = dict(PublishedCube.objects.values_list("pk", "built_at"))
    confirmed_measurement(opened, alice, days_ago=10)
    out = publish_all()
    rebuilt = {
        (c.kind, c.scope_key, c.year)
        for c in PublishedCube.objects.all()
        if c.built_at != built.get(c.pk)
    }
    assert rebuilt == ours(opened, *years_since(opened.started_on))
    assert f"published {len(rebuilt)}," in out
    assert "published 0," in publish_all()


def test_a_change_during_a_build_is_not_lost(opened, alice):
    """The run reads the log, then builds: a change committed in between stays in the log
    (whatever its id) and rebuilds the scope at the next run."""
    scope = Scope(organisation_id=opened.team.organisation_id)
    publish(scope, THIS_YEAR)
    confirmed_measurement(opened, alice, days_ago=10)
    read_first = changes.pending()
    instrument.record_not_filled_in(opened, alice, "end", "crisis")  # after the read
    assert publish(scope, THIS_YEAR, changes=read_first).built
    # The later change was still in the log: its district is asked for again (its
    # figures were already in the build, which read the data after the change).
    again = publish(scope, THIS_YEAR)
    assert again.built or again.unchanged
    last = publish(scope, THIS_YEAR)
    assert not last.built and not last.unchanged


def test_force_rebuilds_everything(opened, alice):
    publish_all()
    forced = publish_all("--force")
    assert f"published {PublishedCube.objects.count()}," in forced


def test_a_rebuilt_summary_republishes_everything(opened, alice, elsewhere):
    publish_all()
    summary.rebuild()
    assert f"published {PublishedCube.objects.count()}," in publish_all()
    assert not FigureChange.objects.exists()
    assert "published 0," in publish_all()


@pytest.mark.django_db(transaction=True)
def test_two_transactions_log_the_same_scope_without_waiting_or_losing(trajectory):
    """Insert-only: two open transactions naming the same scope and year do not wait for
    each other (a counter row would make the second wait for the first's commit), and
    both changes are there afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: the question does not arise")
    FigureChange.objects.all().delete()
    both_in = threading.Barrier(2, timeout=10)
    failures: list[BaseException] = []

    def bump() -> None:
        try:
            with transaction.atomic():
                changes.record({("organisation", "1", THIS_YEAR)})
                both_in.wait()  # both inserted, neither committed
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=bump) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert FigureChange.objects.filter(kind="organisation", scope_key="1").count() == 2
