"""The derived phase of an import: the figures brought up to date after the file committed.

The import itself (`services.run`) writes the measurements, their chosen domains, goals
and access-log records in the file's one transaction, and in that same transaction marks
the job `DERIVING` with the range of measurement ids the bulk way wrote (the pending
marker). Right after the commit, in the same background job, `finish` brings up to date
what is derived from those rows:

- first, in a transaction of its own, the trajectories' due dates and last activity
  (`schedule.refresh_due_dates`, the board's rule over what is committed; a million in
  ~30 s, so the reminders are right minutes before the figures);

and then, in one transaction:

- the monitoring summary of the imported trajectories (`TrajectorySummary`,
  `MeasurementFact`, `ChipFact`, ...), with the very statements `monitoring.summary`
  derives them with (`summary.refresh_listed`), so they cannot differ from a rebuild;
- the change log of the published figures: the scopes, years and districts the
  trajectories now count in (what `changes.touched` finds, set-based);
- the adoption summary (`measurements_loaded`);
- and on PostgreSQL, after an exclusive load, the foreign keys added back `NOT VALID`
  are validated (`VALIDATE CONSTRAINT`, which blocks no reader or writer of the tables).

Every step derives from what is committed, and the marker is cleared in the
transaction that writes the figures: if the process dies between the phases or during
this one, the next `manage.py run_imports` (cron, every minute) runs `finish_pending`
and does it all again, with the same result (ADR 0014).
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import ExtractYear
from django.utils import timezone

from wattelt.instrument.models import Measurement, NotFilledIn
from wattelt.instrument.schedule import refresh_due_dates
from wattelt.instrument.signals import measurements_loaded
from wattelt.monitoring import changes, summary
from wattelt.monitoring.models import (
    GoalReviewFact,
    MeasurementFact,
    PublishedCube,
    TrajectorySummary,
)
from wattelt.residents.models import Trajectory

from . import bulk
from .loading import LOADED_TABLES
from .models import ImportJob

LISTED = "import_derived_trajectories"
"""The temporary table of the trajectories whose figures are derived again."""


def finish_pending() -> int:
    """Finish the derived phase of every job that was cut off between or during the
    phases (a restart). Returns how many."""
    pending = list(ImportJob.objects.filter(state=ImportJob.State.DERIVING).values_list("pk"))
    for (pk,) in pending:
        finish(ImportJob.objects.defer("content").get(pk=pk))
    return len(pending)


def finish(job: ImportJob) -> ImportJob:
    """Bring the figures of the job's imported trajectories up to date and mark the job
    done. Idempotent: a job that is not `DERIVING`, or that another worker is finishing
    right now, is left as it is."""
    trajectory_ids = _list_trajectories(job)
    bulk.lap("derived: trajectories listed")
    if trajectory_ids and job.state == ImportJob.State.DERIVING:
        with transaction.atomic():
            refresh_due_dates(_listed(), job.organisation)
        bulk.lap("derived: due dates")
    validate_keys()
    with transaction.atomic():
        # Another worker's `finish_pending` at it already (cron): leave it to that one.
        locked = (
            ImportJob.objects.select_for_update(skip_locked=True)
            .defer("content")
            .filter(pk=job.pk)
            .first()
        )
        if locked is None or locked.state != ImportJob.State.DERIVING:
            return locked or job
        if trajectory_ids:
            summary.refresh_listed(LISTED)
            bulk.lap("derived: monitoring summary")
            changes.record(reach())
            bulk.lap("derived: change log")
            measurements_loaded.send(
                sender=Measurement,
                trajectory_ids=trajectory_ids,
                trajectories=_listed(),
            )
            bulk.lap("derived: adoption summary")
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {LISTED}")
        locked.state = ImportJob.State.DONE
        locked.derive_from = locked.derive_to = None
        locked.finished_at = timezone.now()
        locked.save(update_fields=["state", "derive_from", "derive_to", "finished_at"])
    if connection.vendor == "postgresql" and trajectory_ids:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(summary.TABLES)}")
        bulk.lap("derived: summary analysed")
    return locked


def _listed() -> QuerySet[Trajectory]:
    return Trajectory.objects.filter(pk__in=RawSQL(f"SELECT trajectory_id FROM {LISTED}", []))


def _list_trajectories(job: ImportJob) -> set[int]:
    """The trajectories of the measurements the bulk way wrote (ids from `derive_from`
    to `derive_to`), in the temporary table `LISTED`. A measurement the board made
    meanwhile may fall in the range: deriving its trajectory again changes nothing."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {LISTED}")
        cursor.execute(f"CREATE TEMPORARY TABLE {LISTED} (trajectory_id bigint PRIMARY KEY)")
        if job.derive_from is None or job.derive_to is None:
            return set()
        cursor.execute(
            f"INSERT INTO {LISTED} (trajectory_id) SELECT DISTINCT trajectory_id "
            f"FROM {Measurement._meta.db_table} WHERE id BETWEEN %s AND %s",
            [job.derive_from, job.derive_to],
        )
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {LISTED}")
        cursor.execute(f"SELECT trajectory_id FROM {LISTED}")
        return {row[0] for row in cursor.fetchall()}


