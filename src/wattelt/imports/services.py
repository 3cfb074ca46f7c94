"""Importing historic measurements through the board's own services.

Every row becomes a measurement exactly as the board makes one: `start_measurement`,
the board's parser (`BoardParser`: chips 0-100, grade 1-10, known domain codes,
plausible dates, bounded texts) and `confirm_measurement` (a goal needs the resident's
own words, a follow-up reviews the earlier goals, dates within the trajectory). Nothing
is validated twice in another way, and the monitoring summary and the notifications
follow each confirmation as they do on the board.

A file is one transaction: each row in a savepoint, so every problem of every row is
collected; a dry run (or a file with problems) is rolled back at the end, a clean real
run commits. See docs/import-format.md.
"""

from __future__ import annotations

import datetime as dt
import sys
from contextlib import nullcontext
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from wattelt.audit.models import AccessLog
from wattelt.batch import collector_paused
from wattelt.bounds import shown
from wattelt.instrument import services as instrument
from wattelt.instrument.forms import BoardParser
from wattelt.instrument.models import Catalogue, Goal, Measurement
from wattelt.organisations import roles
from wattelt.organisations.models import Organisation, Staff
from wattelt.organisations.policy import offered_perspectives
from wattelt.residents.models import Resident, Trajectory

from . import bulk, checking, derived, loading
from .bulk import Place
from .models import ImportJob
from .reading import FIXED, PERSPECTIVE_COLUMNS, Source, Unreadable

IMPORT_PURPOSE = loading.IMPORT_PURPOSE
YES = {"ja", "j", "x", "1", "yes"}
END = {"eind", "eindmeting"}
PROGRESS_EVERY = 50
MAX_PROBLEMS = 1000


def importing_organisation(user: Staff) -> Organisation | None:
    """The quality officer and the organisation admin answer for their organisation's
    data; they import its history."""
    if not roles.answers_for_organisation_data(user):
        return None
    return user.organisation


def columns_for(organisation: Organisation, goals: int = 3) -> list[str]:
    """Every column of the import format for this organisation's catalogue."""
    keys = [d.key for d in Catalogue.objects.current_for(organisation).domains.all()]
    columns = ["bsn", "inwoner_nummer", "traject_start", "datum", "soort", "cijfer"]
    for key in keys:
        columns += [f"{key}_{c}" for c in PERSPECTIVE_COLUMNS] + [f"{key}_prioriteit"]
    for n in range(1, goals + 1):
        columns += [f"doel_{n}", f"doel_{n}_leefgebieden"]
    columns += [f"vorig_doel_{n}_status" for n in range(1, goals + 1)]
    return columns


class _Rollback(Exception):
    pass


@dataclass
class Problems:
    items: list[dict[str, object]] = field(default_factory=list)

    def add(self, row: int, column: str, message: str) -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append({"row": row, "field": column, "message": str(message)})


