"""Mail each professional their due, overdue and start-missing trajectories, once a day.
Run daily by a timer:

manage.py send_reminder_digest
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from wattelt.implementation.services import send_reminder_digest
from wattelt.jobs import single_run


class Command(BaseCommand):
    help = (
        "E-mail every professional with trajectories whose measurement is due, overdue or "
        "whose start measurement is missing: first name and links only, no resident data. "
        "At most one mail per professional per day, however often it runs."
    )

    @single_run("send_reminder_digest")
    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.SITE_URL:
            raise CommandError("Set WATTELT_SITE_URL: the links in the mail need it.")
        result = send_reminder_digest()
        self.stdout.write(
            f"{result.sent} digest(s) sent, {result.already_sent} already sent today, "
            f"{result.without_email} professional(s) without an e-mail address, "
            f"{result.failed} failed."
        )
        if result.failed:
            raise CommandError(f"{result.failed} digest(s) could not be sent; see the log.")
