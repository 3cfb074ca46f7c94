"""Register an API client from the command line (the organisation admin's screen does the
same): prints the client id and, once, the secret."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wattelt.api.models import SCOPES
from wattelt.api.services import register_client
from wattelt.organisations.models import Organisation, Team


class Command(BaseCommand):
    help = "Register an API client (OAuth 2.0 client credentials) for an organisation or team."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("organisation", help="The organisation's name.")
        parser.add_argument("name", help="The client's name, e.g. the dossier system's.")
        parser.add_argument("--team", help="Only this team (its name) instead of all teams.")
        parser.add_argument("--scope", action="append", choices=SCOPES, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = Organisation.objects.filter(name=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"No organisation named {options['organisation']!r}.")
        team = None
        if options["team"]:
            team = Team.objects.filter(organisation=organisation, name=options["team"]).first()
            if team is None:
                raise CommandError(f"No team named {options['team']!r} in {organisation}.")
        registered = register_client(None, organisation, options["name"], options["scope"], team)
        self.stdout.write(f"client_id: {registered.client.application.client_id}")
        self.stdout.write(f"client_secret: {registered.secret}  (shown once)")
