"""Give an API client a new secret and print it once (the old one stops working). For
the demo client: `manage.py api_client_secret <client_id>`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wattelt.api.models import ApiClient
from wattelt.api.services import new_secret


class Command(BaseCommand):
    help = "Give an API client a new secret and print it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("client_id")

    def handle(self, *args: Any, **options: Any) -> None:
        client = ApiClient.objects.filter(
            application__client_id=options["client_id"], revoked_at=None
        ).first()
        if client is None:
            raise CommandError("No active API client with that client id.")
        self.stdout.write(f"client_secret: {new_secret(client)}  (shown once)")
