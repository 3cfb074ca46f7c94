"""Suppression across filter choices: the differencing attack over every selection a
user can make (age group, district, team, quarter and year) recovers no hidden figure."""

from __future__ import annotations

import datetime as dt
import random
import time
from fractions import Fraction
from itertools import product

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import client_for, make_staff, staff_with_role
from wattelt.monitoring import cube as cube_module
from wattelt.monitoring.cube import ALL, YEAR, Period, Scope, suppressed_cube
from wattelt.monitoring.indicators import Figure
from wattelt.monitoring.suppression import (
    HIDDEN_LABEL,
    THRESHOLD,
    _determined_unknowns,
    exactly_determined,
    suppress_small_cells,
)
from wattelt.organisations.models import District, Membership, Role, Team
from wattelt.residents import services as residents

URL = reverse("monitoring:dashboard")
LAST_YEAR = timezone.localdate().year - 1


def determined(unknowns: list[object], equations: list[dict[object, int]]) -> set[object]:
    """The attacker: the unknowns that linear equations fix (Gauss-Jordan over fractions);
    an unknown is fixed when its unit vector is a row of the reduced echelon form."""
    column = {u: n for n, u in enumerate(unknowns)}
    reduced: dict[int, dict[int, Fraction]] = {}
    for equation in equations:
        row = {column[k]: Fraction(v) for k, v in equation.items() if k in column and v}
        for pivot, pivot_row in reduced.items():
            if row.get(pivot):
                row = _minus(row, pivot_row, row[pivot])
        if not row:
            continue
        pivot = min(row)
        row = {c: v / row[pivot] for c, v in row.items()}
        for other, other_row in list(reduced.items()):
            if other_row.get(pivot):
                reduced[other] = _minus(other_row, row, other_row[pivot])
        reduced[pivot] = row
    return {unknowns[p] for p, row in reduced.items() if len(row) == 1}


def _minus(
    row: dict[int, Fraction], other: dict[int, Fraction], factor: Fraction
) -> dict[int, Fraction]:
    result = dict(row)
    for c, v in other.items():
        result[c] = result.get(c, Fraction(0)) - factor * v
    return {c: v for c, v in result.items() if v}


# --- through the pages, as the municipality's analyst --------------------------------------


@pytest.fixture
def world(organisation, municipality, district, team, alice, catalogue):  # type: ignore[no-untyped-def]
    """Two teams and two districts, adults and young people, four quarters of last year,
    with several figures under ten that sit next to figures above ten."""
    zuid = District.objects.create(municipality=municipality, name="Zuid")
    west = Team.objects.create(organisation=organisation, name="Team West")
    west.districts.add(zuid)
    wendy = make_staff("wendy", organisation, west, Membership.Role.PROFESSIONAL)
    plan = [
        # (team, by, district, young?, quarter, how many)
        (team, alice, district, False, 1, 12),
        (team, alice, district, False, 2, 3),
        (team, alice, district, True, 1, 2),
        (west, wendy, zuid, False, 2, 15),
        (west, wendy, zuid, True, 3, 4),
        (team, alice, zuid, False, 3, 11),
        (west, wendy, district, False, 4, 1),
    ]
    n = 0
    for where, by, home, young, quarter, count in plan:
        started = dt.date(LAST_YEAR, 3 * quarter - 1, 10)
        born = dt.date(LAST_YEAR - 10, 1, 1) if young else dt.date(1970, 1, 1)
        for _i in range(count):
            n += 1
            resident = residents.register_resident(
                residents.ResidentInput(
                    first_name=f"Bewoner{n}", last_name="Test", date_of_birth=born, district=home
                ),
                by,
            )
            residents.open_trajectory(resident, where, by, started)
    anna = staff_with_role("anna", organisation, Role.Name.MUNICIPALITY_ANALYST)
    return anna, [district, zuid], [team, west], plan


HIDDEN = ("<10", HIDDEN_LABEL)
"""Too small, or hidden to protect another cell."""


