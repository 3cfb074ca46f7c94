"""Publish the monitoring figures: the suppressed cube of every scope and year (cron)."""

from __future__ import annotations

import datetime as dt
import gc
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import OperationalError
from django.utils import timezone

from wattelt.batch import collector_paused
from wattelt.jobs import single_run
from wattelt.monitoring import fragments
from wattelt.monitoring.changes import Pending, pending
from wattelt.monitoring.cube import DistrictParts, Scope
from wattelt.monitoring.forms import YEARS_BACK
from wattelt.monitoring.published import (
    Outcome,
    StoredStates,
    districts_to_ask,
    is_busy,
    publish_patiently,
    publish_plan,
    scope_identity,
    stored_states,
    tidy_change_log,
)


class Command(BaseCommand):
    help = (
        "Build and store the suppressed monitoring figures of every municipality, "
        "organisation and coach's set of teams, for each year with data; a scope and "
        "year with nothing in the change log since the last publish is skipped (that "
        "check takes milliseconds). Run it from cron every 10 minutes (docs/operations.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Rebuild every scope and year, also when the change log names no change "
            "(after changing teams, districts or coaches, or a database restored by hand).",
        )

    @single_run("publish_monitoring_figures")
    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        began = time.perf_counter()
        built = skipped = delayed = 0
        changes, states = pending(), stored_states()
        plan = publish_plan(today, YEARS_BACK, changes, force=options["force"], states=states)
        # The districts the builds ask for again, asked for once for all of them.
        district_parts = DistrictParts()
        for scope, year in plan:
            again = districts_to_ask(scope, year, today, changes, states, options["force"])
            if again:
                district_parts.expect(scope, year, again)
        # A build's cycles are collected after it, not while it runs: each automatic
        # collection would walk the linked table and the previous publish again (~10%
        # of a scope's suppression at 1M residents).
        with collector_paused():
            for scope, year in plan:
                outcome, what = self._publish(
                    scope, year, today, options["force"], changes, states, district_parts
                )
                if outcome.delayed:
                    delayed += 1
                elif outcome.built:
                    built += 1
                else:
                    skipped += 1
                if outcome.delayed or outcome.built or outcome.unchanged:
                    # Also after a delay: a busy error's traceback holds the attempt's
                    # frames (its linked table and audit) in a cycle.
                    gc.collect()
                kind, key = scope_identity(scope)
                self.stdout.write(f"{kind} {key} {year}: {what} in {outcome.seconds:.2f} s")
        tidy_change_log(changes, plan)
        self.stdout.write(
            f"published {built}, unchanged {skipped}, delayed {delayed}; "
            f"{district_parts.shared} district part(s) asked for with another scope "
            f"in {time.perf_counter() - began:.1f} s"
        )
        if delayed:
            self.stderr.write(
                f"{delayed} scope-years delayed: the database was busy; the next run "
                "publishes them."
            )

    def _publish(
        self,
        scope: Scope,
        year: int,
        today: dt.date,
        force: bool,
        changes: Pending,
        states: StoredStates,
        district_parts: DistrictParts,
    ) -> tuple[Outcome, str]:
        """One scope-year published (or kept, or delayed) and what the run says of it."""
        outcome = publish_patiently(
            scope, year, today, force, changes, states=states, district_parts=district_parts
        )
        if outcome.delayed:
            return outcome, f"DELAYED ({outcome.delayed}); kept the previous figures"
        if outcome.built:
            asked = (
                "every district"
                if outcome.parts is None
                else f"{len(outcome.parts)} district(s) asked again"
            )
            warming = time.perf_counter()
            try:
                warmed = fragments.warm(scope, year, today)
                rendered = f"{warmed.stored} dashboard selections ({warmed.rendered} new)"
            except OperationalError as error:
                if not is_busy(error):
                    raise
                # The cube is published; its first view renders the figures.
                rendered = "no dashboard selections (database busy)"
            return outcome, (
                f"built ({outcome.cells} cells; {asked}; queries {outcome.query_seconds:.2f} s;"
                f" {rendered} rendered in {time.perf_counter() - warming:.2f} s)"
            )
        if outcome.unchanged:
            return outcome, (
                f"figures unchanged ({len(outcome.parts or ())} district(s) asked "
                f"again; queries {outcome.query_seconds:.2f} s), kept"
            )
        return outcome, "unchanged, skipped"
