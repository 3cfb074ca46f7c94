"""The load benchmark (bench/load.py with bench/locustfile.py) runs end to end on a small
data set, so the scenario that measures issue 16.3 does not rot: a template change that
hides the board's revision, a renamed form field or a new required one would make every
sitting fail here instead of quietly measuring less in the next `make load`.

It is the real thing at a tiny size: the data set generated into the test database,
gunicorn in production mode on it (a process of its own, reaching the database by URL),
locust with a few users for a few seconds: whole sittings (every user starts, fills in
and confirms measurements, so the write path is exercised every time), the working
day's mix, and the floor.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from bench import load
from django.db import connection
from django.utils import timezone

from tests.ops.conftest import served_database_url
from wattelt.instrument.models import Measurement

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="bench.load needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

# A person for every simulated professional (10 users: 7): two users acting as one
# professional would share a draft and rightly get the board's conflict answer.
PEOPLE = ["--professionals", "10", "--coaches", "1", "--analysts", "1", "--warmup", "3"]


@pytest.fixture
def served_database(monkeypatch: pytest.MonkeyPatch, settings, tmp_path: Path) -> None:
    """gunicorn, another process, must open pytest's test database, not the cluster's
    default one; the first publish of the viewers' figures goes without the audit, whose
    cost at this size says nothing; the run's scratch folders go under tmp_path."""
    monkeypatch.setenv("DATABASE_URL", served_database_url(tmp_path))
    monkeypatch.setenv("WATTELT_MONITORING_AUDIT_WIDTH", "0")
    settings.MONITORING_AUDIT_WIDTH = 0
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    if "WATTELT_PG_DIR" not in os.environ:  # bench.load asks for bin/with-postgres
        monkeypatch.setenv("WATTELT_PG_DIR", "")


def run(capsys: pytest.CaptureFixture[str], *arguments: str) -> str:
    """bench.load's output from the endpoints' table of its busiest step on; asserts it
    ended without a failed request."""
    status = load.main([*arguments, *PEOPLE])
    printed = capsys.readouterr().out
    assert status == 0, printed
    return printed.split("endpoints at", 1)[1]


def test_sittings_the_working_day_and_the_floor_run_without_a_failure(
    served_database, capsys
) -> None:
    began = timezone.now()
    # Only sittings first: each user confirms measurement after measurement.
    endpoints = run(
        capsys, "--residents", "200", "--scenario", "sitting", "--users", "3", "--seconds", "8"
    )
    for name in ("new measurement", "board (draft)", "board autosave", "board confirm"):
        assert name in endpoints
    for name in ("start page", "resident"):  # the rest of a professional's day: not here
        assert name not in endpoints
    made = Measurement.objects.filter(created_at__gte=began)
    assert made.filter(status=Measurement.Status.CONFIRMED).exists()

    # The mix: professionals, coaches and an analyst (all spawned after 5 s at 2 a
    # second), and none of the other scenarios' pages.
    endpoints = run(capsys, "--reuse", "--users", "10", "--seconds", "8")
    for name in ("start page", "resident", "progress"):
        assert name in endpoints
    assert "dashboard (coach)" in endpoints or "adoption (coach)" in endpoints
    assert "dashboard (analyst)" in endpoints or "CSV export (analyst)" in endpoints
    for name in ("help index (floor)", "live (http)"):
        assert name not in endpoints

    endpoints = run(capsys, "--reuse", "--scenario", "floor", "--users", "2", "--seconds", "2")
    assert "help index (floor)" in endpoints
    assert "start page" not in endpoints


def test_a_run_says_when_simulated_professionals_would_share_a_person() -> None:
    assert load.shared_drafts("mix", 100, 70) == ""  # make load's defaults: 70 of 100 users
    assert "105 simulated professionals act as 70 people" in load.shared_drafts("mix", 150, 70)
    assert "10 simulated professionals act as 4 people" in load.shared_drafts("sitting", 10, 4)
    assert load.shared_drafts("floor", 100, 1) == ""  # the floor only reads
