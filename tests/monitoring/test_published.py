"""Published figures: the pages show the last published snapshot of the suppressed cube,
the cron command publishes changed scopes only, and snapshots give a reader no more to
subtract than serving a fresh cube after every change did."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import client_for, confirmed_measurement, make_staff, staff_with_role
from tests.monitoring.test_dashboard import started, this_year_days_ago, trajectories
from wattelt.monitoring import cube as cube_module
from wattelt.monitoring.cube import ALL, YEAR, Scope, dashboard_scope
from wattelt.monitoring.published import (
    PublishedCube,
    PublishedSlice,
    forget_loaded,
    publish,
    published_cube,
    scope_identity,
)
from wattelt.organisations.models import (
    District,
    Membership,
    Municipality,
    Organisation,
    Role,
    Team,
)
from wattelt.residents.models import Trajectory

URL = reverse("monitoring:dashboard")
THIS_YEAR = timezone.localdate().year


def publish_all(*args: str) -> str:
    out = io.StringIO()
    call_command("publish_monitoring_figures", *args, stdout=out)
    return out.getvalue()


def scope_key(scope: Scope) -> str:
    return scope_identity(scope)[1]


def shown_now(scope: Scope) -> cube_module.Cube:
    """The published cube with every cell read now (a cube object reads its slices when
    asked; two publishes later they are gone)."""
    cube = published_cube(scope, THIS_YEAR).cube
    return dataclasses.replace(cube, cells=dict(cube.cells))


def fingerprint(cube: cube_module.Cube) -> str:
    return repr(sorted(((k, c.values, c.suppressed) for k, c in cube.cells.items()), key=repr))


def with_start(response) -> str:  # type: ignore[no-untyped-def]
    """The shown number of trajectories with a start measurement."""
    value: str = response.context["sections"][0].rows[1][1][0]
    return value


def shown_figures(response) -> str:  # type: ignore[no-untyped-def]
    """The dashboard's figures as the page shows them (after the filters)."""
    page: str = response.content.decode()
    return page[page.index("</form>", page.index("dashboard-filters")) : page.index("</main>")]


def measure(trajectory: Trajectory, by) -> None:  # type: ignore[no-untyped-def]
    confirmed_measurement(trajectory, by, days_ago=this_year_days_ago(100))


@pytest.fixture
def eleven(alice, team, district, catalogue) -> list[Trajectory]:  # type: ignore[no-untyped-def]
    """Eleven trajectories this year, ten of them with a confirmed start measurement."""
    made = trajectories(11, team, alice, district)
    for trajectory in made[:10]:
        measure(trajectory, alice)
    return made


def test_a_confirmed_measurement_shows_at_the_next_publish_not_before(alice, bob, eleven):
    publish_all()
    client = client_for(bob)
    before = client.get(URL)
    assert with_start(before) == "10"
    measure(eleven[10], alice)
    # The published figures, unchanged: served as rendered (monitoring/fragments.py).
    assert shown_figures(client.get(URL)) == shown_figures(before)
    publish_all()
    after = client.get(URL)
    assert with_start(after) == "11"
    assert after.context["report"].figures_at > before.context["report"].figures_at


def test_the_page_and_the_exports_say_when_the_figures_were_taken(bob, eleven):
    publish_all()
    built_at = PublishedCube.objects.get(kind="teams", year=THIS_YEAR).built_at
    when = timezone.localtime(built_at)
    client = client_for(bob)
    page = client.get(URL).content.decode()
    assert "Cijfers van" in page
    assert f"{when.day} " in page and when.strftime("%H:%M") in page
    csv = client.get(reverse("monitoring:export_csv")).content.decode("utf-8-sig")
    assert f"Cijfers van;{when:%Y-%m-%d %H:%M}" in csv
    presentation = client.get(reverse("monitoring:presentation")).content.decode()
    assert "Cijfers van" in presentation


