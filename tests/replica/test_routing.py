"""Monitoring reads go to the streaming standby, everything else to the primary, and a
browser that just wrote reads from the primary (wattelt/replica.py). Two real clusters."""

from __future__ import annotations

import io
import time

import pytest
from django.core.management import call_command
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import client_for
from tests.monitoring.test_dashboard import started, trajectories
from tests.replica.conftest import wait_for_replay
from wattelt.replica import PIN_COOKIE

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])

DASHBOARD = reverse("monitoring:dashboard")
WRITES = ("INSERT", "UPDATE", "DELETE")


def statements(context: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in context.captured_queries]


def test_the_replica_connection_is_the_standby():
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is True
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is False


def publish_figures() -> None:
    call_command("publish_monitoring_figures", stdout=io.StringIO())


def test_the_dashboard_reads_its_figures_from_the_replica(alice, bob, team, district, catalogue):
    trajectories(11, team, alice, district)
    publish_figures()
    client = client_for(bob)
    wait_for_replay()
    with (
        CaptureQueriesContext(connections["replica"]) as replica,
        CaptureQueriesContext(connections["default"]) as primary,
    ):
        response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert started(response) == "11"
    on_replica = statements(replica)
    assert any("monitoring_publishedcube" in sql for sql in on_replica)
    assert not any(sql.lstrip().upper().startswith(WRITES) for sql in on_replica)
    # Login state and the access log stay on the primary; no figures are read there.
    on_primary = statements(primary)
    assert any("django_session" in sql for sql in on_primary)
    assert any("INSERT" in sql and "audit_accesslog" in sql for sql in on_primary)
    assert not any("monitoring_published" in sql for sql in on_primary)


def test_other_pages_read_from_the_primary(alice, trajectory):
    client = client_for(alice)
    wait_for_replay()
    with CaptureQueriesContext(connections["replica"]) as replica:
        response = client.get(reverse("start"))
    assert response.status_code == 200
    assert statements(replica) == []


def test_who_just_wrote_reads_their_own_write_while_the_replica_lags(
    alice, bob, team, district, catalogue, pause_replay, settings
):
    publish_figures()  # none started yet
    pause_replay()
    trajectories(11, team, alice, district)
    publish_figures()  # the primary has 11; the paused standby still has none
    reader = client_for(bob)
    writer = client_for(bob)
    response = writer.post(reverse("set_language"), {"language": "nl", "next": "/"})
    assert response.status_code == 302
    pin = response.cookies[PIN_COOKIE]
    assert pin["max-age"] == settings.DATABASE_REPLICA_PIN_SECONDS and pin["httponly"]

    with CaptureQueriesContext(connections["replica"]) as replica:
        assert started(writer.get(DASHBOARD)) == "11"  # pinned to the primary
    assert statements(replica) == []
    assert started(reader.get(DASHBOARD)) == "<10"  # the lagging standby: none yet

    # When the pin has run out, the writer reads from the replica again.
    writer.cookies[PIN_COOKIE] = str(int(time.time()) - 1)
    with CaptureQueriesContext(connections["replica"]) as replica:
        assert started(writer.get(DASHBOARD)) == "<10"
    assert statements(replica) != []


def test_writes_and_migrations_only_on_the_primary():
    from wattelt.replica import ReplicaRouter
    from wattelt.residents.models import Resident

    router = ReplicaRouter()
    assert router.db_for_write(Resident) == "default"
    assert router.db_for_read(Resident) == "default"  # outside a marked view
    assert router.allow_migrate("replica", "residents") is False
    assert router.allow_migrate("default", "residents") is True


def test_a_lagging_replica_never_becomes_the_published_figures(
    alice, bob, team, district, catalogue, pause_replay
):
    """A page that publishes on demand builds from the primary, not from the stale standby."""
    pause_replay()
    trajectories(11, team, alice, district)  # the standby, paused, has none of them
    assert started(client_for(bob).get(DASHBOARD)) == "11"
