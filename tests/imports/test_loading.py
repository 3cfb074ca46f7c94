"""The bulk way's writer (`imports.loading`): the monitoring summary rows it makes from
memory are the rows `monitoring.summary` derives, the snapshot it puts together is
valid JSON for any words, and the exclusive load (PostgreSQL) leaves the schema as it
found it, whether the file is imported or refused."""

from __future__ import annotations

import datetime as dt
import gc
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.imports.files import csv_bytes
from tests.imports.test_bulk import HEADER_TWO_GOALS, start_row, twin
from tests.imports.test_import import run
from wattelt.imports.loading import LOADED_TABLES, ChunkWriter
from wattelt.instrument import services as instrument
from wattelt.instrument.models import Measurement, NotFilledIn
from wattelt.monitoring import changes, summary
from wattelt.monitoring.models import (
    ChipFact,
    FigureChange,
    MeasurementFact,
    PublishedCube,
    TrajectorySummary,
)
from wattelt.residents.models import Resident


def summary_rows() -> dict[str, list[tuple[Any, ...]]]:
    return {
        model.__name__: sorted(model.objects.values_list(*[f.attname for f in model._meta.fields]))
        for model in (TrajectorySummary, MeasurementFact, ChipFact)
    }


def test_the_summary_rows_are_those_a_rebuild_derives(trajectory, quinn):
    """Two start measurements, one of a resident who was 17 on the start and 18 on the
    measurement (young at start, adult in the latest), one measured after 30 days."""
    other = twin(trajectory, "123456782")
    Resident.objects.filter(pk=other.resident_id).update(
        date_of_birth=other.started_on - dt.timedelta(days=365 * 18 - 3)
    )
    first = start_row(trajectory, "111222333")
    late = start_row(other, "123456782")
    late[HEADER_TWO_GOALS.index("datum")] = (other.started_on + dt.timedelta(days=45)).strftime(
        "%d-%m-%Y"
    )
    assert TrajectorySummary.objects.filter(trajectory_id=trajectory.pk).exists()  # replaced
    job = run(quinn, "historie.csv", csv_bytes([first, late], HEADER_TWO_GOALS))
    assert (job.state, job.imported) == ("done", 2)
    loaded = summary_rows()
    assert len(loaded["ChipFact"]) == 4 and len(loaded["MeasurementFact"]) == 2
    summary.rebuild()
    assert summary_rows() == loaded
    young = TrajectorySummary.objects.get(trajectory_id=other.pk)
    assert (young.young_at_start, young.latest_young, young.early_start) == (True, False, False)


def test_the_change_log_names_what_changes_touched_finds(trajectory, quinn, bob, alice):
    """The bulk way records the scopes, years and districts of the imported trajectories
    from memory; they are what `changes.touched` derives from the rows afterwards: the
    coach's teams, the organisation, the municipality, and the years of the start, the
    measurement and a record of not filled in from another year."""
    other = twin(trajectory, "123456782")
    skipped = instrument.record_not_filled_in(other, alice, "follow_up", "crisis")
    earlier = other.started_on - dt.timedelta(days=400)
    NotFilledIn.objects.filter(pk=skipped.pk).update(recorded_on=earlier)
    FigureChange.objects.all().delete()
    rows = [start_row(trajectory, "111222333"), start_row(other, "123456782")]
    job = run(quinn, "historie.csv", csv_bytes(rows, HEADER_TWO_GOALS))
    assert (job.state, job.imported) == ("done", 2)
    recorded = set(FigureChange.objects.values_list("kind", "scope_key", "year", "part"))
    expected = changes.touched([trajectory.pk, other.pk])
    assert recorded == expected
    # Each names its district, so a republish asks only that district again.
    district = trajectory.resident.district_id
    assert (PublishedCube.Kind.TEAMS, str(trajectory.team_id), earlier.year, district) in recorded


def test_the_snapshot_holds_any_words(trajectory, quinn):
    words = 'Zeg "nee" \\ tegen schulden\té, 💶'
    row = start_row(trajectory, "111222333")
    row[HEADER_TWO_GOALS.index("doel_2")] = words
    job = run(quinn, "historie.csv", csv_bytes([row], HEADER_TWO_GOALS))
    assert (job.state, job.problems) == ("done", [])
    snapshot = Measurement.objects.get().snapshot
    first = row[HEADER_TWO_GOALS.index("doel_1")]
    assert [g["own_words"] for g in snapshot["goals"]] == [first, words]
    assert [c["domain"] for c in snapshot["choices"]] == ["wonen", "geld"]


def schema() -> list[tuple[str, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) "
            "UNION ALL SELECT tablename, indexname, indexdef FROM pg_indexes "
            "WHERE tablename = ANY(%s) ORDER BY 1, 2, 3",
            [LOADED_TABLES, LOADED_TABLES],
        )
        return cursor.fetchall()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the exclusive load is PostgreSQL's")
