"""The monitoring summary tables: kept up to date by the services inside their
transaction, identical to a rebuild from the raw data, and repaired by the command."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

from django.core.management import call_command
from django.db import connection

from tests.monitoring.test_indicators import H1, DataSet, day, measure
from tests.monitoring.test_indicators import data as data  # the hand-worked data set
from wattelt.instrument.models import Measurement
from wattelt.monitoring import summary
from wattelt.monitoring.indicators import (
    Selection,
    cube,
    domain_profile,
    goal_attainment,
    paired_change,
    quality_of_life_change,
    trajectory_counts,
)
from wattelt.monitoring.models import (
    ChipFact,
    ChipPair,
    GoalReviewFact,
    MeasurementFact,
    TrajectorySummary,
)
from wattelt.privacy.services import anonymise_resident
from wattelt.residents import services as residents
from wattelt.residents.models import Resident, Trajectory

__all__ = ["summary_rows"]


def summary_rows() -> dict[str, list[tuple[Any, ...]]]:
    """Every summary row as plain values (ChipPair without its surrogate id), sorted."""
    rows = {}
    for model in (TrajectorySummary, MeasurementFact, ChipFact, ChipPair, GoalReviewFact):
        names = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
        rows[model.__name__] = sorted(model.objects.values_list(*names), key=repr)
    return rows


def all_figures(sel: Selection) -> tuple[Any, ...]:
    return (
        trajectory_counts(sel),
        domain_profile(sel),
        paired_change(sel),
        quality_of_life_change(sel),
        goal_attainment(sel),
    )


def test_services_keep_the_summary_equal_to_a_rebuild(data: DataSet):
    assert TrajectorySummary.objects.count() == Trajectory.objects.count() == 6
    assert MeasurementFact.objects.count() == Measurement.objects.filter(status="confirmed").count()
    incremental = summary_rows()
    figures = all_figures(H1)
    summary.rebuild()
    assert summary_rows() == incremental
    assert all_figures(H1) == figures


def test_a_correction_replaces_the_summary_rows(data: DataSet):
    cees = TrajectorySummary.objects.get(first_grade=3)
    chips = ChipFact.objects.filter(trajectory_id=cees.pk).values_list("domain_key", "chip")
    assert sorted(chips) == [("geld", 90), ("wonen", 15)]
    # The superseded version (wonen 10) and the draft (wonen 99) are not there.
    assert not ChipFact.objects.filter(chip__in=[10, 99]).exists()


def test_a_new_measurement_updates_the_summary_in_its_transaction(data: DataSet, alice):
    t7 = Trajectory.objects.get(started_on=day(6, 1))
    before = TrajectorySummary.objects.get(pk=t7.pk)
    assert (before.measurements, before.has_follow_up, before.latest_grade) == (1, False, 6)
    measure(t7, alice, day(6, 20), {"wonen": 75}, 9, ("wonen",))
    after = TrajectorySummary.objects.get(pk=t7.pk)
    assert (after.measurements, after.has_follow_up, after.latest_grade) == (2, True, 9)
    pair = ChipPair.objects.get(trajectory_id=t7.pk)
    assert (pair.domain_key, pair.change) == ("wonen", 15)


def test_erasure_refreshes_the_age_of_the_rows(data: DataSet, alice):
    # Bram (born 1 March 2008) was young in 2024; his anonymised birth date is 1 July 2008.
    bram = Resident.objects.get(first_name="Bram")
    late = residents.open_trajectory(bram, data.team, alice, dt.date(2026, 3, 15))
    measure(late, alice, dt.date(2026, 3, 20), {"wonen": 50}, 5)
    assert MeasurementFact.objects.get(trajectory_id=late.pk).young is False  # 18 on 1 March
    anonymise_resident(bram)
    assert MeasurementFact.objects.get(trajectory_id=late.pk).young is True  # not 18 until July
    incremental = summary_rows()
    summary.rebuild()
    assert summary_rows() == incremental


def test_deleting_a_trajectory_deletes_its_summary_rows(data: DataSet):
    t2 = Trajectory.objects.get(started_on=day(2, 1))
    assert ChipFact.objects.filter(trajectory_id=t2.pk).exists()
    t2.delete()
    for model in (TrajectorySummary, MeasurementFact, ChipFact, ChipPair, GoalReviewFact):
        assert not model.objects.filter(trajectory_id=t2.pk).exists()


def test_the_command_repairs_a_summary(data: DataSet):
    incremental = summary_rows()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {ChipFact._meta.db_table}")
        cursor.execute(f"UPDATE {TrajectorySummary._meta.db_table} SET has_start = %s", [False])
    out = StringIO()
    call_command("rebuild_monitoring_summary", stdout=out)
    assert "monitoring summary rebuilt" in out.getvalue()
    assert summary_rows() == incremental


def test_each_cube_cell_equals_the_indicators_for_that_cell(data: DataSet):
    sel = Selection(day(11, 1, 2023), day(6, 30), municipality_id=data.municipality.pk)
    cells = cube(sel)
    assert {(c.year, c.quarter) for c in cells} == {(2023, 4), (2024, 1), (2024, 2)}
    assert {c.young for c in cells} == {True, False}
    for cell in cells:
        first = dt.date(cell.year, 3 * cell.quarter - 2, 1)
        last = (
            dt.date(cell.year + 1, 1, 1)
            if cell.quarter == 4
            else dt.date(cell.year, 3 * cell.quarter + 1, 1)
        ) - dt.timedelta(days=1)
        one = Selection(
            max(first, sel.start),
            min(last, sel.end),
            municipality_id=data.municipality.pk,
            district_ids=(cell.district_id,),
            team_ids=(cell.team_id,),
            age_group=cell.age_group,
        )
        profile = domain_profile(one)
        assert cell.trajectory_counts == trajectory_counts(one)
        assert cell.measurements == profile[0].measurements
        assert cell.domains == profile[0].domains
        assert cell.paired_change == paired_change(one)
        assert cell.quality_of_life_change == quality_of_life_change(one)
        assert cell.goal_attainment == goal_attainment(one)
    # Bram's (young, Noord) second quarter: two measurements, one resident.
    bram = next(c for c in cells if c.young and (c.year, c.quarter) == (2024, 2))
    assert (bram.measurements.count, bram.measurements.residents) == (2, 1)


def test_the_version_goes_up_with_every_change(data: DataSet, alice):
    before = summary.version()
    t7 = Trajectory.objects.get(started_on=day(6, 1))
    measure(t7, alice, day(6, 20), {"wonen": 75}, 9)
    assert summary.version() > before
    after_measure = summary.version()
    summary.rebuild()
    assert summary.version() > after_measure


def test_the_cube_takes_a_fixed_number_of_queries(data: DataSet):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        cube(Selection(day(1, 1), day(12, 31)))
    assert len(captured) == 8