def test_publishing_is_idempotent_and_skips_unchanged_scopes(alice, bob, eleven, municipality):
    anna = staff_with_role("anna", alice.organisation, Role.Name.MUNICIPALITY_ANALYST)
    first = publish_all()
    rows = {(p.kind, p.scope_key, p.year): p.built_at for p in PublishedCube.objects.all()}
    # Each scope a user can have: the municipality, the organisation, the coach's teams.
    assert set(rows) == {
        ("municipality", str(municipality.pk), THIS_YEAR),
        ("organisation", str(alice.organisation_id), THIS_YEAR),
        ("teams", str(eleven[0].team_id), THIS_YEAR),
    }
    assert first.count("built (") == 3 and "unchanged 0, delayed 0" in first
    second = publish_all()
    assert (
        second.count("unchanged, skipped") == 3 and "published 0, unchanged 3, delayed 0" in second
    )
    assert {(p.kind, p.scope_key, p.year): p.built_at for p in PublishedCube.objects.all()} == rows
    assert client_for(anna).get(URL).status_code == 200
    assert PublishedCube.objects.count() == 3  # served from what was published
    forced = publish_all("--force")
    assert "published 3, unchanged 0, delayed 0" in forced


def test_a_change_elsewhere_does_not_rebuild_a_scope(alice, bob, eleven, catalogue):
    elsewhere = Municipality.objects.create(name="Gemeente Elders")
    organisation = Organisation.objects.create(municipality=elsewhere, name="Elders")
    team = Team.objects.create(organisation=organisation, name="Team Elders")
    home = District.objects.create(municipality=elsewhere, name="Centrum")
    team.districts.add(home)
    eve = make_staff("eve", organisation, team, Membership.Role.PROFESSIONAL)
    make_staff("carl", organisation, team, Membership.Role.TEAMCOACH)
    publish_all()
    trajectories(1, team, eve, home, measured=True)
    out = publish_all()
    assert f"teams {team.pk} {THIS_YEAR}: built" in out
    assert f"organisation {organisation.pk} {THIS_YEAR}: built" in out
    assert f"teams {eleven[0].team_id} {THIS_YEAR}: unchanged, skipped" in out
    assert f"organisation {alice.organisation_id} {THIS_YEAR}: unchanged, skipped" in out


def test_a_coach_of_two_teams_gets_one_cube_for_both(alice, bob, team, organisation, eleven):
    west = Team.objects.create(organisation=organisation, name="Team West")
    Membership.objects.create(staff=bob, team=west, role=Membership.Role.TEAMCOACH)
    publish_all()
    key = ",".join(map(str, sorted((team.pk, west.pk))))
    assert PublishedCube.objects.filter(kind="teams", scope_key=key).exists()
    response = client_for(bob).get(URL)
    assert started(response) == "11"
    assert PublishedCube.objects.filter(kind="teams").count() == 1


def test_a_scope_without_a_published_cube_is_built_once_and_stored(bob, eleven):
    assert not PublishedCube.objects.exists()
    client = client_for(bob)
    assert started(client.get(URL)) == "11"
    stored = PublishedCube.objects.get()
    forget_loaded()  # another process: reads what is stored, builds nothing
    with CaptureQueriesContext(connection) as queries:
        assert started(client.get(URL)) == "11"
    assert PublishedCube.objects.get().built_at == stored.built_at
    assert len(queries.captured_queries) < 20


def test_a_new_quarter_is_built_when_first_asked(bob, eleven):
    scope = Scope(team_ids=(eleven[0].team_id,))
    publish(scope, THIS_YEAR, dt.date(THIS_YEAR, 3, 31))
    assert published_cube(scope, THIS_YEAR, dt.date(THIS_YEAR, 3, 31)).cube.quarters == (1,)
    assert published_cube(scope, THIS_YEAR, dt.date(THIS_YEAR, 4, 1)).cube.quarters == (1, 2)


