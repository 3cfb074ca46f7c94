"""Publish the monitoring figures: the suppressed cube of every scope and year (cron)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from wattelt.jobs import single_run
from wattelt.monitoring.cube import data_version
from wattelt.monitoring.forms import YEARS_BACK
from wattelt.monitoring.published import (
    all_scopes,
    publish_patiently,
    scope_identity,
    years_to_publish,
)


class Command(BaseCommand):
    help = (
        "Build and store the suppressed monitoring figures of every municipality, "
        "organisation and coach's set of teams, for each year with data; a scope and "
        "year whose data did not change since the last publish is skipped. Run it from "
        "cron (e.g. hourly, and nightly with --force)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Rebuild every scope and year, also when its data did not change "
            "(picks up changes the data version does not see, such as a resident who moved).",
        )

    @single_run("publish_monitoring_figures")
    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        began = time.perf_counter()
        built = skipped = delayed = 0
        all_data = data_version()
        for scope in all_scopes():
            kind, key = scope_identity(scope)
            for year in years_to_publish(scope, today, YEARS_BACK):
                outcome = publish_patiently(
                    scope, year, today, force=options["force"], all_data=all_data
                )
                if outcome.delayed:
                    delayed += 1
                    what = f"DELAYED, database busy ({outcome.delayed}); kept the previous figures"
                elif outcome.built:
                    built += 1
                    what = f"built ({outcome.cells} cells)"
                else:
                    skipped += 1
                    what = "unchanged, skipped"
                self.stdout.write(f"{kind} {key} {year}: {what} in {outcome.seconds:.2f} s")
        self.stdout.write(
            f"published {built}, unchanged {skipped}, delayed {delayed} "
            f"in {time.perf_counter() - began:.1f} s"
        )
        if delayed:
            self.stderr.write(
                f"{delayed} scope-years delayed: the database was busy; the next run "
                "publishes them."
            )
