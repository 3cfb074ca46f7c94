"""Keeping the monitoring summary tables (models.py) up to date.

One set of INSERT ... SELECT statements derives every summary row from the raw tables.
`refresh_trajectories(ids)` runs them for a few trajectories inside the caller's
transaction (the services call it where data changes); `rebuild()` runs the very same
statements for all trajectories at once (`manage.py rebuild_monitoring_summary`). So an
incrementally kept summary and a rebuilt one cannot differ in how rows are derived.

The rules are those of indicators.py: only confirmed measurements count; the first and
the latest measurement are ordered by (measured_on, id); young is under 18 on the date
(yyyymmdd(date) - yyyymmdd(birth) < 180000, exact with leap days).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from contextlib import AbstractContextManager

from django.db import connection, transaction
from django.db.models import F

from wattelt.deferral import Deferral
from wattelt.residents.models import ADULT_AGE, Trajectory

from . import changes
from .indicators import START_MEASUREMENT_DAYS
from .models import (
    ChipFact,
    ChipPair,
    GoalReviewFact,
    MeasurementFact,
    SummaryVersion,
    TrajectorySummary,
)

TABLES = [
    GoalReviewFact._meta.db_table,
    ChipPair._meta.db_table,
    ChipFact._meta.db_table,
    MeasurementFact._meta.db_table,
    TrajectorySummary._meta.db_table,
]
SCOPE = "resident_id, team_id, organisation_id, district_id, municipality_id"


def _day_number(expression: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(to_char({expression}, 'YYYYMMDD') AS INTEGER)"
    return f"CAST(strftime('%%Y%%m%%d', {expression}) AS INTEGER)"


def _young(born: str, on: str) -> str:
    return f"({_day_number(on)} - {_day_number(born)} < {ADULT_AGE * 10000})"


def _plus_days(expression: str, days: int) -> str:
    if connection.vendor == "postgresql":
        return f"({expression} + {days})"
    return f"date({expression}, '+{days} days')"


def _statements(where_trajectory: str) -> list[tuple[str, int]]:
    """The INSERT statements, in order, each with the number of times it uses
    `where_trajectory`, a condition on a column named by `{t}` (empty: every trajectory)."""

    def only(column: str) -> str:
        return where_trajectory.format(t=column) if where_trajectory else "1 = 1"

    summary = f"""
WITH m AS (
  SELECT trajectory_id, id, kind, measured_on, quality_of_life,
    ROW_NUMBER() OVER (PARTITION BY trajectory_id ORDER BY measured_on, id) AS n_first,
    ROW_NUMBER() OVER (PARTITION BY trajectory_id ORDER BY measured_on DESC, id DESC) AS n_latest
  FROM instrument_measurement
  WHERE status = 'confirmed' AND {only("trajectory_id")}
), a AS (
  SELECT trajectory_id, COUNT(*) AS n, MIN(measured_on) AS first_on,
    MAX(CASE WHEN kind = 'follow_up' THEN 1 ELSE 0 END) AS follow_up,
    MAX(CASE WHEN kind = 'end' THEN 1 ELSE 0 END) AS ended,
    MAX(CASE WHEN n_first = 1 THEN id END) AS first_id,
    MAX(CASE WHEN n_first = 1 THEN quality_of_life END) AS first_grade,
    MAX(CASE WHEN n_latest = 1 THEN id END) AS latest_id,
    MAX(CASE WHEN n_latest = 1 THEN measured_on END) AS latest_on,
    MAX(CASE WHEN n_latest = 1 THEN quality_of_life END) AS latest_grade
  FROM m GROUP BY trajectory_id
)
INSERT INTO {TrajectorySummary._meta.db_table} (trajectory_id, {SCOPE}, born, started_on,
  young_at_start, measurements, has_start, early_start, has_follow_up, has_end,
  first_measurement_id, latest_measurement_id, latest_on, latest_young, first_grade,
  latest_grade)
SELECT t.id, t.resident_id, t.team_id, tm.organisation_id, r.district_id, d.municipality_id,
  r.date_of_birth, t.started_on, {_young("r.date_of_birth", "t.started_on")},
  COALESCE(a.n, 0), a.n IS NOT NULL,
  a.n IS NOT NULL AND a.first_on <= {_plus_days("t.started_on", START_MEASUREMENT_DAYS)},
  COALESCE(a.follow_up, 0) = 1, COALESCE(a.ended, 0) = 1,
  a.first_id, a.latest_id, a.latest_on,
  CASE WHEN a.latest_on IS NULL THEN NULL ELSE {_young("r.date_of_birth", "a.latest_on")} END,
  a.first_grade, a.latest_grade
