"""The erasure register outside the database, and the restore that re-applies it: a
backup made before an erasure must not bring the resident back."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from psycopg import sql

from tests.privacy.conftest import (
    BSN,
    FIRST_NAME,
    IDENTIFIERS,
    LAST_NAME,
    _text_columns,
    database_texts_containing,
    years_ago,
)
from tests.privacy.test_erasure import monitoring_facts, register_and_decide
from wattelt.operations.backups import DUMP_PREFIX, TIME_FORMAT, make_backup, prune_backups
from wattelt.privacy import services
from wattelt.privacy.erasure_register import RegisterEntry, copy_to_file, read_file
from wattelt.privacy.models import ErasureRequest
from wattelt.privacy.restore import reapply_erasures
from wattelt.residents import services as residents
from wattelt.residents.models import Resident, Trajectory

ROOT = Path(__file__).resolve().parents[2]


def test_every_erasure_is_written_to_the_register_file_without_personal_data(
    full_file, alice, team, privacy_officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = register_and_decide(full_file, privacy_officer, "granted", reason=FIRST_NAME)
        services.execute_erasure(request, privacy_officer)
        old = residents.register_resident(
            residents.ResidentInput("Oud", "Retentie", years_ago(40), full_file.resident.district),
            alice,
        )
        trajectory = residents.open_trajectory(old, team, alice, years_ago(17))
        residents.close_trajectory(trajectory, alice, "goals_reached", "", ended_on=years_ago(16))
        call_command("apply_retention", stdout=open(os.devnull, "w"))  # noqa: SIM115

    entries = read_file()
    assert [(e.resident_id, e.source) for e in entries] == [
        (full_file.resident_id, "resident"),
        (old.pk, "retention"),
    ]
    assert entries[0].reference == request.reference
    text = Path(settings.ERASURE_REGISTER_FILE).read_text().lower()
    assert not [word for word in (*IDENTIFIERS, "oud", "retentie") if word.lower() in text]


def test_a_restored_older_backup_gets_its_erasures_again(full_file, privacy_officer):
    """The state after restoring a backup made before the erasure: the database still
    names the resident (a request pending in it), the register file lists the erasure."""
    before = monitoring_facts(full_file)
    pending = services.register_erasure_request(full_file.resident, privacy_officer)
    backup_made_at = timezone.now()
    erased_at = backup_made_at + dt.timedelta(hours=3)
    entry = RegisterEntry(
        full_file.resident_id, erased_at, pending.reference, "resident", pending.organisation_id
    )
    Path(settings.ERASURE_REGISTER_FILE).write_text(entry.as_line() + "\n")
    assert database_texts_containing(*IDENTIFIERS)

    outcome = reapply_erasures(backup_made_at)

    assert (outcome.recorded_after_backup, outcome.reapplied) == (1, 1)
    assert database_texts_containing(*IDENTIFIERS) == []
    assert monitoring_facts(full_file) == before  # the anonymous figures stay
    pending.refresh_from_db()
    assert (pending.decision, pending.executed_at) == ("granted", erased_at)
    again = reapply_erasures(backup_made_at)
    assert (again.reapplied, again.already_erased) == (0, 1)


def test_an_erasure_the_backup_knows_nothing_of_is_recorded_under_its_reference(
    trajectory, privacy_officer
):
    erased_at = timezone.now()
    organisation = trajectory.resident.organisation_id
    entries = [
        RegisterEntry(trajectory.resident_id, erased_at, "AVG-0000BEEF", "retention", organisation),
        RegisterEntry(999_999, erased_at, "AVG-0000CAFE", "resident", organisation),  # later
    ]
    Path(settings.ERASURE_REGISTER_FILE).write_text("".join(e.as_line() + "\n" for e in entries))

    outcome = reapply_erasures(erased_at - dt.timedelta(days=1))

    assert (outcome.reapplied, outcome.not_in_backup) == (1, 1)
    recorded = ErasureRequest.objects.get(reference="AVG-0000BEEF")
    assert (recorded.source, recorded.resident_number) == ("retention", trajectory.resident_id)
    assert Resident.objects.get(pk=trajectory.resident_id).bsn == ""


def test_the_backup_copies_erasures_the_file_missed(full_file, privacy_officer):
    """An erasure whose file write failed (disk full) is copied before the next dump."""
    services.execute_erasure(
        register_and_decide(full_file, privacy_officer, "granted"), privacy_officer
    )  # no on_commit in this test's transaction: the file missed it
    assert read_file() == []
    assert copy_to_file() == 1
    assert [e.resident_id for e in read_file()] == [full_file.resident_id]
    assert copy_to_file() == 0


def test_backups_past_the_retention_period_are_deleted(tmp_path, settings):
    settings.BACKUP_RETENTION_DAYS = 35
    now = dt.datetime(2026, 12, 4, 2, 0, tzinfo=dt.UTC)
    for days in (0, 34, 35, 36, 90):
        stamp = (now - dt.timedelta(days=days, minutes=1)).strftime(TIME_FORMAT)
        (tmp_path / f"{DUMP_PREFIX}{stamp}.dump").write_text("dump")
        (tmp_path / f"{DUMP_PREFIX}{stamp}.json").write_text("{}")
    removed = prune_backups(tmp_path, now=now)
    assert len(removed) == 3  # 35 days and a minute, 36, 90
    assert len(list(tmp_path.glob("*.dump"))) == len(list(tmp_path.glob("*.json"))) == 2


@pytest.mark.django_db(transaction=True)
def test_backup_erase_restore_finds_the_resident_nowhere(
    full_file, alice, privacy_officer, tmp_path, settings
):
    """The bounded restore drill (make restore-drill does it at 100,000 residents): back
    up, erase, restore the earlier backup into a fresh database, search every text column."""
    if connection.vendor != "postgresql":
        pytest.skip("backups are pg_dump; the PostgreSQL leg of make test runs this")
    settings.BACKUP_DIR = tmp_path
    residents.close_trajectory(full_file, alice, "other", f"{LAST_NAME} is verhuisd")
    backup = make_backup()
    manifest = json.loads(backup.manifest.read_text())
    assert manifest["tables"]["residents_resident"] == 1
    services.execute_erasure(
        register_and_decide(full_file, privacy_officer, "granted"), privacy_officer
    )
    assert [e.resident_id for e in read_file()] == [full_file.resident_id]

    db = connection.settings_dict
    fresh = f"{db['NAME']}_restored"
    address = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}"
    with psycopg.connect(f"{address}/{db['NAME']}", autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(fresh)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(fresh)))
    try:
        result = subprocess.run(
            [str(ROOT / ".venv/bin/python"), "manage.py", "restore_database", str(backup.dump)],
            cwd=ROOT,
            env={
                **os.environ,
                "WATTELT_DEBUG": "1",
                "DATABASE_URL": f"{address}/{fresh}",
                "WATTELT_ERASURE_REGISTER_FILE": str(settings.ERASURE_REGISTER_FILE),
            },
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stderr
        assert "1 recorded after the backup, 1 re-applied" in result.stdout
        assert "ready: database ok, migrations ok" in result.stdout
        with psycopg.connect(f"{address}/{fresh}") as restored:
            hits = []
            for table, column in _text_columns():
                query = sql.SQL("SELECT count(*) FROM {} WHERE CAST({} AS TEXT) ILIKE ANY(%s)")
                patterns = [f"%{word}%" for word in (FIRST_NAME, LAST_NAME, BSN)]
                row = restored.execute(
                    query.format(sql.Identifier(table), sql.Identifier(column)), [patterns]
                ).fetchone()
                if row and row[0]:
                    hits.append(f"{table}.{column}")
            assert hits == []
            trajectories = restored.execute("SELECT count(*) FROM residents_trajectory")
            assert trajectories.fetchone() == (Trajectory.objects.count(),)
    finally:
        with psycopg.connect(f"{address}/{db['NAME']}", autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(fresh)))