def _date(raw: str) -> str:
    """dd-mm-jjjj (or jjjj-mm-dd) as ISO for the board's parser; anything else as given,
    so the parser names it."""
    for pattern in ("%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(raw, pattern).date().isoformat()
        except ValueError:
            continue
    return raw


def board_fields(row: dict[str, str], domain_keys: list[str], draft: Measurement) -> QueryDict:
    """One row as the fields the board posts."""
    data = QueryDict(mutable=True)
    data["measured_on"] = _date(row.get("datum", ""))
    data["quality_of_life"] = row.get("cijfer", "")
    for key in domain_keys:
        values = {p: row.get(f"{key}_{column}", "") for column, p in PERSPECTIVE_COLUMNS.items()}
        if not any(values.values()):
            continue
        data.appendlist("chosen", key)
        for perspective, value in values.items():
            data[f"chip-{perspective}-{key}"] = value
            if value and perspective != "resident":
                data[f"placed-{perspective}-{key}"] = "on"
        if row.get(f"{key}_prioriteit", "").lower() in YES:
            data.appendlist("priority", key)
    for n in range(1, 100):
        words = row.get(f"doel_{n}")
        if words is None:
            continue
        data[f"goal-{n - 1}-own_words"] = words
        for key in row.get(f"doel_{n}_leefgebieden", "").replace(",", " ").split():
            data.appendlist(f"goal-{n - 1}-domains", key)
    for n, goal in enumerate(instrument.goals_to_review(draft), start=1):
        status = row.get(f"vorig_doel_{n}_status", "")
        data[f"review-{goal.pk}-status"] = REVIEW_WORDS.get(status.lower(), status)
    return data


# The goal statuses as the paper board names them.
REVIEW_WORDS = {
    "behaald": Goal.Status.ACHIEVED,
    "deels behaald": Goal.Status.PARTLY,
    "niet behaald": Goal.Status.NOT_ACHIEVED,
    "niet meer van toepassing": Goal.Status.NOT_APPLICABLE,
}


def column_of(board_field: str, goal_ids: list[int]) -> str:
    """The file's column for a field of the board, for messages."""
    names = {"measured_on": "datum", "quality_of_life": "cijfer", "chosen": "leefgebieden"}
    if board_field in FIXED:
        return board_field
    if board_field in names:
        return names[board_field]
    parts = board_field.split("-")
    if parts[0] == "chip" and len(parts) == 3:
        column = {p: c for c, p in PERSPECTIVE_COLUMNS.items()}.get(parts[1], parts[1])
        return f"{parts[2]}_{column}"
    if parts[0] == "goal" and len(parts) == 3 and parts[1].isdigit():
        suffix = "_leefgebieden" if parts[2] == "domains" else ""
        return f"doel_{int(parts[1]) + 1}{suffix}"
    if parts[0] == "review" and len(parts) == 3 and parts[1].isdigit():
        goal = int(parts[1])
        return f"vorig_doel_{goal_ids.index(goal) + 1}_status" if goal in goal_ids else "rij"
    if board_field == "priority":
        return "prioriteit"
    return "rij"


def _report(problems: Problems, row: int, error: ValidationError, goal_ids: list[int]) -> None:
    for number, column, message in checking.problems_of(row, error, goal_ids):
        problems.add(number, column, message)


def no_resident() -> str:
    return _("No resident of your organisation with this number.")


def not_a_date(raw: str) -> str:
    return _("“%(value)s” is not a date (use dd-mm-yyyy).") % {"value": shown(raw)}


def no_trajectory(day: dt.date) -> str:
    return _("This resident has no trajectory that started on %(day)s.") % {
        "day": day.strftime("%d-%m-%Y")
    }


Location = Place | tuple[str, str]  # the place, or the problem's column and message


class Locator:
    """Where a row belongs: its resident (by BSN or number) and the trajectory of that
    resident that started on the row's date, found in the organisation's lookups (one
    query each, `bulk.Lookups`), not a query per row."""

    def __init__(self, organisation: Organisation, columns: list[str]) -> None:
        lookups = bulk.Lookups(organisation)
        self.by_bsn, self.numbers = lookups.residents("bsn" in columns)
        self.places = lookups.places()
        self.measured = lookups.measured()
        # The positions of the cells that locate a row; a column the file lacks lies
        # past every line's end, so its cell reads as blank.
        at = {c: i for i, c in enumerate(columns)}
        absent = sys.maxsize
        self.bsn_at = at.get("bsn", absent)
        self.number_at = at.get("inwoner_nummer", absent)
        self.start_at = at.get("traject_start", absent)
        self.days: dict[str, dt.date | str] = {}  # a file repeats few start dates

    def locate(self, line: list[str]) -> Location:
        size = len(line)
        bsn = line[self.bsn_at].strip() if self.bsn_at < size else ""
        if bsn:
            resident_id, column = self.by_bsn.get(bsn), "bsn"
        else:
            raw = line[self.number_at].strip() if self.number_at < size else ""
            column = "inwoner_nummer"
            number = int(raw) if raw.isdigit() and len(raw) < 18 else None
            resident_id = number if number in self.numbers else None
        if resident_id is None:
            return column, no_resident()
        raw_start = line[self.start_at].strip() if self.start_at < size else ""
        day = self.days.get(raw_start)
        if day is None:
            day = self.days[raw_start] = _day(raw_start)
        if isinstance(day, str):
            return "traject_start", day
        place = self.places.get((resident_id, day))
        if place is None:
            return "traject_start", no_trajectory(day)
        return place


def _day(raw: str) -> dt.date | str:
    """The date, or the problem with it."""
    started = _date(raw)
    try:
        return dt.date.fromisoformat(started)
    except ValueError:
        return not_a_date(started)


@dataclass
class Located:
    """What the first pass over the file found: the rows, the place of each row in file
    order (None for a row named as a problem), the trajectories that occur more than
    once (their rows go the board's way) and how many rows go the bulk way."""

    total: int
    places: list[Place | None]
    twice: set[int]
    bulk: int


def locate_rows(source: Source, locator: Locator, problems: Problems) -> Located:
    """The first pass: every row located (a resident or trajectory not found is a
    problem), the file's formulas and length checked (`Unreadable`). Keeps the rows'
    places (a reference each, to the lookups' places), not the rows."""
    seen: set[int] = set()
    twice: set[int] = set()
    places: list[Place | None] = []
    add = places.append
    locate = locator.locate
    for number, line in source.rows(stripped=False):
        found = locate(line)
        if isinstance(found, Place):
            add(found)
            if found.trajectory_id in seen:
                twice.add(found.trajectory_id)
            else:
                seen.add(found.trajectory_id)
        else:
            add(None)
            problems.add(number, *found)
    measured = sum(1 for t in locator.measured if t in seen and t not in twice)
    return Located(len(places), places, twice, len(seen) - len(twice) - measured)


def import_bulk(
    job: ImportJob, importer: RowImporter, source: Source, problems: Problems
) -> tuple[int, list[tuple[int, dict[str, str]]]]:
    """Two passes over the file. The first locates every row (`locate_rows`); the
    second checks the rows of the bulk way chunk by chunk and, in a real run while no
    problem has been found, hands each chunk to the writer (`loading.Loader`), which
    loads it while the next is read and checked. Returns the number written and the
    rows (row number, row) left for the board's services."""
    locator = Locator(importer.organisation, source.columns)
    bulk.lap("looked up")
    located = locate_rows(source, locator, problems)
    job.rows_total = located.total
    _progress(job, 0)
    bulk.lap(f"first pass ({located.total} rows, {located.bulk} the bulk way)")
    checker = checking.ChunkChecker(
        located,
        locator.measured,
        bulk.BulkChecker(importer.domains, importer.perspectives, source.columns),
        source.columns,
    )
    chunks = checking.checked_chunks(checker, source, located.bulk)  # before any thread
    writer = (
        loading.ChunkWriter(
            job.organisation,
            job.created_by,
            Catalogue.objects.current_for(job.organisation),
        )
        if not job.dry_run and not problems.items
        else None
    )
    exclusive = (
        writer is not None
        and writer.postgres
        and 0 < settings.IMPORT_EXCLUSIVE_ROWS <= located.bulk
    )
    if writer is not None:
        writer.reserved = exclusive
    rest: list[tuple[int, dict[str, str]]] = []
    with (
        loading.exclusive_load() if exclusive else nullcontext(),
        loading.Loader(writer) if writer else nullcontext() as loader,
    ):
        done = 0
        for chunk in chunks:
            for number, column, message in chunk.problems:
                problems.add(number, column, message)
            rest.extend(chunk.rest)
            if loader is not None and not problems.items:
                loader.put(chunk.prepared)
            done += chunk.rows
            _progress(job, done)
    bulk.lap("checked" + (" and written" if writer else ""))
    if writer is not None and writer.first_id is not None:
        job.derive_from, job.derive_to = writer.first_id, writer.last_id
    return (loader.written if loader is not None and not problems.items else 0), rest


class RowImporter:
    def __init__(self, organisation: Organisation, by: Staff) -> None:
        self.organisation = organisation
        self.by = by
        catalogue = Catalogue.objects.current_for(organisation)
        self.domains = list(catalogue.domains.all())
        self.domain_keys = [d.key for d in self.domains]
        self.perspectives = offered_perspectives(organisation)
        self.created: list[tuple[int, int]] = []  # (measurement id, resident id)

    def log_created(self) -> None:
        """One access-log record per imported measurement, in the file's transaction."""
        AccessLog.objects.bulk_create(
            AccessLog(
                user_id=self.by.pk,
                username=self.by.username,
                role=self.by.role_names,
                organisation_id=self.organisation.pk,
                resident_id=resident_id,
                object_type="measurement",
                object_id=str(measurement_id),
                action=AccessLog.Action.CREATE,
                purpose=IMPORT_PURPOSE,
            )
            for measurement_id, resident_id in self.created
        )

    def resident(self, row: dict[str, str]) -> Resident:
        residents = Resident.objects.filter(organisation=self.organisation)
        if row.get("bsn"):
            found = residents.filter(bsn=row["bsn"]).first()
            column = "bsn"
        else:
            number = row.get("inwoner_nummer", "")
            found = (
                residents.filter(pk=int(number)).first()
                if number.isdigit() and len(number) < 18
                else None
            )
            column = "inwoner_nummer"
        if found is None:
            raise ValidationError({column: no_resident()})
        return found

    def trajectory(self, resident: Resident, row: dict[str, str]) -> Trajectory:
        started = _date(row.get("traject_start", ""))
        try:
            day = dt.date.fromisoformat(started)
        except ValueError:
            raise ValidationError({"traject_start": not_a_date(started)}) from None
        trajectory = Trajectory.objects.filter(
            resident=resident, team__organisation=self.organisation, started_on=day
        ).first()
        if trajectory is None:
            raise ValidationError({"traject_start": no_trajectory(day)})
        return trajectory

    def import_row(self, number: int, row: dict[str, str], problems: Problems) -> bool:
        goal_ids: list[int] = []
        try:
            with transaction.atomic():
                resident = self.resident(row)
                trajectory = self.trajectory(resident, row)
                kind = Measurement.Kind.END if row.get("soort", "").lower() in END else ""
                draft = instrument.start_measurement(trajectory, self.by, kind)
                goal_ids = [g.pk for g in instrument.goals_to_review(draft)]
                _check_goal_words(row)
                data = board_fields(row, self.domain_keys, draft)
                board = BoardParser(data, self.domains, self.perspectives).parse()
                confirmed = instrument.confirm_measurement(draft, self.by, board)
                self.created.append((confirmed.pk, resident.pk))
        except ValidationError as error:
            _report(problems, number, error, goal_ids)
            return False
        return True


def _check_goal_words(row: dict[str, str]) -> None:
    """A goal linked to life domains without the resident's words: on the board such an
    empty goal is simply not kept, in a file it is a mistake worth naming."""
    for n in range(1, 100):
        if row.get(f"doel_{n}_leefgebieden") and not row.get(f"doel_{n}"):
            raise ValidationError(
                {
                    f"goal-{n - 1}-own_words": _(
                        "Goal %(n)s: write the goal in the resident's own words."
                    )
                    % {"n": n}
                }
            )


def _progress(job: ImportJob, done: int) -> None:
    """Progress (rows done of `job.rows_total`) is written through a connection of its
    own, so the screen sees it while the file's transaction is still open (PostgreSQL;
    SQLite has one writer at a time and shows the figures at the end)."""
    if connection.vendor != "postgresql":
        return
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ImportJob._meta.db_table} SET rows_done = %s, rows_total = %s "
                "WHERE id = %s",
                [done, job.rows_total, job.pk],
            )
        other.commit()
    finally:
        other.close()


