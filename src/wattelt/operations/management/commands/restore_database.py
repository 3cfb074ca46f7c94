"""Restore a backup into an empty database, ready to serve (docs/operations.md):

manage.py restore_database /backups/wattelt-20261204T020000Z.dump
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wattelt.operations.backups import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a dump made by backup_database into the (empty) database of DATABASE_URL; "
        "carry out again every erasure of the erasure register made after the backup; "
        "ANALYZE; check readiness. Exits 1 when the database is not ready afterwards."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "dump", type=Path, help="The .dump file (its .json manifest beside it)."
        )
        parser.add_argument("--jobs", type=int, default=2, help="Parallel pg_restore jobs.")

    def handle(self, *args: Any, dump: Path, jobs: int, **options: Any) -> None:
        if not dump.exists() or not dump.with_suffix(".json").exists():
            raise CommandError(f"{dump} or its manifest {dump.with_suffix('.json')} is missing.")
        try:
            restored = restore_backup(dump, jobs=jobs)
        except BackupError as error:
            raise CommandError(str(error)) from error
        erasures = restored.erasures
        self.stdout.write(
            f"restored the backup of {restored.made_at.isoformat()} "
            f"in {restored.restore_seconds:.1f} s"
        )
        self.stdout.write(
            f"erasures: {erasures.recorded_after_backup} recorded after the backup, "
            f"{erasures.reapplied} re-applied, {erasures.already_erased} already in the "
            f"backup, {erasures.not_in_backup} of residents the backup does not hold "
            f"({restored.erasure_seconds:.1f} s)"
        )
        self.stdout.write(f"ANALYZE in {restored.analyze_seconds:.1f} s")
        status = ", ".join(f"{key} {value}" for key, value in restored.readiness.items())
        if not restored.ready:
            raise CommandError(f"not ready: {status}")
        self.stdout.write(f"ready: {status}")
