"""One run at a time of each scheduled job, also when several app servers share a crontab.

    class Command(BaseCommand):
        @single_run("publish_monitoring_figures")
        def handle(self, *args, **options): ...

A second run that starts while the first is busy prints "<job>: already running",
does nothing and exits 0 (cron mails nothing, a timer does not count it as a failure).

On PostgreSQL the lock is a session-level advisory lock (`pg_try_advisory_lock`) on a
connection of its own, so it holds across the job's transactions and whatever the job
does with Django's connection, and the server drops it when the process dies. On SQLite
the database lives on one machine, so an exclusive `flock` on a file next to the
database does the same between the processes of that machine; the kernel drops it when
the process dies. Any other database: refused, rather than run unguarded.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connections

ALREADY_RUNNING = "already running"

Handle = TypeVar("Handle", bound=Callable[..., Any])


def lock_key(job: str) -> int:
    """A stable signed 64-bit key for the job's name (the advisory lock's one bigint)."""
    digest = hashlib.blake2b(f"wattelt.job.{job}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextlib.contextmanager
def _postgresql_lock(job: str, alias: str, wait: bool) -> Iterator[bool]:
    own = connections.create_connection(alias)  # not the job's connection: never closed by it
    try:
        with own.cursor() as cursor:
            if wait:
                cursor.execute("SELECT pg_advisory_lock(%s), true", [lock_key(job)])
            else:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [lock_key(job)])
            acquired = bool(cursor.fetchone()[-1])
        try:
            yield acquired
        finally:
            if acquired:
                with own.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [lock_key(job)])
    finally:
        own.close()


def sqlite_lock_file(job: str, alias: str) -> Path:
    name = str(connections[alias].settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        # An in-memory database belongs to this process alone, and so does its lock.
        return Path(tempfile.gettempdir()) / f".wattelt-memory-{os.getpid()}.{job}.lock"
    return Path(name).resolve().parent / f".{Path(name).name}.{job}.lock"


@contextlib.contextmanager
def _sqlite_lock(job: str, alias: str, wait: bool) -> Iterator[bool]:
    path = sqlite_lock_file(job, alias)
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def job_lock(job: str, alias: str = DEFAULT_DB_ALIAS, wait: bool = False) -> Iterator[bool]:
    """Hold the job's lock for the duration of the block; yields False (and holds
    nothing) when another run has it. With wait=True it waits for the other run to end
    instead (migrations on deploy: every server must have them applied before it serves)."""
    vendor = connections[alias].vendor
    if vendor == "postgresql":
        lock = _postgresql_lock(job, alias, wait)
    elif vendor == "sqlite":
        lock = _sqlite_lock(job, alias, wait)
    else:
        raise NotImplementedError(f"No job lock for the {vendor} database.")
    with lock as acquired:
        yield acquired


def single_run(job: str) -> Callable[[Handle], Handle]:
    """Decorate a management command's handle(): it runs only when no other run of the
    same job holds the lock, else it says so and returns (exit status 0)."""

    def decorate(handle: Handle) -> Handle:
        @functools.wraps(handle)
        def guarded(command: BaseCommand, *args: Any, **options: Any) -> Any:
            with job_lock(job) as acquired:
                if not acquired:
                    command.stdout.write(f"{job}: {ALREADY_RUNNING}, this run does nothing.")
                    return None
                return handle(command, *args, **options)

        return guarded  # type: ignore[return-value]

    return decorate
