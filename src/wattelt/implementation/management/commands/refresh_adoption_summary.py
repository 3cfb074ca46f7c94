"""Do the requested whole-organisation refreshes of the adoption summary (cron, every minute)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from wattelt.implementation.adoption import summary
from wattelt.jobs import single_run


class Command(BaseCommand):
    help = (
        "Derive the adoption summary again for every organisation whose follow-up interval "
        "changed (the settings page records the request; the work takes minutes at 1,000,000 "
        "residents, so it is not done in the admin's request). Run it from cron every minute."
    )

    @single_run("refresh_adoption_summary")
    def handle(self, *args: Any, **options: Any) -> None:
        begin = time.perf_counter()
        for organisation_id, trajectories in summary.refresh_requested():
            self.stdout.write(
                f"organisation {organisation_id}: {trajectories} trajectories derived again"
            )
        self.stdout.write(f"refresh_adoption_summary done in {time.perf_counter() - begin:.1f} s")
