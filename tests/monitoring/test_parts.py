"""Republishing what changed (issue 16, point 7): the change log names the district of
each change, a published cube keeps its unsuppressed figures per district, and a
republish asks for the changed districts only. What it stores and links must be exactly
what asking for every district again gives."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.monitoring.test_dashboard import trajectories
from tests.monitoring.test_published import measure, publish_all
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
from wattelt.organisations.models import District
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