def test_the_exclusive_load_leaves_the_schema_as_it_found_it(trajectory, quinn, settings):
    settings.IMPORT_EXCLUSIVE_ROWS = 1
    before = schema()
    assert len([s for s in before if "FOREIGN KEY" in s[2]]) >= 9
    other = twin(trajectory, "123456782")
    good, bad = start_row(trajectory, "111222333"), start_row(other, "123456782")
    bad[HEADER_TWO_GOALS.index("cijfer")] = "11"
    refused = run(quinn, "fout.csv", csv_bytes([good, bad], HEADER_TWO_GOALS))
    assert (refused.state, [p["field"] for p in refused.problems]) == ("refused", ["cijfer"])
    assert schema() == before and not Measurement.objects.exists()
    done = run(quinn, "goed.csv", csv_bytes([good], HEADER_TWO_GOALS))
    assert (done.state, done.imported) == ("done", 1)
    assert schema() == before
    assert Measurement.objects.get().choices.count() == 2


def test_a_file_of_several_chunks_is_one_import(trajectory, quinn, monkeypatch):
    """Chunks are written one after the other (on PostgreSQL by the writer thread); a
    problem in the last chunk still leaves nothing of the first."""
    monkeypatch.setattr("wattelt.imports.bulk.CHUNK", 1)
    other = twin(trajectory, "123456782")
    good, bad = start_row(trajectory, "111222333"), start_row(other, "123456782")
    bad[HEADER_TWO_GOALS.index("geld_inwoner")] = "101"
    job = run(quinn, "fout.csv", csv_bytes([good, bad], HEADER_TWO_GOALS))
    assert (job.state, [(p["row"], p["field"]) for p in job.problems]) == (
        "refused",
        [(3, "geld_inwoner")],
    )
    assert not Measurement.objects.exists()
    job = run(quinn, "goed.csv", csv_bytes([good, start_row(other, "123456782")], HEADER_TWO_GOALS))
    assert (job.state, job.imported) == ("done", 2)
    assert MeasurementFact.objects.count() == 2


def test_the_garbage_collector_runs_again_after_an_import(trajectory, quinn):
    """The collector is paused while the file's rows are read and loaded the bulk way,
    and only then: the worker process goes on with it (`wattelt.batch.collector_paused`)."""
    job = run(
        quinn, "historie.csv", csv_bytes([start_row(trajectory, "111222333")], HEADER_TWO_GOALS)
    )
    assert job.state == "done" and gc.isenabled()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ids from sequences: PostgreSQL")
def test_the_ids_drawn_are_the_sequences_consecutive_or_not(quinn, catalogue):
    """The writer takes the ids it draws as a range when they are consecutive, and as
    they came when another writer took some meanwhile (here: a sequence that steps by
    3); either way the next id drawn follows the last one it got."""
    writer = ChunkWriter(quinn.organisation, quinn, catalogue)
    sequence = writer.sequences[Measurement._meta.db_table]
    with connection.cursor() as cursor:
        ids = writer._ids(cursor, Measurement, 5)
        assert ids == list(range(ids[0], ids[0] + 5))
        cursor.execute(f"ALTER SEQUENCE {sequence} INCREMENT BY 3")
        ids = writer._ids(cursor, Measurement, 5)
        assert ids == list(range(ids[0], ids[0] + 15, 3))
        cursor.execute("SELECT nextval(%s)", [sequence])
        assert cursor.fetchone()[0] == ids[-1] + 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ids from sequences: PostgreSQL")
def test_under_the_exclusive_load_the_ids_are_reserved_in_one_step(quinn, catalogue):
    """While the exclusive load holds the tables, the writer moves a sequence past a
    chunk's ids at once: the ids are consecutive and the next one drawn follows them. A
    sequence that does not step by one is drawn from id by id, as before."""
    writer = ChunkWriter(quinn.organisation, quinn, catalogue)
    writer.reserved = True
    sequence = writer.sequences[Measurement._meta.db_table]
    with CaptureQueriesContext(connection) as drawn, connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [sequence])
        last = cursor.fetchone()[0]
        ids = writer._ids(cursor, Measurement, 100_000)
        assert ids == list(range(last + 1, last + 100_001))
        assert "setval" in drawn.captured_queries[-1]["sql"]
        cursor.execute("SELECT nextval(%s)", [sequence])
        assert cursor.fetchone()[0] == ids[-1] + 1
        cursor.execute(f"ALTER SEQUENCE {sequence} INCREMENT BY 3")
        writer = ChunkWriter(quinn.organisation, quinn, catalogue)
        writer.reserved = True
        ids = writer._ids(cursor, Measurement, 5)
        assert ids == list(range(ids[0], ids[0] + 15, 3))
        assert "generate_series" in drawn.captured_queries[-1]["sql"]
