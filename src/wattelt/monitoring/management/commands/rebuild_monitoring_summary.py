"""Derive the monitoring summary tables from all data again, set-based."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from wattelt.monitoring import summary


class Command(BaseCommand):
    help = "Rebuild the monitoring summary tables from the raw data (one statement per table)."

    def handle(self, *args: Any, **options: Any) -> None:
        begin = time.perf_counter()
        timings = summary.rebuild()
        for table, seconds in timings.items():
            self.stdout.write(f"{table}: {seconds:.1f} s")
        self.stdout.write(f"monitoring summary rebuilt in {time.perf_counter() - begin:.1f} s")
