"""Issue 14: a busy or locked database delays a scope, never crashes the publishing run;
the run says what it published, what was unchanged and what it delayed, and the next
run publishes what was delayed. Another connection holds a write lock meanwhile."""

from __future__ import annotations

import io
import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection, connections

from tests.conftest import confirmed_measurement, staff_with_role
from wattelt.monitoring import indicators, published
from wattelt.monitoring.audit import FiguresDisagree
from wattelt.monitoring.cube import collect_parts
from wattelt.monitoring.models import PublishedCube
from wattelt.organisations.models import Role


def run(*args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("publish_monitoring_figures", *args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def tally(output: str) -> tuple[int, int, int]:
    found = re.search(r"published (\d+), unchanged (\d+), delayed (\d+)", output)
    assert found, output
    return int(found[1]), int(found[2]), int(found[3])


@contextmanager
def write_lock_held_elsewhere() -> Iterator[None]:
    """Another connection in the middle of a write: on SQLite it holds the database's
    write lock; on PostgreSQL it holds the rows of the published cubes."""
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        other = sqlite3.connect(name, uri=True, isolation_level=None, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE monitoring_publishedslice SET age = age")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
    else:
        params = connection.get_connection_params()
        with psycopg.connect(**params, autocommit=False) as holder:
            holder.execute("SELECT id FROM monitoring_publishedcube FOR UPDATE").fetchall()
            try:
                yield
            finally:
                holder.rollback()


@pytest.mark.django_db(transaction=True)
def test_a_locked_database_delays_scopes_and_the_next_run_publishes_them(
    trajectory, alice, bob, monkeypatch
):
    monkeypatch.setattr(published, "RETRY_WAITS", (0.05, 0.05))
    monkeypatch.setattr(published, "LOCK_TIMEOUT", "200ms")
    staff_with_role("anna", alice.organisation, Role.Name.MUNICIPALITY_ANALYST)
    confirmed_measurement(trajectory, alice, days_ago=30)
    first = run()
    built, _unchanged, delayed = tally(first)
    assert built >= 3 and delayed == 0
    scopes = PublishedCube.objects.count()

    with write_lock_held_elsewhere():
        busy = run("--force")  # does not raise
    built, unchanged, delayed = tally(busy)
    assert delayed >= 1 and built + unchanged + delayed == scopes
    assert "DELAYED (database busy: " in busy and "the next run publishes them" in busy

    after = run("--force")
    assert tally(after) == (scopes, 0, 0)


@pytest.mark.django_db(transaction=True)
def test_figures_that_disagree_are_asked_again_then_delayed(trajectory, alice, monkeypatch):
    # Figures read while a change came in break the sums the audit relies on: the scope
    # is tried again, and left for the next run if they still disagree; never a crash.
    confirmed_measurement(trajectory, alice, days_ago=30)
    scope = published.Scope(team_ids=(trajectory.team_id,))
    year = trajectory.started_on.year
    real, calls = published.publish, []

    def disagreeing_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise FiguresDisagree("The relations do not hold for these figures.")
        return real(*args, **kwargs)

    monkeypatch.setattr(published, "publish", disagreeing_once)
    outcome = published.publish_patiently(scope, year, force=True, waits=(0.0,))
    assert outcome.built and not outcome.delayed and len(calls) == 2

    def always_disagreeing(*args, **kwargs):
        raise FiguresDisagree("The relations do not hold for these figures.")

    monkeypatch.setattr(published, "publish", always_disagreeing)
    outcome = published.publish_patiently(scope, year, force=True, waits=(0.0,))
    assert not outcome.built and outcome.delayed == (
        "figures changed while they were read: The relations do not hold for these figures."
    )


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL reads a scope in one snapshot"
)
@pytest.mark.django_db(transaction=True)
def test_a_scope_is_read_in_one_snapshot(trajectory, alice, monkeypatch):
    # A confirmation committed by another connection while a scope's figures are read
    # reaches none of them, not the queries after it: the figures are those before.
    confirmed_measurement(trajectory, alice, days_ago=30)
    scope = published.Scope(team_ids=(trajectory.team_id,))
    year, quarters = trajectory.started_on.year, [1, 2, 3, 4]
    before = collect_parts(scope, year, quarters)
    real, committed = indicators.grouped, []

    def with_a_change_meanwhile(*args, **kwargs):
        figures = real(*args, **kwargs)
        if not committed:  # after the first of the scope's queries
            worker = threading.Thread(target=confirm_elsewhere)
            worker.start()
            worker.join()
            assert committed == [True]
        return figures

    def confirm_elsewhere() -> None:
        try:
            reviews = {f"review__{g.pk}__status": "achieved" for g in trajectory.goals.all()}
            confirmed_measurement(trajectory, alice, days_ago=1, **reviews)  # a follow-up
            committed.append(True)
        finally:
            connections.close_all()

    monkeypatch.setattr(indicators, "grouped", with_a_change_meanwhile)
    during = collect_parts(scope, year, quarters)
    monkeypatch.setattr(indicators, "grouped", real)
    after = collect_parts(scope, year, quarters)
    assert during == before and after != before
