"""Republishing what changed (issue 16, point 7): the change log names the district of
each change, a published cube keeps its unsuppressed figures per district, and a
republish asks for the changed districts only. What it stores and links must be exactly
what asking for every district again gives."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import confirmed_measurement, make_staff
from tests.monitoring.test_dashboard import this_year_days_ago, trajectories
from tests.monitoring.test_published import measure, publish_all
from wattelt.instrument.models import Goal
from wattelt.monitoring import changes, summary
from wattelt.monitoring.cube import Scope, collect_parts, linked_table, quarters_so_far
from wattelt.monitoring.models import FigureChange, PublishedCube
from wattelt.monitoring.parts import stored_parts
from wattelt.monitoring.published import (
    all_scopes,
    forget_loaded,
    published_cube,
    scope_identity,
)
from wattelt.organisations.models import District, Membership, Team
from wattelt.residents.models import Resident, Trajectory

TODAY = timezone.localdate()
THIS_YEAR = TODAY.year


@pytest.fixture
def south(district: District) -> District:
    return District.objects.create(municipality=district.municipality, name="Zuid")


@pytest.fixture
def two_districts(alice, bob, team, district, south, catalogue) -> list[Trajectory]:  # type: ignore[no-untyped-def]
    """Eleven trajectories in each district, all but the last measured; published."""
    team.districts.add(south)
    made = []
    for where in (district, south):
        some = trajectories(11, team, alice, where, name=where.name)
        for trajectory in some[:10]:
            measure(trajectory, alice)
        made += some
    publish_all()
    FigureChange.objects.all().delete()
    return made


def logged_parts() -> set[int | None]:
    return set(FigureChange.objects.values_list("part", flat=True))


def assert_stored_as_asked_again() -> None:
    """Every stored cube's parts are the parts asked for now, and linking them gives the
    table a build asking for every district gives."""
    for scope in all_scopes():
        kind, key = scope_identity(scope)
        cube = PublishedCube.objects.get(kind=kind, scope_key=key, year=THIS_YEAR)
        stored = stored_parts(cube.pk, leave_out=())
        assert stored == collect_parts(scope, THIS_YEAR, quarters_so_far(THIS_YEAR, TODAY))
        linked = linked_table(scope, THIS_YEAR, TODAY, stored)
        assert linked.table == linked_table(scope, THIS_YEAR, TODAY).table


def test_a_confirmation_asks_for_its_district_only(alice, district, south, two_districts):
    measure(two_districts[21], alice)  # the unmeasured one in the south
    assert logged_parts() == {south.pk}
    out = publish_all()
    built = [line for line in out.splitlines() if f"{THIS_YEAR}: built" in line]
    assert len(built) == 3  # the municipality, the organisation, the coach's team
    assert all("1 district(s) asked again" in line for line in built), out
    assert FigureChange.objects.count() == 0
    assert_stored_as_asked_again()


def test_a_move_asks_for_the_old_and_the_new_district(alice, district, south, two_districts):
    moved = two_districts[0].resident_id
    Resident.objects.filter(pk=moved).update(district=south)
    summary.refresh_resident(moved)
    assert logged_parts() == {district.pk, south.pk}
    out = publish_all()
    assert "2 district(s) asked again" in out
    assert_stored_as_asked_again()


def test_a_change_without_a_district_asks_for_every_district(two_districts, team):
    changes.record({("teams", str(team.pk), THIS_YEAR)})
    out = publish_all()
    assert f"teams {team.pk} {THIS_YEAR}: built" in out and "every district" in out
    assert_stored_as_asked_again()


def test_the_same_parts_give_the_same_table_however_asked(two_districts, district, south):
    """Asking per district and asking for all at once give the same parts."""
    scope = Scope(team_ids=(two_districts[0].team_id,))
    quarters = quarters_so_far(THIS_YEAR, TODAY)
    whole = collect_parts(scope, THIS_YEAR, quarters)
    assert set(whole) == {district.pk, south.pk}
    one_by_one = {
        **collect_parts(scope, THIS_YEAR, quarters, [district.pk]),
        **collect_parts(scope, THIS_YEAR, quarters, [south.pk]),
    }
    assert one_by_one == whole
    assert collect_parts(scope, THIS_YEAR, quarters, []) == {}


def test_a_change_that_leaves_the_figures_keeps_the_published_cube(two_districts, south, team):
    """The log names a district whose figures did not change (as a confirmation now
    names last year of a trajectory begun then): its figures are asked for again,
    found equal to the stored ones, and nothing is built; the cube stays as it was,
    exactly what a full build gives, and the change has been seen."""
    before = {
        (c.kind, c.scope_key): (c.build, c.built_at)
        for c in PublishedCube.objects.filter(year=THIS_YEAR)
    }
    changes.record({("teams", str(team.pk), THIS_YEAR, south.pk)})
    out = publish_all()
    assert f"teams {team.pk} {THIS_YEAR}: figures unchanged (1 district(s) asked again" in out
    assert f"teams {team.pk} {THIS_YEAR}: built" not in out
    cube = PublishedCube.objects.get(kind="teams", scope_key=str(team.pk), year=THIS_YEAR)
    assert (cube.build, cube.built_at) == before["teams", str(team.pk)]
    assert FigureChange.objects.count() == 0
    assert_stored_as_asked_again()
    # What a full build stores: the same cells.
    kept = {key: (c.residents, c.values, c.suppressed) for key, c in _cells(team).items()}
    publish_all("--force")
    assert {key: (c.residents, c.values, c.suppressed) for key, c in _cells(team).items()} == kept


def test_a_change_of_the_figures_is_built_after_all(alice, two_districts, south, team):
    """The same district with a figure that did change: built, as before."""
    measure(two_districts[21], alice)
    out = publish_all()
    assert f"teams {team.pk} {THIS_YEAR}: built" in out
    assert "figures unchanged" not in out
    assert_stored_as_asked_again()


def _cells(team):  # type: ignore[no-untyped-def]
    forget_loaded()
    return dict(published_cube(Scope(team_ids=(team.pk,)), THIS_YEAR).cube.cells)


def _every_cube() -> dict[tuple[str, str], dict[object, object]]:
    forget_loaded()
    return {
        scope_identity(scope): {
            key: (c.residents, c.values, c.suppressed)
            for key, c in published_cube(scope, THIS_YEAR).cube.cells.items()
        }
        for scope in all_scopes()
    }


def test_a_district_is_asked_for_once_for_every_scope_that_names_it(alice, south, two_districts):
    """One team, one organisation, one municipality: the change log names the south for
    each, so the first of them asks for the south's parts of all three at once and the
    other two take theirs; every stored cube is what a full build stores."""
    measure(two_districts[21], alice)
    out = publish_all()
    assert "published 3," in out and "2 district part(s) asked for with another" in out, out
    assert_stored_as_asked_again()
    reused = _every_cube()
    publish_all("--force")
    assert _every_cube() == reused


def test_scopes_holding_different_teams_of_a_district_are_asked_for_together(
    alice, organisation, south, two_districts
):
    """A second team (another coach's) also serves the south: the coach's teams hold
    only part of it, the organisation and the municipality all of it. One set of
    queries split by team gives every scope its part (its teams' rows, each resident
    once). The same cubes as a full build."""
    other = Team.objects.create(organisation=organisation, name="Team Zuid")
    other.districts.add(south)
    make_staff("dirk", organisation, other, Membership.Role.TEAMCOACH)
    erin = make_staff("erin", organisation, other, Membership.Role.PROFESSIONAL)
    theirs = trajectories(11, other, erin, south, name="Zuid")
    for trajectory in theirs[:10]:
        measure(trajectory, erin)
    publish_all()
    measure(two_districts[21], alice)
    out = publish_all()
    assert "2 district part(s) asked for with another" in out, out
    assert_stored_as_asked_again()
    reused = _every_cube()
    publish_all("--force")
    assert _every_cube() == reused


def _follow_up(trajectory: Trajectory, by, days_ago: int) -> None:  # type: ignore[no-untyped-def]
    """A follow-up confirmed `days_ago`, with a status for each of the trajectory's goals."""
    statuses = {
        f"review-{goal.pk}-status": "partly" for goal in Goal.objects.filter(trajectory=trajectory)
    }
    confirmed_measurement(trajectory, by, kind="follow_up", days_ago=days_ago, **statuses)


def test_a_year_the_change_leaves_as_it_was_is_not_named(alice, team, district, catalogue):
    """Begun last year, measured last year and this year: a follow-up now changes this
    year's figures (the latest measurement was already this year); last year's are
    left as they were, so the log does not name it and no publish asks for it."""
    (trajectory,) = trajectories(1, team, alice, district)
    Trajectory.objects.filter(pk=trajectory.pk).update(started_on=dt.date(THIS_YEAR - 1, 11, 1))
    summary.refresh_trajectory(trajectory.pk)
    confirmed_measurement(trajectory, alice, days_ago=(TODAY - dt.date(THIS_YEAR - 1, 11, 5)).days)
    _follow_up(trajectory, alice, this_year_days_ago(60))
    FigureChange.objects.all().delete()
    _follow_up(trajectory, alice, this_year_days_ago(5))
    assert set(FigureChange.objects.values_list("year", flat=True)) == {THIS_YEAR}


def test_moving_the_latest_measurement_out_of_a_year_names_it(alice, team, district, catalogue):
    """Its latest measurement was last year: a follow-up now takes the trajectory out of
    last year's change figures (and gives it its first follow-up): both years."""
    (trajectory,) = trajectories(1, team, alice, district)
    Trajectory.objects.filter(pk=trajectory.pk).update(started_on=dt.date(THIS_YEAR - 1, 11, 1))
    summary.refresh_trajectory(trajectory.pk)
    confirmed_measurement(trajectory, alice, days_ago=(TODAY - dt.date(THIS_YEAR - 1, 11, 5)).days)
    FigureChange.objects.all().delete()
    _follow_up(trajectory, alice, this_year_days_ago(5))
    assert set(FigureChange.objects.values_list("year", flat=True)) == {THIS_YEAR - 1, THIS_YEAR}
