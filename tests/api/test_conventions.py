"""The NL API Design Rules as a client meets them: no trailing slash, API-Version on
every response, problem+json for every error, the OpenAPI document as committed,
date-times in UTC, paginated lists with links."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.test import Client

from .conftest import Caller, World

ROOT = Path(settings.BASE_DIR).parent.parent


def _is_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response["API-Version"] == settings.API_VERSION
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"] and body["detail"]
    return body


def test_a_trailing_slash_is_not_found_not_redirected(own: Caller, trajectory: Any) -> None:
    _is_problem(own.get("/api/v1/trajecten/"), 404)
    _is_problem(own.get(f"/api/v1/trajecten/{trajectory.pk}/"), 404)
    assert own.get(f"/api/v1/trajecten/{trajectory.pk}").status_code == 200


def test_unknown_paths_and_methods_are_problems(own: Caller) -> None:
    _is_problem(own.get("/api/v1/bestaat-niet"), 404)
    _is_problem(own.get("/api/v1/trajecten/abc"), 404)
    response = Client().delete("/api/v1/trajecten", **own.headers())
    body = _is_problem(response, 405)
    assert body["code"] == "method_not_allowed"


def test_no_token_is_a_problem_with_a_challenge() -> None:
    response = Client().get("/api/v1/trajecten")
    _is_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_bad_query_names_the_parameter(own: Caller) -> None:
    body = _is_problem(own.get("/api/v1/metingen", traject="twee"), 400)
    assert [p["name"] for p in body["invalidParams"]] == ["traject"]


def test_the_served_document_is_the_committed_one() -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["API-Version"] == settings.API_VERSION
    committed = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    assert response.json() == committed


def test_lists_are_pages_with_links_and_utc_times(world: World) -> None:
    own = world.callers["own team"]
    body = own.get("/api/v1/metingen", pageSize=1).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1 and body["next"] is None
    confirmed = body["results"][0]["bevestigdOp"]
    assert confirmed.endswith("Z"), confirmed
    instant = dt.datetime.fromisoformat(confirmed.replace("Z", "+00:00"))
    assert abs(instant - world.measurement.confirmed_at) < dt.timedelta(seconds=1)
    two = own.get("/api/v1/toestemmingen", pageSize=1).json()
    assert two["count"] == 2
    assert two["next"].startswith("http://testserver/api/v1/toestemmingen?")
    assert "pageSize=1" in two["next"]
