"""The API permission matrix: every endpoint by the own team's client, the whole
organisation's, another team's, another organisation's, a specialist's with and without
(withdrawn) consent, no token, an expired token and a wrong scope."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from wattelt.audit.models import AccessLog

from .conftest import Caller, World, wrong_scope

OK, NOT_FOUND, FORBIDDEN, NO_AUTH = 200, 404, 403, 401

# Who sees one object of Alice's trajectory: the team in charge, the organisation, and
# the specialist under active consent (which shares every part here).
SEES = {
    "own team": OK,
    "whole organisation": OK,
    "other team": NOT_FOUND,
    "other organisation": NOT_FOUND,
    "specialist with consent": OK,
    "specialist, consent withdrawn": NOT_FOUND,
    "no token": NO_AUTH,
    "expired token": NO_AUTH,
    "wrong scope": FORBIDDEN,
}
READ = "measurements:read"

DETAILS: dict[str, Callable[[World], str]] = {
    "trajecten": lambda w: f"/api/v1/trajecten/{w.trajectory.pk}",
    "inwoners": lambda w: f"/api/v1/inwoners/{w.trajectory.resident_id}",
    "metingen": lambda w: f"/api/v1/metingen/{w.measurement.pk}",
    "doelen": lambda w: f"/api/v1/doelen/{w.goal.pk}",
    "toestemmingen": lambda w: f"/api/v1/toestemmingen/{w.consent.pk}",
    "niet-ingevuld": lambda w: f"/api/v1/niet-ingevuld/{w.not_filled_in.pk}",
}
ID_OF: dict[str, Callable[[World], int]] = {
    "trajecten": lambda w: w.trajectory.pk,
    "inwoners": lambda w: w.trajectory.resident_id,
    "metingen": lambda w: w.measurement.pk,
    "doelen": lambda w: w.goal.pk,
    "toestemmingen": lambda w: w.consent.pk,
    "niet-ingevuld": lambda w: w.not_filled_in.pk,
}


def _callers(world: World, scope: str) -> dict[str, Caller]:
    return {**world.callers, "wrong scope": wrong_scope(world, scope)}


def _mismatches(expected: dict[str, int], got: dict[str, int]) -> dict[str, tuple[int, int]]:
    return {who: (expected[who], got[who]) for who in expected if expected[who] != got[who]}


@pytest.mark.parametrize("resource", list(DETAILS))
def test_one_object(world: World, resource: str) -> None:
    path = DETAILS[resource](world)
    got = {}
    for who, caller in _callers(world, READ).items():
        response = caller.get(path)
        got[who] = response.status_code
        if response.status_code >= 400:
            assert response["Content-Type"] == "application/problem+json", (who, resource)
        assert response["API-Version"] == "1.0.0"
    assert not _mismatches(SEES, got), _mismatches(SEES, got)


@pytest.mark.parametrize("resource", list(DETAILS))
def test_lists_hold_what_may_be_seen(world: World, resource: str) -> None:
    wanted = ID_OF[resource](world)
    for who, caller in _callers(world, READ).items():
        response = caller.get(f"/api/v1/{resource}")
        if SEES[who] in (NO_AUTH, FORBIDDEN):
            assert response.status_code == SEES[who], (who, resource)
            continue
        assert response.status_code == OK, (who, resource, response.content)
        ids = [item["id"] for item in response.json()["results"]]
        assert (wanted in ids) == (SEES[who] == OK), (who, resource, ids)


def test_every_read_is_logged_with_the_client_as_actor(world: World) -> None:
    own = world.callers["own team"]
    assert own.client is not None
    own.get(f"/api/v1/metingen/{world.measurement.pk}")
    stranger = world.callers["other organisation"]
    stranger.get(f"/api/v1/metingen/{world.measurement.pk}")
    read = AccessLog.objects.get(object_type="measurement", outcome="success", action="read")
    assert read.username == own.client.principal.username
    assert read.role == "api_client"
    assert read.organisation_id == own.client.organisation_id
    assert read.resident_id == world.trajectory.resident_id
    refused = AccessLog.objects.get(object_type="measurement", outcome="refused")
    assert stranger.client is not None
    assert refused.username == stranger.client.principal.username
    assert refused.resident_id == world.trajectory.resident_id


def _measurement_body(world: World) -> dict[str, Any]:
    return {
        "traject": world.trajectory.pk,
        "soort": "follow_up",
        "gemetenOp": world.measurement.measured_on.isoformat(),
        "kwaliteitVanLeven": 7,
        "leefgebieden": [{"code": "wonen", "inwoner": 80}],
        "beoordelingen": [{"doel": world.goal.pk, "status": "partly"}],
    }


WRITES = {
    "own team": 201,
    "whole organisation": 201,
    "other team": NOT_FOUND,
    "other organisation": NOT_FOUND,
    "specialist with consent": FORBIDDEN,
    "specialist, consent withdrawn": NOT_FOUND,
    "no token": NO_AUTH,
    "expired token": NO_AUTH,
    "wrong scope": FORBIDDEN,
}


def test_recording_a_measurement(world: World) -> None:
    got = {}
    for n, (who, caller) in enumerate(_callers(world, "measurements:write").items()):
        response = caller.post("/api/v1/metingen", _measurement_body(world), key=f"key-{n}")
        got[who] = response.status_code
    assert not _mismatches(WRITES, got), _mismatches(WRITES, got)


FIGURES = {
    "own team": OK,
    "whole organisation": OK,
    "other team": OK,
    "other organisation": OK,
    "specialist with consent": OK,
    "specialist, consent withdrawn": OK,
    "no token": NO_AUTH,
    "expired token": NO_AUTH,
    "wrong scope": FORBIDDEN,
}


def test_figures_need_their_scope(world: World) -> None:
    """Every client reads the figures of its own scope only (see test_figures)."""
    got = {
        who: caller.get("/api/v1/cijfers").status_code
        for who, caller in _callers(world, "figures:read").items()
    }
    assert not _mismatches(FIGURES, got), _mismatches(FIGURES, got)


def test_domains_need_the_read_scope(world: World) -> None:
    expected = {who: (OK if code in (OK, NOT_FOUND) else code) for who, code in SEES.items()}
    got = {
        who: caller.get("/api/v1/leefgebieden").status_code
        for who, caller in _callers(world, READ).items()
    }
    assert not _mismatches(expected, got), _mismatches(expected, got)