def test_the_published_cube_is_the_suppressed_cube(alice, eleven):
    """Same function, same figures: storing loses nothing and weakens nothing."""
    scope = Scope(municipality_id=alice.organisation.municipality_id)
    computed = cube_module._compute(scope, THIS_YEAR, timezone.localdate())
    publish(scope, THIS_YEAR)
    assert published_cube(scope, THIS_YEAR).cube == computed
    forget_loaded()  # read from storage again, every slice
    assert published_cube(scope, THIS_YEAR).cube == computed
    assert any(c.is_suppressed for c in computed.cells.values())


def test_consecutive_publishes_give_no_more_to_subtract_than_a_cube_per_change(alice, bob, eleven):
    """Between two publishes residents are measured one by one. Serving a new cube after
    every change (the previous design) showed a cube for each intermediate state; the
    published snapshots are some of those same cubes and none other, so whatever a reader
    can subtract between two snapshots they could already subtract before (ADR 0004)."""
    scope = Scope(team_ids=(eleven[0].team_id,))
    client = client_for(bob)
    more = trajectories(3, eleven[0].team, alice, eleven[0].resident.district, name="Later")
    publish_all()
    per_change = [cube_module._compute(scope, THIS_YEAR, timezone.localdate())]
    seen = [shown_now(scope)]
    for trajectory in [eleven[10], *more]:
        measure(trajectory, alice)
        per_change.append(cube_module._compute(scope, THIS_YEAR, timezone.localdate()))
        client.get(URL)
        seen.append(shown_now(scope))
        if len(per_change) % 2 == 1:
            publish_all()
            seen.append(shown_now(scope))
    # Every cube a reader was shown is one the previous design showed too...
    assert all(any(cube == old for old in per_change) for cube in seen)
    # ...but fewer of them: states between two publishes were never shown.
    distinct = {fingerprint(c) for c in seen}
    assert len(distinct) < len({fingerprint(c) for c in per_change})
    # The single measurement between publishes 1 and 2 moved the shown figure by two.
    values = [c.value(("reg:with_start", "count", YEAR, ALL, "all")) for c in seen]
    assert values[0] == 10 and values[-1] == 14
    assert 11 not in values and 13 not in values


@pytest.mark.parametrize(
    "params", [{"age_group": "adult"}, {"age_group": "young", "period": f"{THIS_YEAR}-Q1"}]
)
def test_a_page_reads_only_the_slices_it_shows(bob, eleven, params):
    """A municipality's cube has ~10^5 cells; unpacking it whole took over a second.
    The stored cube is cut per period, area and age group, and a page reads the few it
    shows in one query."""
    client = client_for(bob)
    client.get(URL)  # built on demand and stored
    forget_loaded()
    with CaptureQueriesContext(connection) as cold:
        response = client.get(URL, params)
    assert response.status_code == 200
    slices = [q["sql"] for q in cold.captured_queries if "monitoring_publishedslice" in q["sql"]]
    assert len(slices) == 1
    scope = dashboard_scope(bob)
    assert scope is not None
    cube = published_cube(scope, THIS_YEAR).cube
    read = cube.cells._slices  # type: ignore[attr-defined]
    assert read and {age for _period, _area, age in read} == {params["age_group"]}
    stored = PublishedSlice.objects.filter(cube__year=THIS_YEAR, cube__scope_key=scope_key(scope))
    assert len(read) < stored.count() / 2


def test_a_reader_of_the_previous_publish_can_finish(alice, bob, eleven):
    """A page that loaded the cube just before a publish still reads its slices; two
    publishes later they are gone."""
    scope = dashboard_scope(bob)
    assert scope is not None
    publish(scope, THIS_YEAR)
    forget_loaded()
    before = published_cube(scope, THIS_YEAR).cube
    key = ("reg:with_start", "count", YEAR, ALL, "all")
    measure(eleven[10], alice)
    publish(scope, THIS_YEAR)
    assert before.value(key) == 10  # the old slices, still there
    assert published_cube(scope, THIS_YEAR).cube.value(key) == 11
    builds = set(PublishedSlice.objects.values_list("build", flat=True).distinct())
    publish(scope, THIS_YEAR, force=True)
    assert len(set(PublishedSlice.objects.values_list("build", flat=True).distinct())) == len(
        builds
    )