def test_no_selection_gives_away_a_figure_hidden_in_another(world):
    anna, districts, teams, plan = world
    client = client_for(anna)
    periods = [Period(LAST_YEAR, q) for q in (YEAR, 1, 2, 3, 4)]
    areas: list[tuple[object, dict[str, object]]] = [
        (ALL, {}),
        *((("d", d.pk), {"district": d.pk}) for d in districts),
        *((("t", t.pk), {"team": t.pk}) for t in teams),
    ]
    shown: dict[tuple[object, ...], str] = {}
    for period, (area, params), age in product(periods, areas, ("all", "adult", "young")):
        response = client.get(URL, {"period": period.value, "age_group": age, **params})
        assert response.status_code == 200 and not response.context["form"].errors
        registration = response.context["sections"][0]
        shown[period.quarter, area, age] = registration.rows[0][1][0]

    # The truth, from the plan.
    def true(quarter: int, area: object, age: str) -> int:
        return sum(
            count
            for where, _by, home, young, q, count in plan
            if (quarter in (YEAR, q))
            and (area == ALL or area in (("d", home.pk), ("t", where.pk)))
            and (age == "all" or (age == "young") == young)
        )

    cells = list(shown)
    for key in cells:
        if shown[key] not in HIDDEN:
            assert int(shown[key]) == true(*key)  # shown figures are the true ones
    assert any(true(*k) < THRESHOLD for k in cells)  # there is something to hide
    hidden = [k for k in cells if shown[k] in HIDDEN]
    assert all(shown[k] == "<10" for k in cells if true(*k) < THRESHOLD)

    # What the reader knows: every relation between the selections.
    def equations(known: dict[tuple[object, ...], str]) -> list[dict[object, int]]:
        rows: list[dict[object, int]] = []
        area_sets = [[("d", d.pk) for d in districts], [("t", t.pk) for t in teams]]
        for quarter, age in product((YEAR, 1, 2, 3, 4), ("all", "adult", "young")):
            for parts in area_sets:
                row: dict[object, int] = {(quarter, ALL, age): -1}
                row.update({(quarter, p, age): 1 for p in parts})
                rows.append(row)
        for area, age in product([a for a, _p in areas], ("all", "adult", "young")):
            row = {(YEAR, area, age): -1}
            row.update({(q, area, age): 1 for q in (1, 2, 3, 4)})
            rows.append(row)
        for quarter, area in product((YEAR, 1, 2, 3, 4), [a for a, _p in areas]):
            rows.append({(quarter, area, "all"): -1, (quarter, area, "adult"): 1,
                         (quarter, area, "young"): 1})  # fmt: skip
        # Move the shown values to the right-hand side: only hidden cells stay unknown.
        return [{k: v for k, v in row.items() if known[k] in HIDDEN} for row in rows]  # type: ignore[index]

    recovered = determined(hidden, equations(shown))
    assert not {k for k in recovered if true(*k) < THRESHOLD}

    # Protecting each page on its own would not do: the same attack then succeeds.
    naive = {k: ("<10" if true(*k) < THRESHOLD else str(true(*k))) for k in cells}
    naive_hidden = [k for k in cells if naive[k] == "<10"]
    leaked = determined(naive_hidden, equations(naive))
    assert {k for k in leaked if 0 < true(*k) < THRESHOLD}


def test_every_figure_of_the_cube_resists_the_attack(world):
    """All figures (registration, change, goals, the domain profile...), on the cube the
    pages render from, against every relation between them."""
    anna, _districts, _teams, _plan = world
    scope = Scope(municipality_id=anna.organisation.municipality_id)
    cube = suppressed_cube(scope, LAST_YEAR)
    table = cube_module.linked_table(scope, LAST_YEAR, timezone.localdate()).table
    truth = {c.key: c for c in table.cells}
    assert {k for k, c in truth.items() if c.published} == set(cube.cells)
    hidden = [k for k, c in truth.items() if not c.published or cube.cells[k].is_suppressed]
    hidden_set = set(hidden)
    for key, cell in cube.cells.items():
        if not cell.is_suppressed:
            assert cell.values["count"] == truth[key].values["count"]
    equations = [
        {k: v for k, v in {g.total: -1, **dict.fromkeys(g.parts, 1)}.items() if k in hidden_set}
        for g in table.groups
    ]
    # Component by component (no group links two families), to keep the attack quick.
    by_family: dict[str, list[dict[object, int]]] = {}
    for equation in equations:
        if equation:
            by_family.setdefault(str(next(iter(equation))[0]), []).append(equation)  # type: ignore[index]
    for family, rows in by_family.items():
        unknowns = [k for k in hidden if k[0] == family]
        recovered = determined(unknowns, rows)  # type: ignore[arg-type]
        assert not {k for k in recovered if truth[k].residents < THRESHOLD}, family  # type: ignore[index]


# --- the fast exact check --------------------------------------------------------------------


def test_the_fast_check_finds_the_same_unknowns_as_the_exact_one():
    rnd = random.Random(4)
    for _trial in range(200):
        unknowns = rnd.randint(1, 12)
        equations = [
            {c: rnd.choice((-1, 1)) for c in rnd.sample(range(unknowns), rnd.randint(1, unknowns))}
            for _row in range(rnd.randint(1, 10))
        ]
        assert _determined_unknowns(equations) == exactly_determined(equations)


def test_suppressing_a_large_cube_stays_fast():
    """20 districts and 40 teams: every figure, period and age group suppressed at once.
    The bound is loose (a shared test machine); bench/ prints the figure."""
    rnd = random.Random(1)
    found = cube_module._Collected()
    for d, t in product(range(20), range(40)):
        if rnd.random() > 3 / 20:
            continue
        for quarter, age in product((1, 2, 3, 4), ("adult", "young")):
            n = rnd.randint(0, 30 if age == "adult" else 6)
            for period, area, ages in product(
                (YEAR, quarter), (ALL, ("d", d), ("t", t)), ("all", age)
            ):
                found.put("reg:trajectories", "count", period, area, ages, Figure(n, n))
    table = cube_module.build_table(found, [1, 2, 3, 4], list(range(20)), list(range(40)))
    began = time.perf_counter()
    suppress_small_cells(table)
    assert time.perf_counter() - began < 5
