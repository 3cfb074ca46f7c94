"""Anonymise the files whose retention period has passed. Run daily by a timer:

manage.py apply_retention [--dry-run]
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from wattelt.jobs import single_run
from wattelt.privacy.services import apply_retention, expired_files


class Command(BaseCommand):
    help = (
        "Anonymise residents whose trajectories all closed longer ago than the retention "
        "period. Prints resident numbers and reasons, never names."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be anonymised; change nothing."
        )

    @single_run("apply_retention")
    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        if dry_run:
            cases = expired_files()
            for case in cases:
                self.stdout.write(f"would anonymise resident {case.resident_id}: {case.reason}")
            self.stdout.write(f"{len(cases)} file(s) would be anonymised (dry run).")
            return
        done = apply_retention()
        for case in done:
            self.stdout.write(f"anonymised resident {case.resident_id}: {case.reason}")
        self.stdout.write(f"{len(done)} file(s) anonymised.")
