"""Backups of the PostgreSQL database and their restore (docs/operations.md).

A backup is a pg_dump in the custom format, `wattelt-<UTC time>.dump`, with a manifest
beside it (`.json`: when the dump's snapshot was taken, the database, every table's row
count). Before each dump the erasure register's file copy is brought up to date. Dumps
older than the retention period (settings.BACKUP_RETENTION_DAYS) are deleted, so erased
data leaves the backups within a known time.

A restore goes into an empty database (a fresh cluster): pg_restore, then every erasure
the register file lists and the backup lacks is carried out again, then ANALYZE (a
restored database has no planner statistics: the first pages would be slow), then the
readiness check. Only then may the app serve from it.
"""

from __future__ import annotations

import datetime as dt
import glob
import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from wattelt.health import readiness
from wattelt.privacy.erasure_register import copy_to_file
from wattelt.privacy.restore import Reapplied, reapply_erasures

DUMP_PREFIX = "wattelt-"
TIME_FORMAT = "%Y%m%dT%H%M%SZ"


class BackupError(Exception):
    pass


def pg_program(name: str) -> str:
    """pg_dump, pg_restore: on the PATH, else the newest of Debian's server packages."""
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if found is None:
        raise BackupError(f"{name} not found: install the PostgreSQL client (postgresql-client).")
    return found


def _libpq_environment(alias: str) -> dict[str, str]:
    """The connection settings for pg_dump/pg_restore/psql, without a password on the
    command line (where every user of the machine could read it)."""
    db = connections[alias].settings_dict
    if connections[alias].vendor != "postgresql":
        raise BackupError(
            "Backups are made of PostgreSQL (DATABASE_URL); a SQLite file is copied "
            "while the app is stopped, with its -wal file if there is one."
        )
    values = {
        "PGDATABASE": db["NAME"],
        "PGUSER": db.get("USER") or "",
        "PGPASSWORD": db.get("PASSWORD") or "",
        "PGHOST": db.get("HOST") or "",
        "PGPORT": str(db.get("PORT") or ""),
    }
    return {**os.environ, **{key: str(value) for key, value in values.items() if value}}


def _run(command: list[str], alias: str) -> None:
    result = subprocess.run(
        command, env=_libpq_environment(alias), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()}")


def row_counts(alias: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    with connections[alias].cursor() as cursor:
        tables = connections[alias].introspection.table_names(cursor)
        counts = {}
        for table in sorted(tables):
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # names from the catalogue
            counts[table] = cursor.fetchone()[0]
    return counts


@dataclass(frozen=True)
class Backup:
    dump: Path
    made_at: dt.datetime
    seconds: float
    size: int
    tables: int
    rows: int

    @property
    def manifest(self) -> Path:
        return self.dump.with_suffix(".json")


def made_at_of(dump: Path) -> dt.datetime:
    """When the backup's snapshot was taken, from its manifest."""
    manifest = json.loads(dump.with_suffix(".json").read_text(encoding="utf-8"))
    return dt.datetime.fromisoformat(manifest["made_at"])


def make_backup(folder: Path | None = None, alias: str = DEFAULT_DB_ALIAS) -> Backup:
    """Dump the database into the backup folder, with its manifest."""
    folder = folder or Path(settings.BACKUP_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    copy_to_file()
    # Taken before the dump starts: an erasure committed while it runs may miss the
    # dump's snapshot, so it counts as after the backup and is re-applied on restore.
    made_at = timezone.now()
    dump = folder / f"{DUMP_PREFIX}{made_at.astimezone(dt.UTC).strftime(TIME_FORMAT)}.dump"
    counts = row_counts(alias)
    began = time.perf_counter()
    _run([pg_program("pg_dump"), "--format=custom", "--compress=6", f"--file={dump}"], alias)
    seconds = time.perf_counter() - began
    backup = Backup(dump, made_at, seconds, dump.stat().st_size, len(counts), sum(counts.values()))
    backup.manifest.write_text(
        json.dumps(
            {
                "made_at": made_at.isoformat(),
                "database": connections[alias].settings_dict["NAME"],
                "seconds": round(seconds, 1),
                "tables": counts,
            },
            indent=1,
        ),
        encoding="utf-8",
    )
    return backup


def prune_backups(folder: Path | None = None, now: dt.datetime | None = None) -> list[Path]:
    """Delete the dumps (and manifests) older than the retention period."""
    folder = folder or Path(settings.BACKUP_DIR)
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.BACKUP_RETENTION_DAYS)
    removed = []
    for dump in sorted(folder.glob(f"{DUMP_PREFIX}*.dump")):
        stamp = dt.datetime.strptime(dump.stem.removeprefix(DUMP_PREFIX), TIME_FORMAT)
        if stamp.replace(tzinfo=dt.UTC) < cutoff:
            dump.unlink()
            dump.with_suffix(".json").unlink(missing_ok=True)
            removed.append(dump)
    return removed


@dataclass(frozen=True)
class Restored:
    made_at: dt.datetime
    restore_seconds: float
    erasures: Reapplied
    erasure_seconds: float
    analyze_seconds: float
    ready: bool
    readiness: dict[str, str]


def _is_empty(alias: str) -> bool:
    with connections[alias].cursor() as cursor:
        return not connections[alias].introspection.table_names(cursor)


def restore_backup(dump: Path, alias: str = DEFAULT_DB_ALIAS, jobs: int = 2) -> Restored:
    """Restore a dump into the (empty) database, re-apply the erasures made after it,
    ANALYZE, and check readiness."""
    made_at = made_at_of(dump)
    if not _is_empty(alias):
        raise BackupError(
            "The database is not empty: restore into a fresh database (docs/operations.md)."
        )
    connections[alias].close()
    began = time.perf_counter()
    database = connections[alias].settings_dict["NAME"]
    restore = [pg_program("pg_restore"), "--no-owner", f"--jobs={jobs}", "--exit-on-error"]
    _run([*restore, f"--dbname={database}", str(dump)], alias)
    restore_seconds = time.perf_counter() - began
    began = time.perf_counter()
    erasures = reapply_erasures(made_at)
    erasure_seconds = time.perf_counter() - began
    began = time.perf_counter()
    with connections[alias].cursor() as cursor:
        cursor.execute("ANALYZE")
    analyze_seconds = time.perf_counter() - began
    ready, checks = readiness(alias)
    return Restored(
        made_at, restore_seconds, erasures, erasure_seconds, analyze_seconds, ready, checks
    )
