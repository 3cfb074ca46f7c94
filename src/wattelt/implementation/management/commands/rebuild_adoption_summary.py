"""Derive the adoption summary tables from all data again, set-based."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from wattelt.implementation.adoption import summary


class Command(BaseCommand):
    help = (
        "Rebuild the adoption summary (the adoption page's counts) from the raw data: "
        "one statement per kind of fact and per table."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        begin = time.perf_counter()
        for step, seconds in summary.rebuild().items():
            self.stdout.write(f"{step}: {seconds:.1f} s")
        self.stdout.write(f"adoption summary rebuilt in {time.perf_counter() - begin:.1f} s")
