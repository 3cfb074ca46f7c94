"""Apply the migrations on deploy, one app server at a time:

manage.py deploy_migrate
"""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from wattelt.jobs import job_lock


class Command(BaseCommand):
    help = (
        "Apply the database migrations under a lock: when several app servers start at "
        "once, the others wait until the first is done, then find nothing left to do."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        with job_lock("migrate", wait=True):
            call_command("migrate", interactive=False, verbosity=options["verbosity"])