def run(job: ImportJob, derive: bool = True) -> ImportJob:
    """Check (dry run) or import the job's file; all or nothing. The problems are kept
    as text in Dutch, the language of the screens. After a real import commits, the
    derived phase follows (`derived.finish`) unless not `derive` (bench/imports.py times
    the two phases apart)."""
    with translation.override("nl"):
        job = _run(job)
    if derive and job.state == ImportJob.State.DERIVING:
        return derived.finish(job)
    return job


def _run(job: ImportJob) -> ImportJob:
    bulk.start_clock()
    problems = Problems()
    imported = 0
    content, job.content = bytes(job.content), b""  # one copy of the file, not two
    source: Source | None = None
    try:
        importer = RowImporter(job.organisation, job.created_by)
        source = Source(job.file_name, content, set(importer.domain_keys))
    except Unreadable as error:
        problems.add(1, "bestand", str(error))
    job.rows_total = 0
    try:
        with transaction.atomic():
            bulk.lap("file opened")
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    # Safe for all-or-nothing: a crash may lose the commit, never half of it.
                    cursor.execute("SET LOCAL synchronous_commit = off")
            rest: list[tuple[int, dict[str, str]]] = []
            if source is not None:
                try:
                    # The file's rows live until it is done: about half the Python CPU
                    # of a 100,000-row import went to the collector walking them again
                    # (bench/RESULTS.md, third round). The import runs in a worker
                    # process of its own (`manage.py run_imports`): nothing else waits.
                    with collector_paused():
                        imported, rest = import_bulk(job, importer, source, problems)
                except Unreadable as error:  # a formula or too many rows, all rolled back
                    problems.items.clear()
                    problems.add(1, "bestand", str(error))
                    job.rows_total = 0
                    raise _Rollback from error
            done = job.rows_total - len(rest)
            for number, row in rest:
                if importer.import_row(number, row, problems):
                    imported += 1
                done += 1
                if done % PROGRESS_EVERY == 0:
                    _progress(job, done)
            if job.dry_run or problems.items:
                raise _Rollback
            importer.log_created()
            _mark_pending(job, imported)
    except _Rollback:
        pass
    bulk.lap("commit (or rollback)")
    if job.state == ImportJob.State.DERIVING:
        return job
    refused = bool(problems.items)
    job.problems = problems.items
    job.rows_done = job.rows_total
    job.imported = 0 if (refused or job.dry_run) else imported
    job.state = (
        ImportJob.State.REFUSED
        if refused
        else ImportJob.State.CHECKED
        if job.dry_run
        else ImportJob.State.DONE
    )
    job.finished_at = timezone.now()
    # The file holds BSNs and goals: once read, it is not kept (data minimisation).
    job.content = b""
    job.save(
        update_fields=[
            "content",
            "problems",
            "rows_done",
            "imported",
            "state",
            "finished_at",
            "rows_total",
        ]
    )
    bulk.lap("job row saved")
    return job