FROM residents_trajectory t
JOIN residents_resident r ON r.id = t.resident_id
JOIN organisations_team tm ON tm.id = t.team_id
JOIN organisations_district d ON d.id = r.district_id
LEFT JOIN a ON a.trajectory_id = t.id
WHERE {only("t.id")}"""
    measurements = f"""
INSERT INTO {MeasurementFact._meta.db_table} (measurement_id, trajectory_id, {SCOPE},
  measured_on, young)
SELECT m.id, s.trajectory_id, s.resident_id, s.team_id, s.organisation_id, s.district_id,
  s.municipality_id, m.measured_on, {_young("s.born", "m.measured_on")}
FROM instrument_measurement m
JOIN {TrajectorySummary._meta.db_table} s ON s.trajectory_id = m.trajectory_id
WHERE m.status = 'confirmed' AND {only("m.trajectory_id")}"""
    chips = f"""
INSERT INTO {ChipFact._meta.db_table} (choice_id, trajectory_id, {SCOPE}, measured_on, young,
  domain_key, position, chip, prioritised)
SELECT c.id, f.trajectory_id, f.resident_id, f.team_id, f.organisation_id, f.district_id,
  f.municipality_id, f.measured_on, f.young, d.key, d.position, c.resident_chip, c.prioritised
FROM instrument_chosendomain c
JOIN {MeasurementFact._meta.db_table} f ON f.measurement_id = c.measurement_id
JOIN instrument_domain d ON d.id = c.domain_id
WHERE {only("f.trajectory_id")}"""
    pairs = f"""
INSERT INTO {ChipPair._meta.db_table} (trajectory_id, {SCOPE}, latest_on, young, domain_key,
  position, change)
SELECT s.trajectory_id, s.resident_id, s.team_id, s.organisation_id, s.district_id,
  s.municipality_id, s.latest_on, s.latest_young, dl.key, dl.position,
  cl.resident_chip - cf.resident_chip
FROM {TrajectorySummary._meta.db_table} s
JOIN instrument_chosendomain cl ON cl.measurement_id = s.latest_measurement_id
JOIN instrument_domain dl ON dl.id = cl.domain_id
JOIN instrument_chosendomain cf ON cf.measurement_id = s.first_measurement_id
JOIN instrument_domain df ON df.id = cf.domain_id AND df.key = dl.key
WHERE s.latest_measurement_id <> s.first_measurement_id
  AND cl.resident_chip IS NOT NULL AND cf.resident_chip IS NOT NULL
  AND {only("s.trajectory_id")}"""
    reviews = f"""
INSERT INTO {GoalReviewFact._meta.db_table} (review_id, goal_id, measurement_id,
  trajectory_id, {SCOPE}, measured_on, young, status)
SELECT g.id, g.goal_id, g.measurement_id, f.trajectory_id, f.resident_id, f.team_id,
  f.organisation_id, f.district_id, f.municipality_id, f.measured_on, f.young, g.status
FROM instrument_goalreview g
JOIN {MeasurementFact._meta.db_table} f ON f.measurement_id = g.measurement_id
WHERE g.status <> '' AND {only("f.trajectory_id")}"""
    # A status set through a progress note of the shared plan counts like one set at a
    # measurement, on the note's (UTC) date. Its measurement_id sorts below every
    # measurement's and in the notes' order: a review the same day comes after it.
    notes = f"""
INSERT INTO {GoalReviewFact._meta.db_table} (review_id, goal_id, measurement_id,
  trajectory_id, {SCOPE}, measured_on, young, status)
SELECT -p.id, p.goal_id, p.id - {NOTE_OFFSET}, s.trajectory_id, s.resident_id, s.team_id,
  s.organisation_id, s.district_id, s.municipality_id, date(p.created_at),
  {_young("s.born", "date(p.created_at)")}, p.status
FROM instrument_goalprogress p
JOIN instrument_goal g ON g.id = p.goal_id
JOIN {TrajectorySummary._meta.db_table} s ON s.trajectory_id = g.trajectory_id
WHERE p.status <> '' AND {only("g.trajectory_id")}"""
    return [(summary, 2), (measurements, 1), (chips, 1), (pairs, 1), (reviews, 1), (notes, 1)]


NOTE_OFFSET = 2**62
"""Progress notes' measurement_id in `GoalReviewFact` is their id minus this."""


_deferral = Deferral("monitoring_summary_deferred")