def test_a_new_measurement_rebuilds_only_the_years_its_trajectory_touches(alice, bob, eleven):
    """The publish skips the years a change cannot reach: a measurement this year of a
    trajectory that started this year leaves the figures of earlier years alone, while a
    measurement of a trajectory started in an earlier year rebuilds that year too (its
    registration counts can change); a year in between, with no date of the trajectory
    in it, shows nothing of it and keeps its cube (the change log, issue 16.7)."""
    team, home = eleven[0].team, eleven[0].resident.district
    scope_key_ = str(team.pk)
    today = timezone.localdate()
    (old,) = trajectories(1, team, alice, home, name="Oud")
    Trajectory.objects.filter(pk=old.pk).update(started_on=dt.date(THIS_YEAR - 2, 3, 1))
    (ended,) = trajectories(1, team, alice, home, name="Klaar")
    Trajectory.objects.filter(pk=ended.pk).update(
        started_on=dt.date(THIS_YEAR - 2, 3, 1), ended_on=dt.date(THIS_YEAR - 2, 9, 1)
    )
    first = publish_all()
    for year in (THIS_YEAR - 2, THIS_YEAR - 1, THIS_YEAR):
        assert f"teams {scope_key_} {year}: built" in first
    measure(eleven[10], alice)  # started this year
    out = publish_all()
    assert f"teams {scope_key_} {THIS_YEAR}: built" in out
    assert f"teams {scope_key_} {THIS_YEAR - 1}: unchanged, skipped" in out
    assert f"teams {scope_key_} {THIS_YEAR - 2}: unchanged, skipped" in out
    confirmed_measurement(old, alice, days_ago=(today - dt.date(THIS_YEAR, 1, 2)).days)
    out = publish_all()
    for year in (THIS_YEAR - 2, THIS_YEAR):
        assert f"teams {scope_key_} {year}: built" in out
    assert f"teams {scope_key_} {THIS_YEAR - 1}: unchanged, skipped" in out
    scope = Scope(team_ids=(team.pk,))
    fresh = cube_module._compute(scope, THIS_YEAR - 1, today)
    assert published_cube(scope, THIS_YEAR - 1).cube == fresh  # and rightly so


def test_the_whole_scope_shows_the_same_district_profiles_for_every_age_and_period(
    alice, bob, eleven, municipality
):
    """Which districts get a profile comes from the cube's description (any domain
    figure of the year, all ages, not 0), so the page reads no slices of other ages."""
    District.objects.create(municipality=municipality, name="Leeg")
    scope = dashboard_scope(bob)
    assert scope is not None
    publish(scope, THIS_YEAR)
    cube = published_cube(scope, THIS_YEAR).cube
    expected = {
        d
        for d in cube.district_ids
        if any(
            cube.value((f"dom:{key}", "chosen", YEAR, ("d", d), "all")) not in (0, None)
            for key in cube.domains
        )
    }
    assert cube.profile_districts == expected
    assert eleven[0].resident.district_id in expected
    pages = []
    for params in ({}, {"age_group": "young"}, {"period": f"{THIS_YEAR}-Q1"}):
        ids = [s.id for s in client_for(bob).get(URL, params).context["sections"]]
        pages.append([i for i in ids if i.startswith("profile-")])
    assert pages[0] == pages[1] == pages[2] == [f"profile-d{d}" for d in pages_order(cube)]


def pages_order(cube: cube_module.Cube) -> list[int]:
    names = dict(District.objects.filter(pk__in=cube.profile_districts).values_list("pk", "name"))
    return sorted(names, key=lambda d: (names[d], d))