def reach() -> set[changes.Change]:
    """What `changes.touched` finds for the listed trajectories, set-based (a query per
    kind of date instead of four per 500 trajectories): their municipality, organisation
    and team's coaches, in the years of their start, latest measurement, measurements,
    goal reviews and records of not filled in, each naming the resident's district. The
    trajectories had no measurement before the import (the bulk way), so their figures
    counted in a subset of these before. tests/imports/test_derived.py holds the two
    equal."""
    listed = Q(trajectory_id__in=RawSQL(f"SELECT trajectory_id FROM {LISTED}", []))
    area = ["team_id", "organisation_id", "municipality_id", "district_id"]
    through = [  # the same scope, for a record of not filled in (no scope of its own)
        "trajectory__team_id",
        "trajectory__team__organisation_id",
        "trajectory__resident__district__municipality_id",
        "trajectory__resident__district_id",
    ]
    dated = (
        (TrajectorySummary.objects, "started_on", area),
        (TrajectorySummary.objects, "latest_on", area),
        (MeasurementFact.objects, "measured_on", area),
        (GoalReviewFact.objects, "measured_on", area),
        (NotFilledIn.objects, "recorded_on", through),
    )
    # (team, organisation, municipality, district, year): few distinct ones, found by
    # the database (a million trajectories' pairs cost ~35 s in Python).
    areas: set[tuple[int, int, int, int, int]] = set()
    for manager, day, columns in dated:
        areas.update(
            manager.filter(listed, **{f"{day}__isnull": False})
            .annotate(year=ExtractYear(day))
            .values_list(*columns, "year")
            .distinct()
            .order_by()
        )
    keys = changes.coach_scope_keys({team for team, *_rest in areas})
    found: set[changes.Change] = set()
    for team, organisation, municipality, district, year in areas:
        found.add((PublishedCube.Kind.MUNICIPALITY, str(municipality), year, district))
        found.add((PublishedCube.Kind.ORGANISATION, str(organisation), year, district))
        found.update((PublishedCube.Kind.TEAMS, key, year, district) for key in keys[team])
    return found


def validate_keys() -> None:
    """PostgreSQL: validate every foreign key of the loaded tables that an exclusive load
    added back `NOT VALID` (`loading.exclusive_load`). Each in a transaction of its own;
    `VALIDATE CONSTRAINT` takes a lock that lets the board read and write meanwhile."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint "
            "WHERE contype = 'f' AND NOT convalidated AND conrelid = ANY(%s::regclass[]) "
            "ORDER BY conrelid, conname",
            [LOADED_TABLES],
        )
        pending = cursor.fetchall()
    for table, name in pending:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f'ALTER TABLE {table} VALIDATE CONSTRAINT "{name}"')
    if pending:
        bulk.lap(f"derived: {len(pending)} foreign keys validated")
