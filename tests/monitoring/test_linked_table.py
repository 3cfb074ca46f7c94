"""The linked table asks for every selection of a scope's year in split queries (about
85, whatever the number of districts and teams). It must hold exactly what asking each
selection on its own through the public indicator functions gives: the same counts, the
same distinct residents (not sums of the parts) and the same links."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import make_staff
from tests.monitoring.test_indicators import DataSet, day, measure
from tests.monitoring.test_indicators import data as data  # the hand-worked data set
from wattelt.monitoring import cube as cube_module
from wattelt.monitoring import indicators as ind
from wattelt.monitoring.cube import AGES, ALL, YEAR, Scope
from wattelt.organisations.models import District, Membership, Organisation, Team
from wattelt.residents import services as residents

TODAY = dt.date(2026, 11, 23)


def asked_one_by_one(scope: Scope, year: int) -> cube_module.LinkedTable:
    """The reference: every area, age group and period asked for on its own."""
    quarters = cube_module.quarters_so_far(year, TODAY)
    district_ids = list(scope.districts().values_list("pk", flat=True))
    team_ids = list(scope.teams().values_list("pk", flat=True))
    found = cube_module._Collected()
    areas: list[tuple[object, dict[str, Any]]] = [
        (ALL, {"team_ids": scope.team_ids}),
        *((("d", d), {"team_ids": scope.team_ids, "district_ids": (d,)}) for d in district_ids),
        *((("t", t), {"team_ids": (t,)}) for t in team_ids),
    ]
    selections = {
        (area, age): ind.Selection(
            start=dt.date(year, 1, 1),
            end=dt.date(year, 12, 31),
            municipality_id=scope.municipality_id,
            organisation_id=scope.organisation_id,
            age_group=age,
            **filters,
        )
        for area, filters in areas
        for age in AGES
    }
    # The whole year first (as the table does), so the domains come in the same order.
    for area, _filters in areas:
        for age in AGES:
            sel = selections[area, age]
            whole = ind.Figures(
                trajectory_counts=ind.trajectory_counts(sel),
                profiles=ind.domain_profile(sel),
                paired_change=ind.paired_change(sel),
                quality_of_life_change=ind.quality_of_life_change(sel),
                goal_attainment=ind.goal_attainment(sel),
            )
            cube_module._put_figures(found, YEAR, area, age, whole)
    for area, _filters in areas:
        for age in AGES:
            sel = selections[area, age]
            series = {
                name: {q.quarter: q.figures for q in ind.quarterly_series(sel, name)}  # type: ignore[call-overload]
                for name in (
                    "trajectory_counts",
                    "domain_profile",
                    "paired_change",
                    "quality_of_life_change",
                    "goal_attainment",
                )
            }
            for quarter in quarters:
                figures = ind.Figures(
                    trajectory_counts=series["trajectory_counts"][quarter],
                    profiles=series["domain_profile"][quarter],
                    paired_change=series["paired_change"][quarter],
                    quality_of_life_change=series["quality_of_life_change"][quarter],
                    goal_attainment=series["goal_attainment"][quarter],
                )
                cube_module._put_figures(found, quarter, area, age, figures)
    return cube_module.LinkedTable(
        year=year,
        table=cube_module.build_table(found, quarters, district_ids, team_ids),
        quarters=quarters,
        district_ids=district_ids,
        team_ids=team_ids,
        families={f: cube_module._items(f, items) for f, items in found.families.items()},
        domains=tuple(sorted(found.domain_order, key=found.domain_order.__getitem__)),
    )


@pytest.fixture
def richer(data: DataSet, alice) -> tuple[DataSet, Team]:  # type: ignore[no-untyped-def]
    """The hand-worked data set, plus a second team that shares a resident with the
    first, and a resident who turns 18 between two measurements."""
    west = Team.objects.create(organisation=data.organisation, name="Team West")
    west.districts.add(data.zuid, data.noord)
    wendy = make_staff("wendy", data.organisation, west, Membership.Role.PROFESSIONAL)
    cees = residents.Resident.objects.get(first_name="Cees")
    shared = residents.open_trajectory(cees, west, wendy, day(4, 1))
    measure(shared, wendy, day(4, 3), {"wonen": 40, "geld": 60}, 5, ("geld",), goal="geld")
    fien = residents.register_resident(
        residents.ResidentInput("Fien", "Test", dt.date(2006, 5, 10), data.zuid), wendy
    )
    t = residents.open_trajectory(fien, west, wendy, day(2, 1))
    measure(t, wendy, day(2, 5), {"school": 30, "wonen": 70}, 5, ("school",), goal="school")
    goal = residents.Trajectory.objects.get(pk=t.pk).goals.get()
    measure(t, wendy, day(8, 20), {"school": 55}, 7, reviews={goal: "partly"})
    measure(t, wendy, day(11, 2), {"school": 75}, 8, reviews={goal: "achieved"}, kind="end")
    return data, west


def assert_same(fast: cube_module.LinkedTable, reference: cube_module.LinkedTable) -> None:
    assert fast.quarters == reference.quarters
    assert fast.district_ids == reference.district_ids
    assert fast.team_ids == reference.team_ids
    assert fast.families == reference.families
    assert fast.domains == reference.domains
    assert [(c.key, c.residents, c.published) for c in fast.table.cells] == [
        (c.key, c.residents, c.published) for c in reference.table.cells
    ]
    for mine, theirs in zip(fast.table.cells, reference.table.cells, strict=True):
        assert mine.values.keys() == theirs.values.keys(), mine.key
        for name, value in mine.values.items():
            assert value == pytest.approx(theirs.values[name], abs=1e-9), (mine.key, name)
    assert fast.table.groups == reference.table.groups


@pytest.mark.parametrize("who", ["municipality", "organisation", "coach"])
def test_the_split_queries_give_what_each_selection_gives_on_its_own(richer, who):
    data, west = richer
    scope = {
        "municipality": Scope(municipality_id=data.municipality.pk),
        "organisation": Scope(organisation_id=data.organisation.pk),
        "coach": Scope(team_ids=(west.pk,)),
    }[who]
    fast = cube_module.linked_table(scope, 2024, TODAY)
    # Something to compare: residents in two teams and of both age groups.
    cells = {c.key: c for c in fast.table.cells}
    assert cells["reg:trajectories", "count", YEAR, ALL, "all"].residents >= 2
    if who != "coach":
        team_residents = sum(
            cells["reg:trajectories", "count", YEAR, ("t", t), "all"].residents
            for t in fast.team_ids
        )
        assert team_residents > cells["reg:trajectories", "count", YEAR, ALL, "all"].residents
    fien_ages = [cells["dom:school", "chosen", YEAR, ("t", west.pk), a].residents for a in AGES]
    assert fien_ages == [1, 1, 1]  # young in February, adult in August: not 1 + 1
    assert_same(fast, asked_one_by_one(scope, 2024))


def test_the_number_of_queries_does_not_grow_with_districts_and_teams(richer):
    data, _west = richer
    scope = Scope(municipality_id=data.municipality.pk)
    with CaptureQueriesContext(connection) as few:
        cube_module.linked_table(scope, 2024, TODAY)
    for n in range(3):
        Team.objects.create(organisation=data.organisation, name=f"Team {n}")
    with CaptureQueriesContext(connection) as more:
        cube_module.linked_table(scope, 2024, TODAY)
    # Per indicator: year and quarters x the scope and its teams, each split by the
    # part (district) and giving every age group (36 on both databases; ~85 before).
    assert len(more) == len(few) <= 40


@pytest.mark.parametrize("limits", [None, (1, 40), (12, 2), (2, 40)])
def test_scopes_asked_for_together_get_what_each_asks_for_alone(richer, monkeypatch, limits):
    """A publish run asks for the changed districts of every scope at once, the rows split
    by team (`collect_owned`): each scope's parts must be what it asks for alone, also
    for a resident in two teams (counted once where both teams are the scope's), a
    coach of two teams, a district two organisations serve and a district without
    rows. A district past `MAX_OWNER_TEAMS` or `MAX_OWNER_GROUPS` is asked for per
    scope (with the limits at 2 teams or 2 groups: Zuid, which 3 teams serve)."""
    data, west = richer
    if limits is not None:
        monkeypatch.setattr(cube_module, "MAX_OWNER_TEAMS", limits[0])
        monkeypatch.setattr(cube_module, "MAX_OWNER_GROUPS", limits[1])
    second = Organisation.objects.create(municipality=data.municipality, name="Tweede")
    oost = Team.objects.create(organisation=second, name="Team Oost")
    oost.districts.add(data.zuid)
    olga = make_staff("olga", second, oost, Membership.Role.PROFESSIONAL)
    dora = residents.register_resident(
        residents.ResidentInput("Dora", "Test", dt.date(1970, 1, 1), data.zuid), olga
    )
    trajectory = residents.open_trajectory(dora, oost, olga, day(3, 1))
    measure(trajectory, olga, day(3, 4), {"wonen": 20}, 4, ("wonen",), goal="wonen")
    east = District.objects.create(municipality=data.municipality, name="Oost")
    oost.districts.add(east)
    erik = residents.register_resident(
        residents.ResidentInput("Erik", "Test", dt.date(1960, 2, 2), east), olga
    )
    trajectory = residents.open_trajectory(erik, oost, olga, day(5, 1))
    measure(trajectory, olga, day(5, 6), {"geld": 80}, 7, ("geld",), goal="geld")
    empty = District.objects.create(municipality=data.municipality, name="Leeg")
    every = (data.noord.pk, data.zuid.pk, east.pk, empty.pk)
    both_teams = Scope(team_ids=tuple(sorted((data.team.pk, west.pk))))
    askers = {
        Scope(municipality_id=data.municipality.pk): every,
        Scope(organisation_id=data.organisation.pk): every,
        Scope(organisation_id=second.pk): (data.zuid.pk, east.pk),
        Scope(team_ids=(oost.pk,)): (east.pk,),
        Scope(team_ids=(west.pk,)): (data.zuid.pk,),
        Scope(team_ids=(data.team.pk,)): every,
        both_teams: every,
    }
    quarters = cube_module.quarters_so_far(2024, TODAY)
    with CaptureQueriesContext(connection) as asked:
        together = cube_module.collect_owned(askers, 2024, quarters)
    for scope, districts in askers.items():
        alone = cube_module.collect_parts(scope, 2024, quarters, districts)
        assert empty.pk not in alone
        assert together[scope] == alone, scope
    zuid = together[both_teams][data.zuid.pk].values
    teams = [zuid["reg:trajectories", "count", YEAR, ("t", t), "all"] for t in both_teams.team_ids]
    whole = zuid["reg:trajectories", "count", YEAR, ALL, "all"]
    assert sum(v.residents for v in teams) > whole.residents  # Cees in both, once here
    if limits is None:
        assert len(asked) <= 60  # a set of queries per district for seven scopes (alone: ~30 each)


def test_district_parts_are_asked_for_once_and_served_once(richer):
    """The run's `DistrictParts`: the first scope asks for every expected scope's
    districts; the next takes its own from there; asked for again (a retry after a busy
    database), a part is asked for anew, not served stale; a scope never expected
    asks for itself."""
    data, west = richer
    quarters = cube_module.quarters_so_far(2024, TODAY)
    municipality = Scope(municipality_id=data.municipality.pk)
    coach = Scope(team_ids=(west.pk,))
    parts = cube_module.DistrictParts()
    parts.expect(municipality, 2024, [data.zuid.pk])
    parts.expect(coach, 2024, [data.zuid.pk])
    with CaptureQueriesContext(connection) as first:
        got = parts.collect(municipality, 2024, quarters, [data.zuid.pk])
    with CaptureQueriesContext(connection) as second:
        theirs = parts.collect(coach, 2024, quarters, [data.zuid.pk])
    assert len(first) > 10 and len(second) == 0 and parts.shared == 1
    assert got == cube_module.collect_parts(municipality, 2024, quarters, [data.zuid.pk])
    assert theirs == cube_module.collect_parts(coach, 2024, quarters, [data.zuid.pk])
    with CaptureQueriesContext(connection) as again:
        assert parts.collect(coach, 2024, quarters, [data.zuid.pk]) == theirs
    assert len(again) > 10 and parts.shared == 1
    organisation = Scope(organisation_id=data.organisation.pk)
    assert parts.collect(organisation, 2024, quarters, [data.noord.pk]) == (
        cube_module.collect_parts(organisation, 2024, quarters, [data.noord.pk])
    )
