"""Back up the database, then delete the backups past their retention. Run daily:

manage.py backup_database
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from wattelt.jobs import single_run
from wattelt.operations.backups import BackupError, make_backup, prune_backups


class Command(BaseCommand):
    help = (
        "Bring the erasure register's file copy up to date, dump the PostgreSQL database "
        "into WATTELT_BACKUP_DIR (with a manifest: when, every table's row count) and "
        "delete the dumps older than WATTELT_BACKUP_RETENTION_DAYS."
    )

    @single_run("backup_database")
    def handle(self, *args: Any, **options: Any) -> None:
        try:
            backup = make_backup()
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"backup {backup.dump.name}: {backup.tables} tables, {backup.rows} rows, "
            f"{backup.size / 1e6:.1f} MB in {backup.seconds:.1f} s"
        )
        removed = prune_backups()
        self.stdout.write(
            f"{len(removed)} backup(s) older than {settings.BACKUP_RETENTION_DAYS} days deleted"
        )
