"""The demo's API client: a dossier system of the whole demo organisation with every
scope. Its secret is not kept: `manage.py api_client_secret <client id>` makes one."""

from __future__ import annotations

from wattelt.organisations.models import Organisation

from .models import SCOPES, ApiClient
from .services import register_client

DEMO_CLIENT = "Demo dossiersysteem"


def seed(organisation: Organisation) -> None:
    register_client(None, organisation, DEMO_CLIENT, list(SCOPES))


def demo_client_ids() -> list[str]:
    clients = ApiClient.objects.filter(name=DEMO_CLIENT, revoked_at=None)
    return list(clients.values_list("application__client_id", flat=True))
