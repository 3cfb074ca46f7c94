"""The SQLite test database as a file (`django_db_modify_db_settings` in tests/conftest.py):
the live server's threads and the test share the database, never a connection (on one
shared connection CPython's sqlite3 deadlocks when a query calling one of Django's SQL
functions written in Python meets another thread's query), and writers that meet queue
as on `make run`."""

from __future__ import annotations

import datetime as dt
import threading
import time
import urllib.request

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.db.models.functions import ExtractYear
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_server_threads_open_connections_of_their_own(live_server) -> None:
    assert live_server.thread.connections_override == {}


def test_the_server_answers_while_the_test_queries(base_url: str) -> None:
    """For five seconds the server answers a browser with a session cookie while the
    test thread runs a query that calls a Python SQL function on every row. The session
    expired: the server looks it up by its key (a bound parameter), finds none and writes
    nothing."""
    expired = dt.datetime(2020, 6, 1, 12, tzinfo=dt.UTC)
    Session.objects.bulk_create(
        Session(session_key=f"s{n:039d}", session_data="", expire_date=expired) for n in range(2000)
    )
    cookie = f"{settings.SESSION_COOKIE_NAME}=s{1:039d}"
    until = time.monotonic() + 5
    answered: list[int] = []
    failed: list[Exception] = []

    def ask() -> None:
        try:
            while time.monotonic() < until:
                request = urllib.request.Request(f"{base_url}/", headers={"Cookie": cookie})
                with urllib.request.urlopen(request, timeout=30) as response:
                    answered.append(response.status)
        except Exception as error:  # an error page or no answer
            failed.append(error)

    asking = threading.Thread(target=ask)
    asking.start()
    years: set[int] = set()
    try:
        while time.monotonic() < until:
            rows = Session.objects.annotate(year=ExtractYear("expire_date"))
            years.update(rows.values_list("year", flat=True))
    finally:
        asking.join()
    assert failed == []
    assert years == {2020}
    assert answered and set(answered) == {200}


@pytest.mark.usefixtures("file_database")
def test_transactions_that_write_at_once_all_succeed() -> None:
    """As on `make run`'s SQLite file (settings: IMMEDIATE transactions): four threads,
    each 50 times reading its session and then writing it, none refused."""
    keys = [f"w{n:039d}" for n in range(4)]
    Session.objects.bulk_create(
        Session(session_key=key, session_data="0", expire_date=timezone.now()) for key in keys
    )
    refused: list[Exception] = []

    def write(key: str) -> None:
        try:
            for _ in range(50):
                with transaction.atomic():
                    session = Session.objects.get(pk=key)
                    time.sleep(0.001)  # another thread begins meanwhile
                    session.session_data = str(int(session.session_data) + 1)
                    session.save()
        except Exception as error:  # what a request would have answered with a 500
            refused.append(error)
        finally:
            connection.close()

    writers = [threading.Thread(target=write, args=(key,)) for key in keys]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert refused == []
    counts = Session.objects.filter(pk__in=keys).values_list("session_data", flat=True)
    assert sorted(counts) == ["50"] * 4
