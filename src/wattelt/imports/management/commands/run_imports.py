"""Run the waiting imports (cron, every minute)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from wattelt.imports.derived import finish_pending
from wattelt.imports.services import claim_next, requeue_interrupted, run


class Command(BaseCommand):
    help = (
        "Check or import every waiting file of historic measurements, one after another. "
        "State and progress are in the database, so a restart of the app server loses "
        "nothing; a job cut off halfway rolled back and runs again. Run it from cron "
        "every minute; two runs at once take different jobs (PostgreSQL). An import that "
        "committed but whose figures were not yet brought up to date is finished first."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        requeue_interrupted()
        # An import that committed but whose figures were not brought up to date (the
        # process died between the phases): finished first.
        if finished := finish_pending():
            self.stdout.write(f"{finished} imports: figures brought up to date")
        while (job := claim_next()) is not None:
            job = run(job)
            self.stdout.write(
                f"import {job.pk}: {job.state}, {job.imported} imported, "
                f"{len(job.problems)} problems"
            )
