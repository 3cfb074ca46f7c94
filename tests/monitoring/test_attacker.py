"""Issue 14: no suppressed figure behind 1-9 residents can be narrowed to within ±2 by
someone who holds every table their role can download for a scope and year, the written
definitions and which teams serve which districts. A random data set (the benchmark's
generator, 2 districts and 4 teams), published as the pages publish it, attacked by
`tests/monitoring/attacker.py` (linear programming, apart from the code it attacks)."""

from __future__ import annotations

import dataclasses

import pytest
from bench import generate
from django.db.models import Exists, OuterRef
from django.utils import timezone

from tests.monitoring.attacker import Key, System, intervals, read, relations
from wattelt.instrument.models import Measurement
from wattelt.monitoring import previous, summary
from wattelt.monitoring.audit import PROTECTION_WIDTH
from wattelt.monitoring.cube import Cube, LinkedTable, Scope, cube_of, linked_table
from wattelt.monitoring.suppression import HIDDEN_LABEL
from wattelt.organisations.models import Municipality, Organisation, Team
from wattelt.residents.models import Trajectory

SMALL = "<10"


@pytest.fixture
def random_data(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(generate, "DISTRICT_COUNT", 2)
    generate.generate_rows(400, seed=14, verbose=False, migrate=False)
    summary.rebuild()


def some_families(linked: LinkedTable, domains: int = 0) -> LinkedTable:
    """The registration, goals, quality of life and the first `domains` life domains
    (none by default):
    figures of different families share no relation, so leaving some out changes
    nothing for the rest, and keeps the test to seconds."""
    keep = {d for d in linked.domains[:domains]}

    def wanted(family: object) -> bool:
        kind, _sep, rest = str(family).partition(":")
        return kind not in ("dom", "chg") or rest in keep

    def key_ok(key: tuple[object, ...]) -> bool:
        return wanted(key[1] if key[0] == "x" else key[0])

    table = linked.table
    return dataclasses.replace(
        linked,
        table=dataclasses.replace(
            table,
            cells=tuple(c for c in table.cells if key_ok(c.key)),
            groups=tuple(g for g in table.groups if key_ok(g.total)),
            orders=tuple(o for o in table.orders if key_ok(o.small)),
            unknowns=tuple(k for k in table.unknowns if key_ok(k)),
            unknown_groups=tuple(g for g in table.unknown_groups if key_ok(g.total)),
        ),
        families={f: items for f, items in linked.families.items() if wanted(f)},
    )


def truth_of(linked: LinkedTable) -> dict[Key, int]:
    return {c.key: int(c.values["count"]) for c in linked.table.cells}  # type: ignore[call-overload]


def attack(linked: LinkedTable, cube: Cube) -> tuple[System, list[Key]]:
    """The attacker's system for one publish and the "<10" figures behind 1-9 residents."""
    truth = truth_of(linked)
    residents = {c.key: c.residents for c in linked.table.cells}
    system = read(cube, SMALL, HIDDEN_LABEL, truth)  # type: ignore[arg-type]
    # Which teams serve which districts: `Team.districts`, and every pair the data shows
    # (a professional who also works in a neighbouring team takes residents along).
    serves: dict[int, set[int]] = {
        team.pk: set(team.districts.values_list("pk", flat=True))
        for team in Team.objects.filter(pk__in=cube.team_ids)
    }
    for district, team in Trajectory.objects.values_list("resident__district_id", "team_id"):
        if team in serves:
            serves[team].add(district)
    relations(system, cube, serves)
    targets: list[Key] = [
        k for k, c in cube.cells.items() if c.values.get("count") == SMALL and 0 < residents[k] < 10
    ]
    return system, targets


def narrow_ones(
    system: System, targets: list[Key], truth: dict[Key, int]
) -> dict[Key, tuple[float, float]]:
    """Each target the attacker pins to fewer than PROTECTION_WIDTH + 1 values, with its
    range; checks every range holds the truth."""
    assert targets  # there is something to protect
    found = intervals(system, targets)
    for key, (low, high) in found.items():
        assert low <= truth[key] <= high, key  # the attacker's relations are true ones
    return {k: i for k, i in found.items() if i[1] - i[0] < PROTECTION_WIDTH}


def narrowed(linked: LinkedTable, cube: Cube) -> dict[Key, tuple[float, float]]:
    system, targets = attack(linked, cube)
    return narrow_ones(system, targets, truth_of(linked))


@pytest.mark.parametrize("kind", ["municipality", "organisation"])
def test_no_small_figure_can_be_narrowed_to_within_two(random_data: None, kind: str) -> None:
    if kind == "municipality":
        scope = Scope(municipality_id=Municipality.objects.get().pk)
    else:
        scope = Scope(organisation_id=Organisation.objects.order_by("pk").first().pk)  # type: ignore[union-attr]
    today = timezone.localdate()
    linked = some_families(linked_table(scope, today.year, today))
    # Suppressing so that no hidden figure follows exactly (the sums only) is not enough:
    assert narrowed(linked, cube_of(linked, width=0))
    # With the interval audit, nothing is narrowed.
    assert narrowed(linked, cube_of(linked, width=PROTECTION_WIDTH)) == {}


def test_two_consecutive_publishes_give_nothing_away(random_data: None) -> None:
    """A reader holds two consecutive publishes, three follow-up measurements changed in
    between, and (the worst case) knows which figures did not change: an unchanged figure
    is one value in both. Neither publish's small figures can be narrowed to within ±2."""
    scope = Scope(organisation_id=Organisation.objects.order_by("pk").first().pk)  # type: ignore[union-attr]
    today = timezone.localdate()
    first = some_families(linked_table(scope, today.year, today))
    cube_1 = cube_of(first, width=PROTECTION_WIDTH)
    remembered = previous.remember(first.table, cube_1.cells)
    confirmed = Measurement.objects.filter(status=Measurement.Status.CONFIRMED)
    later_one = confirmed.filter(
        trajectory=OuterRef("trajectory"), measured_on__gt=OuterRef("measured_on")
    )
    # The latest measurement of its trajectory: its grade is the "to" of the change.
    changed = (
        confirmed.filter(
            kind=Measurement.Kind.FOLLOW_UP,
            measured_on__year=today.year,
            quality_of_life__isnull=False,
        )
        .exclude(Exists(later_one))
        .order_by("pk")[:3]
    )
    assert len(changed) == 3
    for measurement in changed:
        grade = measurement.quality_of_life or 0
        Measurement.objects.filter(pk=measurement.pk).update(
            quality_of_life=10 if grade <= 5 else 1
        )
    summary.rebuild()
    alone = some_families(linked_table(scope, today.year, today))
    later = dataclasses.replace(
        alone, table=previous.compare(alone.table, cube_1.cells, remembered)
    )
    truth_1, truth_2 = truth_of(first), truth_of(later)
    assert truth_1 != truth_2  # the figures did change

    def narrowed_by_both(cube_2: Cube) -> dict[Key, tuple[float, float]]:
        system, targets = attack(later, cube_2)
        system_1, targets_1 = attack(first, cube_1)
        system.merge(system_1, "before")
        for key, value in truth_2.items():
            if truth_1.get(key) == value:
                system.add({key: 1, (*key, "before"): -1}, True)
        truth = {**truth_2, **{(*k, "before"): v for k, v in truth_1.items()}}
        both = [*targets, *((*k, "before") for k in targets_1)]
        return narrow_ones(system, both, truth)

    # With the previous publish in the audit, nothing is narrowed (that auditing each
    # publish alone can give a figure away: test_previous.py).
    assert narrowed_by_both(cube_of(later, width=PROTECTION_WIDTH)) == {}
