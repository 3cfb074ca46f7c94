"""The live server's threads and the test share the test database, never a connection
(conftest's `django_db_modify_db_settings`): on one shared SQLite connection CPython's
sqlite3 deadlocks when a query calling one of Django's SQL functions written in Python
meets another thread's query."""

from __future__ import annotations

import threading
import time
import urllib.request

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db.models.functions import ExtractYear
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_server_threads_open_connections_of_their_own(live_server) -> None:
    assert live_server.thread.connections_override == {}


@pytest.mark.timeout(120)  # the deadlock this guards against never ends: fail in 2 minutes
def test_the_server_answers_while_the_test_queries(base_url: str) -> None:
    """For five seconds the server answers a browser with a session cookie (its session
    is read, with the key as a bound parameter) while the test thread runs a query that
    calls a Python SQL function on every row."""
    Session.objects.bulk_create(
        Session(session_key=f"s{n:039d}", session_data="", expire_date=timezone.now())
        for n in range(2000)
    )
    cookie = f"{settings.SESSION_COOKIE_NAME}=s{1:039d}"
    until = time.monotonic() + 5
    answered: list[int] = []

    def ask() -> None:
        while time.monotonic() < until:
            request = urllib.request.Request(f"{base_url}/", headers={"Cookie": cookie})
            with urllib.request.urlopen(request, timeout=30) as response:
                answered.append(response.status)

    asking = threading.Thread(target=ask)
    asking.start()
    years: set[int] = set()
    while time.monotonic() < until:
        rows = Session.objects.annotate(year=ExtractYear("expire_date"))
        years.update(rows.values_list("year", flat=True))
    asking.join()
    assert years == {timezone.now().year}
    assert answered and set(answered) == {200}
