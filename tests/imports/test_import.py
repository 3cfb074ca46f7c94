"""A file of historic measurements: a dry run lists every problem by row and column in
Dutch and saves nothing; a real run saves the whole file or nothing, through the same
rules as the board."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction

from tests.conftest import staff_with_role
from tests.imports.files import csv_bytes, rows_for, xlsx_bytes
from wattelt.audit.models import AccessLog
from wattelt.imports import services
from wattelt.imports.models import ImportJob
from wattelt.instrument.models import Measurement
from wattelt.monitoring.models import MeasurementFact
from wattelt.organisations.models import Role


def run(quinn, name: str, content: bytes, dry_run: bool = False) -> ImportJob:
    job = services.submit(quinn.organisation, quinn, name, content, dry_run)
    call_command("run_imports", stdout=open("/dev/null", "w"))  # noqa: SIM115
    job.refresh_from_db()
    return job


def problems(job: ImportJob) -> list[tuple[int, str]]:
    return [(p["row"], p["field"]) for p in job.problems]


def test_a_clean_file_is_imported_as_confirmed_measurements(trajectory, quinn):
    job = run(quinn, "historie.csv", csv_bytes(rows_for(trajectory)))
    assert (job.state, job.imported, job.problems) == ("done", 2, [])
    assert bytes(job.content) == b""  # the file with its BSNs is not kept
    start, follow_up = Measurement.objects.filter(trajectory=trajectory).order_by("measured_on")
    assert (start.kind, start.status, start.quality_of_life) == ("start", "confirmed", 5)
    assert follow_up.kind == "follow_up"
    chips = {
        c.domain.key: (c.resident_chip, c.professional_chip, c.prioritised)
        for c in start.choices.all()
    }
    assert chips == {"wonen": (40, 55, False), "geld": (20, None, True)}
    goal = start.goals.get()
    assert goal.own_words == "Ik wil mijn schulden op een rij"
    assert goal.status == "partly"
    # Each imported measurement is in the access log, with the importer as actor.
    logged = AccessLog.objects.filter(action="create", object_type="measurement")
    assert sorted(logged.values_list("object_id", "username", "resident_id")) == [
        (str(m.pk), "quinn", trajectory.resident_id) for m in (start, follow_up)
    ]
    # The monitoring summary follows the import as it follows the board.
    assert MeasurementFact.objects.filter(trajectory_id=trajectory.pk).count() == 2


def test_the_same_file_as_xlsx(trajectory, quinn):
    job = run(quinn, "historie.xlsx", xlsx_bytes(rows_for(trajectory)))
    assert (job.state, job.imported) == ("done", 2)


def test_a_dry_run_saves_nothing(trajectory, quinn):
    job = run(quinn, "historie.csv", csv_bytes(rows_for(trajectory)), dry_run=True)
    assert (job.state, job.problems) == ("checked", [])
    assert not Measurement.objects.exists()


def test_every_problem_is_named_by_row_and_column_in_dutch(trajectory, quinn):
    good, follow_up = rows_for(trajectory)
    bad_chip = [*good[:5], "140", *good[6:]]
    bad_grade_and_date = [*good[:2], "31-02-2020", good[3], "11", *good[5:]]
    no_words = [*good[:9], "", "geld", ""]
    unknown_bsn = ["999999999", *good[1:]]
    job = run(
        quinn,
        "fouten.csv",
        csv_bytes([bad_chip, bad_grade_and_date, no_words, unknown_bsn, good, follow_up]),
        dry_run=True,
    )
    assert job.state == "refused"
    found = problems(job)
    assert (2, "wonen_inwoner") in found
    assert (3, "datum") in found and (3, "cijfer") in found
    assert (4, "doel_1") in found
    assert (5, "bsn") in found
    assert not [p for p in found if p[0] in (6, 7)]  # the good rows
    messages = " ".join(p["message"] for p in job.problems)
    assert "tussen 0 en 100" in messages
    assert "niet 11" in messages
    assert "eigen woorden" in messages
    assert not Measurement.objects.exists()


def test_a_real_run_with_one_bad_row_saves_nothing(trajectory, quinn):
    good, follow_up = rows_for(trajectory)
    bad = [*follow_up[:4], "0", *follow_up[5:]]
    job = run(quinn, "historie.csv", csv_bytes([good, bad]))
    assert job.state == "refused"
    assert problems(job) == [(3, "cijfer")]
    assert job.imported == 0
    assert not Measurement.objects.exists()
    assert not MeasurementFact.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (csv_bytes([["111222333", "é"]], encoding="latin-1"), "oud.csv", "geen UTF-8"),
        (csv_bytes([], header=["naam", "datum"]), "kolommen.csv", "kolommen kloppen niet"),
        (csv_bytes([["=HYPERLINK(1)", *[""] * 11]]), "formule.csv", "formule"),
        (b"PK\x03\x04 kapot", "kapot.xlsx", "geen leesbare XLSX"),
        (b"{}", "data.json", ".csv- of .xlsx"),
    ],
)
def test_a_malformed_file_gets_a_clear_dutch_message(trajectory, quinn, content, name, expected):
    job = run(quinn, name, content, dry_run=True)
    assert job.state == "refused"
    assert problems(job) == [(1, "bestand")]
    assert expected in job.problems[0]["message"]


def test_a_formula_in_an_xlsx_cell_is_refused(trajectory, quinn):
    good, _follow_up = rows_for(trajectory)
    job = run(quinn, "formule.xlsx", xlsx_bytes([[*good[:4], "=1+4", *good[5:]]]))
    assert "E2" in job.problems[0]["message"]


def test_a_huge_file_is_refused_before_reading(trajectory, quinn, monkeypatch):
    monkeypatch.setattr("wattelt.imports.reading.MAX_BYTES", 1000)
    job = run(quinn, "groot.csv", csv_bytes(rows_for(trajectory) * 20))
    assert "groter dan" in job.problems[0]["message"]


def test_residents_of_another_organisation_are_not_found(trajectory, charlie):
    """The file reaches only the importer's own organisation's residents."""
    elsewhere = staff_with_role("quinn2", charlie.organisation, Role.Name.QUALITY_OFFICER)
    job = run(elsewhere, "historie.csv", csv_bytes(rows_for(trajectory)))
    assert job.state == "refused"
    assert {p["field"] for p in job.problems} == {"bsn"}
    assert not Measurement.objects.exists()


def test_an_interrupted_job_runs_again(trajectory, quinn):
    job = services.submit(
        quinn.organisation, quinn, "historie.csv", csv_bytes(rows_for(trajectory)), False
    )
    ImportJob.objects.filter(pk=job.pk).update(
        state="running", started_at=job.created_at - dt.timedelta(hours=3)
    )
    call_command("run_imports", stdout=open("/dev/null", "w"))  # noqa: SIM115
    job.refresh_from_db()
    assert (job.state, job.imported) == ("done", 2)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="progress during the run needs PostgreSQL"
)
def test_progress_is_visible_while_the_files_transaction_is_open(trajectory, quinn):
    job = services.submit(quinn.organisation, quinn, "historie.csv", b"", False)
    with transaction.atomic():
        services._progress(job, 150)
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute(
                    f"SELECT rows_done FROM {ImportJob._meta.db_table} WHERE id = %s", [job.pk]
                )
                assert cursor.fetchone()[0] == 150
        finally:
            other.close()
