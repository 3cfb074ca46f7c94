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

    def headers(self) -> dict[str, Any]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str, **query: Any) -> Any:
        return Client().get(path, query, **self.headers())

    def post(self, path: str, body: object, key: str | None = None, **extra: Any) -> Any:
        headers: dict[str, Any] = self.headers()
        if key is not None:
            headers["HTTP_IDEMPOTENCY_KEY"] = key
        return Client().post(path, body, content_type="application/json", **headers, **extra)


def token_for(client: ApiClient, scopes: list[str] | None = None, expires_in: int = 600) -> str:
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


@dataclass
class World:
    """One trajectory of Alice's team with a confirmed measurement (and its goal), a
    record not filled in and two consents, and a client of every kind."""

    trajectory: Any
    measurement: Any
    goal: Any
    not_filled_in: Any
    consent: Any
    callers: dict[str, Caller]


def _organisation_with_member(municipality: Any, name: str) -> tuple[Organisation, Team]:
    from tests.conftest import make_staff
    from wattelt.organisations.models import Membership

    other = Organisation.objects.create(municipality=municipality, name=name)
    other_team = Team.objects.create(organisation=other, name=f"Team {name}")
    make_staff(f"prof-{other.pk}", other, other_team, Membership.Role.PROFESSIONAL)
    return other, other_team


@pytest.fixture
def world(
    organisation: Organisation, team: Team, alice: Any, trajectory: Any, municipality: Any
) -> World:
    from tests.conftest import make_staff
    from wattelt.instrument import services as instrument
    from wattelt.organisations.models import Membership
    from wattelt.residents import services as residents

    measurement = confirmed_with_goal(trajectory, alice)
    not_filled_in = instrument.record_not_filled_in(trajectory, alice, "follow_up", "crisis")
    specialist, _team = _organisation_with_member(municipality, "Specialist")
    former, _team = _organisation_with_member(municipality, "Voormalig")
    stranger, _stranger_team = _organisation_with_member(municipality, "Elders")
    other_team = Team.objects.create(organisation=organisation, name="Team Zuid")
    make_staff("zuid", organisation, other_team, Membership.Role.PROFESSIONAL)

    def consent_to(to: Organisation) -> Any:
        return residents.record_consent(
            trajectory,
            alice,
            residents.ConsentInput(
                organisation=to,
                share_plan=True,
                share_goals=True,
                share_measurements=True,
                valid_from=timezone.localdate() - dt.timedelta(days=10),
            ),
        )

    consent = consent_to(specialist)
    residents.withdraw_consent(consent_to(former), alice)
    own_client = caller(organisation, team, name="Eigen team")
    assert own_client.client is not None
    callers = {
        "own team": own_client,
        "whole organisation": caller(organisation, None, name="Hele organisatie"),
        "other team": caller(organisation, other_team, name="Ander team"),
        "other organisation": caller(stranger, None, name="Andere organisatie"),
        "specialist with consent": caller(specialist, None, name="Specialist"),
        "specialist, consent withdrawn": caller(former, None, name="Voormalig"),
        "no token": Caller(None, ""),
        "expired token": Caller(own_client.client, token_for(own_client.client, expires_in=-1)),
    }
    goal = measurement.goals.get()
    return World(trajectory, measurement, goal, not_filled_in, consent, callers)


def confirmed_with_goal(trajectory: Any, by: Any) -> Any:
    from tests.conftest import confirmed_measurement

    return confirmed_measurement(trajectory, by)


def wrong_scope(world: World, needed: str) -> Caller:
    """The own team's client with a token for every scope but the one needed."""
    client = world.callers["own team"].client
    assert client is not None
    return Caller(client, token_for(client, [s for s in SCOPES if s != needed]))
