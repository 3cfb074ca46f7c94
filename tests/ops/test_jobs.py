"""The same job started twice at once (two app servers running one crontab) runs once:
the second run finds the lock taken, says "already running" and exits 0."""

from __future__ import annotations

import fcntl
import io
import threading
import time

import pytest
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

from wattelt.jobs import ALREADY_RUNNING, job_lock, lock_key, single_run, sqlite_lock_file

pytestmark = pytest.mark.django_db(transaction=True)


class SlowJob(BaseCommand):
    """A job that records when it ran, so overlapping runs would show."""

    def __init__(self, runs: list[tuple[float, float]]) -> None:
        super().__init__(stdout=io.StringIO())
        self.runs = runs

    @single_run("test_slow_job")
    def handle(self, *args: object, **options: object) -> None:
        began = time.monotonic()
        time.sleep(0.3)
        self.runs.append((began, time.monotonic()))


def test_concurrent_runs_of_one_job_never_overlap() -> None:
    runs: list[tuple[float, float]] = []
    commands = [SlowJob(runs) for _ in range(4)]
    start = threading.Barrier(len(commands))

    def run(command: SlowJob) -> None:
        start.wait()
        command.execute(no_color=True, force_color=False, skip_checks=True)

    threads = [threading.Thread(target=run, args=(c,)) for c in commands]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    outputs = [c.stdout._out.getvalue() for c in commands]  # type: ignore[attr-defined]
    refused = [out for out in outputs if ALREADY_RUNNING in out]
    assert len(runs) == 1, outputs
    assert len(refused) == len(commands) - 1
    assert "test_slow_job: already running" in refused[0]


def test_publish_does_nothing_while_another_server_publishes() -> None:
    """The real cron job: while another run holds the lock, a run does nothing, exit 0."""
    held, release = threading.Event(), threading.Event()

    def other_server() -> None:
        with job_lock("publish_monitoring_figures") as acquired:
            assert acquired
            held.set()
            release.wait(10)

    thread = threading.Thread(target=other_server)
    thread.start()
    try:
        assert held.wait(10)
        out = io.StringIO()
        call_command("publish_monitoring_figures", stdout=out)  # raises on a non-zero exit
        assert f"publish_monitoring_figures: {ALREADY_RUNNING}" in out.getvalue()
        assert "published" not in out.getvalue()
    finally:
        release.set()
        thread.join()
    out = io.StringIO()
    call_command("publish_monitoring_figures", stdout=out)
    assert "published 0, unchanged 0, delayed 0" in out.getvalue()


def test_the_lock_is_free_again_after_a_run_and_after_a_failure() -> None:
    with job_lock("apply_retention") as acquired:
        assert acquired
    with pytest.raises(RuntimeError), job_lock("apply_retention") as acquired:
        raise RuntimeError("the job failed")
    with job_lock("apply_retention") as acquired:
        assert acquired


def test_different_jobs_do_not_block_each_other() -> None:
    with job_lock("send_reminder_digest") as digest, job_lock("apply_retention") as retention:
        assert digest and retention
    assert lock_key("send_reminder_digest") != lock_key("apply_retention")


def test_the_lock_is_held_where_other_servers_see_it() -> None:
    """PostgreSQL: an advisory lock every app server's connection sees. SQLite (one
    machine): an exclusive flock on a file next to the database."""
    with job_lock("apply_retention") as acquired:
        assert acquired
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                )
                assert cursor.fetchone()[0] == 1
        else:
            path = sqlite_lock_file("apply_retention", "default")
            with path.open("a") as other, pytest.raises(BlockingIOError):
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
