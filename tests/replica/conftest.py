"""Two real clusters: the test database on the primary (bin/with-postgres) and a streaming
standby of it made with pg_basebackup (bin/with-replica), which sets DATABASE_REPLICA_URL.
`make test` runs this directory in its own leg; without a standby it is not collected."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator

import dj_database_url
import pytest
from django.db import connections

from tests.monitoring.conftest import empty_cache  # noqa: F401 (autouse fixture)

if not os.environ.get("DATABASE_REPLICA_URL"):
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: object) -> None:  # type: ignore[no-redef]
    """The replica alias mirrors the test database; point it at the standby, not at the
    primary (Django's test mirror copies the primary's host and port)."""
    standby = dj_database_url.parse(os.environ["DATABASE_REPLICA_URL"])
    replica = connections["replica"]
    replica.close()
    replica.settings_dict = {
        **replica.settings_dict,
        "HOST": standby["HOST"],
        "PORT": standby["PORT"],
    }


def wait_for_replay(timeout: float = 10.0) -> None:
    """Until the standby has replayed everything the primary has written so far."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (written,) = cursor.fetchone()
    deadline = time.monotonic() + timeout
    with connections["replica"].cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [written])
            if cursor.fetchone()[0]:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"standby did not replay {written} within {timeout} s")
            time.sleep(0.02)


@pytest.fixture
def pause_replay() -> Iterator[Callable[[], None]]:
    """Call it to make the standby stop applying the primary's changes (as if it lagged),
    after it has caught up; it resumes at the end of the test."""

    def pause() -> None:
        wait_for_replay()
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_pause()")

    try:
        yield pause
    finally:
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")
