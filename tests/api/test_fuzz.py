"""A short schemathesis round against the live server (the long one, 10,000 requests, is
`make bench`: bench/api_fuzz.py): no server errors, every response as documented."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from bench.api_fuzz import ROOT, fuzz

from .conftest import World

pytestmark = pytest.mark.django_db(transaction=True)
COMMITTED = ROOT / "openapi.yaml"


def test_generated_requests_get_documented_answers(
    live_server: Any, world: World, tmp_path: Path
) -> None:
    own = world.callers["own team"]
    outcome = fuzz(
        f"{live_server.url}/api/v1",
        own.token,
        max_examples=6,
        seed=15,
        report=tmp_path / "fuzz.ndjson",
        phases="fuzzing",
        max_time=30,
        schema=str(COMMITTED),  # the same as served (test_conventions), without the wait
    )
    assert outcome.requests >= 50, (tmp_path / "fuzz.log").read_text(encoding="utf-8")[-3000:]
    assert outcome.server_errors == 0, outcome.examples
    assert outcome.schema_violations == 0, outcome.examples
