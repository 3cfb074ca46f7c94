"""The load benchmark (bench/load.py with bench/locustfile.py) runs end to end on a small
data set, so the scenario that measures issue 16.3 does not rot: a template change that
hides the board's revision, a renamed form field or a new required one would make every
sitting fail here instead of quietly measuring less in the next `make load`.

It is the real thing at a tiny size: the data set generated into the test database,
gunicorn in production mode on it (a process of its own, reaching the database by URL),
locust with a few users for a few seconds, once with the working day's mix and once with
the floor (the lightest page behind the login).
"""

from __future__ import annotations

import os

import pytest
from bench import load
from django.db import connection
from django.utils import timezone

from wattelt.instrument.models import Measurement

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="bench.load needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

SMALL = ["--users", "6", "--seconds", "8", "--warmup", "2"]
PEOPLE = ["--professionals", "4", "--coaches", "1", "--analysts", "1"]


@pytest.fixture
def served_database(monkeypatch: pytest.MonkeyPatch, settings) -> None:
    """gunicorn, another process, must open pytest's test database, not the cluster's
    default one; and the first publish of the viewers' figures without the audit, whose
    cost at this size says nothing."""
    db = connection.settings_dict
    monkeypatch.setenv(
        "DATABASE_URL", f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    )
    monkeypatch.setenv("WATTELT_MONITORING_AUDIT_WIDTH", "0")
    settings.MONITORING_AUDIT_WIDTH = 0
    if "WATTELT_PG_DIR" not in os.environ:  # bench.load asks for bin/with-postgres
        monkeypatch.setenv("WATTELT_PG_DIR", "")


def test_the_working_day_and_the_floor_run_without_a_failure(served_database, capsys) -> None:
    began = timezone.now()
    status = load.main(["--residents", "200", *SMALL, *PEOPLE])
    printed = capsys.readouterr().out
    assert status == 0, printed
    endpoints = printed.split("endpoints at", 1)[1]
    # A whole sitting happened: started, the board opened, saved, confirmed.
    for name in ("start page", "new measurement", "board (draft)", "board autosave"):
        assert name in endpoints, printed
    assert "board confirm" in endpoints, printed
    made = Measurement.objects.filter(created_at__gte=began)
    assert made.filter(status=Measurement.Status.CONFIRMED).exists()
    assert "mix: target at 50 users" not in printed  # 50 users was not a step here

    status = load.main(["--reuse", "--scenario", "floor", *SMALL, *PEOPLE])
    printed = capsys.readouterr().out
    assert status == 0, printed
    assert "help index (floor)" in printed.split("endpoints at", 1)[1]
    assert "start page" not in printed.split("endpoints at", 1)[1]