def _mark_pending(job: ImportJob, imported: int) -> None:
    """The end of a real run, in the file's transaction: imported and committed, the
    derived phase pending (`derived.py`). The marker commits with the rows or not at all,
    so a process that dies after the commit leaves a job `derived.finish_pending` finds."""
    job.state = ImportJob.State.DERIVING
    job.imported = imported
    job.rows_done = job.rows_total
    job.problems = []
    job.content = b""  # the file holds BSNs and goals: once read, it is not kept
    job.save(
        update_fields=[
            "state",
            "imported",
            "rows_done",
            "rows_total",
            "problems",
            "content",
            "derive_from",
            "derive_to",
        ]
    )


def claim_next() -> ImportJob | None:
    """The oldest waiting job, marked running; two workers never take the same one."""
    with transaction.atomic():
        job = (
            ImportJob.objects.select_for_update(skip_locked=True)
            .filter(state=ImportJob.State.QUEUED)
            .order_by("id")
            .first()
        )
        if job is None:
            return None
        job.state = ImportJob.State.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["state", "started_at"])
        return job


def requeue_interrupted(older_than: dt.timedelta = dt.timedelta(hours=2)) -> int:
    """A job still "running" long after it started was cut off (a restart): its
    transaction rolled back, so it can simply run again."""
    stale = timezone.now() - older_than
    return ImportJob.objects.filter(state=ImportJob.State.RUNNING, started_at__lt=stale).update(
        state=ImportJob.State.QUEUED
    )


def submit(
    organisation: Organisation, by: Staff, file_name: str, content: bytes, dry_run: bool
) -> ImportJob:
    return ImportJob.objects.create(
        organisation=organisation,
        created_by=by,
        file_name=file_name[:200],
        content=content,
        dry_run=dry_run,
    )