def deferred() -> AbstractContextManager[None]:
    """Inside, the trajectories to derive again are only collected; at the end they are
    derived once, set-based (the same statements, per 500), in the caller's transaction.
    For a writer of hundreds of trajectories at once (seed_demo: a refresh after each
    of its ~700 writes took a fifth of its time). Nothing inside may read the summary of
    what it writes. What the rows counted in between is not known, so the change log
    says: every scope and year."""
    return _deferral.collecting(_derive_collected)


def _derive_collected(trajectory_ids: set[int]) -> None:
    refresh_trajectories(trajectory_ids)
    changes.record_everything()


def refresh_trajectories(trajectory_ids: Iterable[int]) -> None:
    """Derive the summary rows of these trajectories again (in the caller's transaction).
    Trajectories that no longer exist lose their rows."""
    if _deferral.collect(trajectory_ids):
        return
    ids = sorted({int(i) for i in trajectory_ids})
    if not ids:
        return
    with transaction.atomic(), connection.cursor() as cursor:
        # Where the rows counted before (a resident who moved: the old municipality) and
        # where they count now, in the years whose rows differ: to the change log.
        earlier = changes.before(ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            for table in TABLES:
                cursor.execute(f"DELETE FROM {table} WHERE trajectory_id IN ({marks})", chunk)
            for statement, uses in _statements(f"{{t}} IN ({marks})"):
                cursor.execute(statement, chunk * uses)
        changes.record(changes.since(earlier, ids))
        _bump()


def refresh_listed(table: str) -> None:
    """Derive again the summary rows of the trajectories listed in `table` (a table with
    a `trajectory_id` column, e.g. a temporary one), set-based: the same statements as
    `refresh_trajectories`, once for all of them, in the caller's transaction. Records
    nothing in the change log: the caller knows what changed (the bulk import)."""
    listed = f"{{t}} IN (SELECT trajectory_id FROM {table})"
    with transaction.atomic(), connection.cursor() as cursor:
        for summary_table in TABLES:
            cursor.execute(f"DELETE FROM {summary_table} WHERE {listed.format(t='trajectory_id')}")
        for statement, _uses in _statements(listed):
            cursor.execute(statement, [])
        _bump()


def version() -> int:
    """A number that goes up with every change of the summary tables (committed with
    the change): use it in cache keys of figures computed from them."""
    row = SummaryVersion.objects.filter(pk=1).values_list("version", flat=True).first()
    return row or 0


def _bump() -> None:
    if not SummaryVersion.objects.filter(pk=1).update(version=F("version") + 1):
        SummaryVersion.objects.get_or_create(pk=1, defaults={"version": 1})


def note_change() -> None:
    """For a writer that loads summary rows itself (the bulk import): the figures
    cached on `version()` must be computed again."""
    _bump()


def refresh_trajectory(trajectory: Trajectory | int) -> None:
    """The summary rows of one trajectory (call after its data changed)."""
    refresh_trajectories([trajectory if isinstance(trajectory, int) else trajectory.pk])


def refresh_resident(resident_id: int) -> None:
    """The summary rows of every trajectory of a resident (birth date or district changed)."""
    refresh_trajectories(
        Trajectory.objects.filter(resident_id=resident_id).values_list("pk", flat=True)
    )


def rebuild(log_change: bool = True) -> dict[str, float]:
    """Empty the summary tables and derive them from all data, set-based (one statement
    per table); returns seconds per table. The change log says everything changed
    (unless not `log_change`: a migration older than the log)."""
    timings: dict[str, float] = {}
    postgres = connection.vendor == "postgresql"
    with transaction.atomic(), connection.cursor() as cursor:
        mark = time.perf_counter()
        if postgres:
            cursor.execute(f"TRUNCATE {', '.join(TABLES)}")
        else:
            for table in TABLES:
                cursor.execute(f"DELETE FROM {table}")
        timings["empty"] = time.perf_counter() - mark
        names = [*reversed(TABLES), f"{GoalReviewFact._meta.db_table} (progress notes)"]
        for table, (statement, _uses) in zip(names, _statements(""), strict=True):
            mark = time.perf_counter()
            cursor.execute(statement, [])
            timings[table] = time.perf_counter() - mark
        if log_change:
            changes.record_everything()
        _bump()
    if postgres:
        with connection.cursor() as cursor:
            mark = time.perf_counter()
            cursor.execute(f"ANALYZE {', '.join(TABLES)}")
            timings["analyze"] = time.perf_counter() - mark
    return timings
