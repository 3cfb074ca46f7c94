"""Deliver the notifications in the outbox (cron, every minute)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from wattelt.jobs import single_run
from wattelt.notifications.delivery import deliver_due


class Command(BaseCommand):
    help = (
        "Send every pending notification that is due, signed; a failed one is tried again "
        "later with a growing wait, for 24 hours. Idempotent and safe to run twice at once "
        "on PostgreSQL. Run it from cron every minute."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=1000, help="At most this many tries.")

    @single_run("deliver_notifications")
    def handle(self, *args: Any, **options: Any) -> None:
        outcome = deliver_due(limit=options["limit"])
        self.stdout.write(
            f"delivered {outcome.delivered}, to retry {outcome.retried}, failed {outcome.failed}"
        )
