"""Sessions end after 30 minutes idle, 12 hours absolute, or when the account is disabled."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse
from freezegun import freeze_time

from tests.conftest import client_for


def logged_in(user) -> Client:
    return client_for(user)


def test_session_ends_after_30_minutes_idle(alice):
    with freeze_time("2026-11-23 09:00") as clock:
        client = logged_in(alice)
        assert client.get(reverse("start")).status_code == 200
        clock.tick(dt.timedelta(minutes=29))
        assert client.get(reverse("start")).status_code == 200, "activity renews the session"
        clock.tick(dt.timedelta(minutes=31))
        assert client.get(reverse("start")).status_code == 302


def test_session_ends_after_12_hours_however_active(alice):
    with freeze_time("2026-11-23 07:00") as clock:
        client = logged_in(alice)
        for _ in range(12 * 3 + 1):
            clock.tick(dt.timedelta(minutes=20))
            response = client.get(reverse("start"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_disabling_an_account_ends_its_sessions(alice):
    client = logged_in(alice)
    assert client.get(reverse("start")).status_code == 200
    alice.is_active = False
    alice.save()
    assert client.get(reverse("start")).status_code == 302


def test_an_unchanged_session_is_stored_again_at_most_once_a_minute(alice):
    """Pages seconds apart do not each write the session; the idle limit still moves."""
    from django.contrib.sessions.models import Session

    def stored_expiry(client: Client) -> dt.datetime:
        return Session.objects.get(session_key=client.session.session_key).expire_date

    with freeze_time("2026-11-23 09:00:00") as clock:
        client = logged_in(alice)
        assert client.get(reverse("start")).status_code == 200
        first = stored_expiry(client)
        assert first == dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)
        clock.tick(dt.timedelta(seconds=40))
        assert client.get(reverse("start")).status_code == 200
        assert stored_expiry(client) == first, "written again within the minute"
        clock.tick(dt.timedelta(seconds=30))
        assert client.get(reverse("start")).status_code == 200
        assert stored_expiry(client) == dt.datetime(2026, 11, 23, 9, 31, 10, tzinfo=dt.UTC)
        clock.tick(dt.timedelta(minutes=30, seconds=5))
        assert client.get(reverse("start")).status_code == 302, "30 minutes after the write"
