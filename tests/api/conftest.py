"""API clients of each kind around the shared fixtures (Alice's team owns the file):
the own team's, another team's of the same organisation, another organisation's, a
specialist organisation's; tokens made as the token endpoint makes them."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken

from wattelt.api.models import SCOPES, ApiClient
from wattelt.api.services import register_client
from wattelt.organisations.models import Organisation, Team


@dataclass
class Caller:
    client: ApiClient | None
    token: str

    def headers(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str, **query: Any) -> Any:
        return Client().get(path, query, **self.headers())

    def post(self, path: str, body: object, key: str | None = None, **extra: Any) -> Any:
        headers = self.headers()
        if key is not None:
            headers["HTTP_IDEMPOTENCY_KEY"] = key
        return Client().post(path, body, content_type="application/json", **headers, **extra)


def token_for(
    client: ApiClient, scopes: list[str] | None = None, expires_in: int = 600
) -> str:
    value = secrets.token_urlsafe(30)
    AccessToken.objects.create(
        application=client.application,
        token=value,
        expires=timezone.now() + dt.timedelta(seconds=expires_in),
        scope=" ".join(scopes if scopes is not None else client.scope_list),
    )
    return value


def caller(
    organisation: Organisation,
    team: Team | None = None,
    scopes: tuple[str, ...] = SCOPES,
    name: str = "Dossiersysteem",
) -> Caller:
    client = register_client(None, organisation, name, list(scopes), team).client
    return Caller(client, token_for(client))


@pytest.fixture
def own(organisation: Organisation, team: Team, alice: Any) -> Caller:
    """The client of Alice's team, every scope."""
    return caller(organisation, team)


@pytest.fixture
def whole_organisation(organisation: Organisation, alice: Any) -> Caller:
    return caller(organisation, None, name="Organisatiebreed")
