"""The derived phase of an import (`imports.derived`): the figures are brought up to date
after the file commits, as a phase of its own that survives the process dying between
the phases, gives what the import used to write in one go, and can run twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from tests.conftest import client_for
from tests.imports.files import csv_bytes
from tests.imports.test_bulk import HEADER_TWO_GOALS, start_row, twin
from tests.imports.test_import import run
from tests.imports.test_loading import summary_rows
from wattelt.implementation.adoption import summary as adoption
from wattelt.implementation.models import AdoptionDay, AdoptionFact, AdoptionMonth
from wattelt.imports import derived, services
from wattelt.imports.loading import LOADED_TABLES
from wattelt.imports.models import ImportJob
from wattelt.instrument import services as instrument
from wattelt.instrument.models import ChosenDomain, Measurement, NotFilledIn
from wattelt.instrument.schedule import next_due_on, refresh_due_date
from wattelt.monitoring import changes, summary
from wattelt.monitoring.models import FigureChange, MeasurementFact, TrajectorySummary
from wattelt.residents.models import Trajectory


class Died(Exception):
    """The worker process dying right after the import committed."""


def cut_off_after_the_commit(monkeypatch: pytest.MonkeyPatch) -> None:
    def die(job: ImportJob) -> ImportJob:
        raise Died

    monkeypatch.setattr(derived, "finish", die)


def import_cut_off(quinn: Any, content: bytes, monkeypatch: pytest.MonkeyPatch) -> ImportJob:
    job = services.submit(quinn.organisation, quinn, "historie.csv", content, dry_run=False)
    claimed = services.claim_next()
    assert claimed is not None and claimed.pk == job.pk
    cut_off_after_the_commit(monkeypatch)
    with pytest.raises(Died):
        services.run(claimed)
    monkeypatch.undo()
    job.refresh_from_db()
    return job


def finish_failing_in_the_figures(job: ImportJob, monkeypatch: pytest.MonkeyPatch) -> None:
    """`derived.finish` with its figures' step (the change log's `reach`) broken."""

    def broken() -> Any:
        raise Died

    monkeypatch.setattr(derived, "reach", broken)
    with pytest.raises(Died):
        derived.finish(job)
    monkeypatch.undo()


def not_validated_keys() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE contype = 'f' AND NOT convalidated "
            "AND conrelid = ANY(%s::regclass[])",
            [LOADED_TABLES],
        )
        return [row[0] for row in cursor.fetchall()]


def test_an_import_cut_off_between_the_phases_is_finished_by_the_next_run(
    trajectory, quinn, alice, monkeypatch
):
    """The measurements are committed with the pending marker; the figures still say
    "no measurement" until the next `run_imports` brings them up to date: then they,
    the change log and the job are what an uninterrupted import leaves."""
    other = twin(trajectory, "123456782")
    skipped = instrument.record_not_filled_in(other, alice, "follow_up", "crisis")
    NotFilledIn.objects.filter(pk=skipped.pk).update(
        recorded_on=other.started_on - dt.timedelta(days=400)
    )
    rows = [start_row(trajectory, "111222333"), start_row(other, "123456782")]
    FigureChange.objects.all().delete()
    job = import_cut_off(quinn, csv_bytes(rows, HEADER_TWO_GOALS), monkeypatch)

    assert (job.state, job.imported, job.content) == ("deriving", 2, b"")
    assert job.busy and Measurement.objects.filter(status="confirmed").count() == 2
    assert job.derive_from is not None and job.derive_to is not None
    assert not MeasurementFact.objects.exists()
    assert set(TrajectorySummary.objects.values_list("measurements", flat=True)) == {0}
    assert not FigureChange.objects.exists()  # nothing to republish before the figures

    call_command("run_imports", stdout=open("/dev/null", "w"))  # noqa: SIM115
    job.refresh_from_db()
    assert (job.state, job.imported, job.derive_from) == ("done", 2, None)
    finished = summary_rows()
    assert len(finished["MeasurementFact"]) == 2 and len(finished["ChipFact"]) == 4
    recorded = set(FigureChange.objects.values_list("kind", "scope_key", "year", "part"))
    assert recorded == changes.touched([trajectory.pk, other.pk])
    summary.rebuild()
    assert summary_rows() == finished


def test_the_derived_phase_can_run_twice(trajectory, quinn, monkeypatch):
    """Restartable: run again over rows it already derived (a process that died after
    the summary but before the marker was cleared rolls back, but even a second run
    over committed figures gives the same rows)."""
    job = import_cut_off(
        quinn, csv_bytes([start_row(trajectory, "111222333")], HEADER_TWO_GOALS), monkeypatch
    )
    marker = (job.derive_from, job.derive_to)
    assert derived.finish(job).state == "done"
    once = summary_rows()
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJob.State.DERIVING, derive_from=marker[0], derive_to=marker[1]
    )
    assert derived.finish_pending() == 1
    assert summary_rows() == once
    assert derived.finish(job).state == "done"  # not DERIVING: left as it is
    assert summary_rows() == once


def test_a_failing_derived_phase_leaves_the_marker(trajectory, quinn, monkeypatch):
    """The figures and the cleared marker commit together or not at all."""
    job = import_cut_off(
        quinn, csv_bytes([start_row(trajectory, "111222333")], HEADER_TWO_GOALS), monkeypatch
    )
    finish_failing_in_the_figures(job, monkeypatch)
    job.refresh_from_db()
    assert job.state == "deriving" and not MeasurementFact.objects.exists()
    assert derived.finish_pending() == 1
    assert MeasurementFact.objects.count() == 1


def test_due_dates_follow_in_a_step_of_their_own_before_the_figures(
    trajectory, quinn, alice, monkeypatch
):
    """The trajectories' due dates and last activity are derived after the commit by the
    board's rule over what is committed (the later of the imported measurement and a
    record of one not filled in), in a transaction of their own before the figures': a
    failing figures step leaves them right."""
    other = twin(trajectory, "123456782")
    skipped = instrument.record_not_filled_in(other, alice, "follow_up", "crisis")
    later = other.started_on + dt.timedelta(days=50)  # after the imported measurement
    NotFilledIn.objects.filter(pk=skipped.pk).update(recorded_on=later)
    rows = [start_row(trajectory, "111222333"), start_row(other, "123456782")]
    job = import_cut_off(quinn, csv_bytes(rows, HEADER_TWO_GOALS), monkeypatch)
    listed = Trajectory.objects.filter(pk__in=[trajectory.pk, other.pk]).order_by("pk")
    before = list(listed.values_list("measurement_due_on", "last_activity_at"))
    finish_failing_in_the_figures(job, monkeypatch)
    assert not MeasurementFact.objects.exists()  # the figures rolled back
    after = list(listed.values_list("measurement_due_on", "last_activity_at"))
    for t, (due_before, active_before), (due, active) in zip(listed, before, after, strict=True):
        measured_on = Measurement.objects.get(trajectory=t).measured_on
        done = [measured_on, later] if t.pk == other.pk else [measured_on]
        assert due == next_due_on(quinn.organisation, t.started_on, done) != due_before
        assert active > active_before
        refresh_due_date(t)  # the board's rule for one trajectory agrees
        assert t.measurement_due_on == due
    assert next_due_on(quinn.organisation, other.started_on, [later]) == after[1][0]


def test_the_screen_shows_the_figures_being_updated(trajectory, quinn, monkeypatch):
    job = import_cut_off(
        quinn, csv_bytes([start_row(trajectory, "111222333")], HEADER_TWO_GOALS), monkeypatch
    )
    page = client_for(quinn).get(f"/organisatie/import/{job.pk}/").content.decode()
    assert "cijfers bijwerken" in page.lower() and "data-busy" in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the exclusive load is PostgreSQL's")
def test_the_keys_come_back_not_valid_and_are_validated_after(
    trajectory, quinn, settings, monkeypatch
):
    """Between the phases the foreign keys of the loaded tables are `NOT VALID`: still
    enforced for every new row; the derived phase validates them."""
    settings.IMPORT_EXCLUSIVE_ROWS = 1
    job = import_cut_off(
        quinn, csv_bytes([start_row(trajectory, "111222333")], HEADER_TWO_GOALS), monkeypatch
    )
    assert job.state == "deriving"
    pending = not_validated_keys()
    assert "instrument_chosendomain" in " ".join(LOADED_TABLES) and len(pending) >= 9
    choice = ChosenDomain.objects.first()
    assert choice is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        ChosenDomain.objects.filter(pk=choice.pk).update(measurement_id=10**12)
        connection.check_constraints()
    call_command("run_imports", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not_validated_keys() == []
    job.refresh_from_db()
    assert job.state == "done"


def adoption_rows() -> dict[str, list[tuple[Any, ...]]]:
    return {
        model.__name__: sorted(
            model.objects.values_list(*[f.attname for f in model._meta.fields if f.name != "id"])
        )
        for model in (AdoptionFact, AdoptionDay, AdoptionMonth)
    }


def test_the_adoption_summary_is_what_a_rebuild_derives(trajectory, quinn):
    """The derived phase tells the adoption summary about the loaded trajectories as a
    queryset (one pass): its facts and sums are those a rebuild derives."""
    other = twin(trajectory, "123456782")
    rows = [start_row(trajectory, "111222333"), start_row(other, "123456782")]
    job = run(quinn, "historie.csv", csv_bytes(rows, HEADER_TWO_GOALS))
    assert (job.state, job.imported) == ("done", 2)
    loaded = adoption_rows()
    assert loaded["AdoptionFact"]
    adoption.rebuild()
    assert adoption_rows() == loaded
