"""The bulk path of an import: large files of start measurements at COPY speed.

A row goes the bulk way when it is the only row of its trajectory in the file and the
trajectory has no measurement yet (no confirmed one, no draft): then the board would
make a start measurement without goals to review, and the whole result follows from the
row alone. Every other row (follow-ups, several rows of one trajectory) still goes
through the board's services (`services.RowImporter`), in the same transaction.

The rows are checked with the instrument's own rules (`instrument.rules`: grade, chips,
perspectives, dates, completeness; `bounds`: plausible dates, text lengths) without a
query per row: residents, trajectories and earlier measurements are looked up per chunk.
Then the rows the confirmed board writes (measurement with its snapshot, chosen domains,
goals and their life domains), the due dates, the access log and the monitoring summary
are written set-based: COPY on PostgreSQL, executemany on SQLite.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from wattelt.audit.models import AccessLog
from wattelt.bounds import (
    TEXT_MAX_LENGTH,
    YEARS_AHEAD,
    YEARS_BACK,
    implausible_date,
    shown,
    too_long,
)
from wattelt.instrument import rules
from wattelt.instrument.forms import MAX_GOALS, goal_label
from wattelt.instrument.models import (
    GOAL_TEXT_FIELDS,
    Catalogue,
    ChosenDomain,
    Domain,
    Goal,
    Measurement,
    NotFilledIn,
)
from wattelt.instrument.schedule import next_due_on
from wattelt.monitoring import summary
from wattelt.organisations.models import Organisation, Staff
from wattelt.residents.models import Resident, Trajectory

from .reading import PERSPECTIVE_COLUMNS

log = logging.getLogger(__name__)
_clock = [time.perf_counter()]


def start_clock() -> None:
    _clock[0] = time.perf_counter()


def lap(what: str) -> None:
    """Log the seconds since the last lap: the phases of a large import (bench/imports.py
    prints them)."""
    now = time.perf_counter()
    log.info("%s: %.1f s", what, now - _clock[0])
    _clock[0] = now


CHUNK = 20_000
REBUILD_ABOVE = 20_000
"""More trajectories than this: the monitoring summary is rebuilt as a whole (a few
set-based statements) instead of per trajectory (statements per 500 trajectories)."""
YES = {"ja", "j", "x", "1", "yes"}


@dataclass
class Place:
    """The trajectory a row belongs to, looked up in bulk."""

    trajectory_id: int
    resident_id: int
    started_on: dt.date
    ended_on: dt.date | None


@dataclass
class Prepared:
    """One checked row, ready to be written."""

    place: Place
    measured_on: dt.date
    quality_of_life: int
    choices: dict[str, tuple[int | None, int | None, int | None, bool]]
    goals: list[tuple[str, list[str]]] = field(default_factory=list)


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def parse_date(raw: str) -> dt.date | None:
    for pattern in ("%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    return None


class Lookups:
    """Residents, trajectories and earlier measurements for all rows: one query each over
    the organisation (a few seconds for a million rows), not a query per row. Long
    `IN (...)` lists are avoided on purpose: PostgreSQL plans them slowly."""

    def __init__(self, organisation: Organisation) -> None:
        self.organisation = organisation

    def residents(self, rows: Sequence[dict[str, str]]) -> tuple[dict[str, int], dict[int, int]]:
        own = Resident.objects.filter(organisation=self.organisation)
        by_bsn: dict[str, int] = {}
        if any(r.get("bsn") for r in rows):
            by_bsn.update(own.exclude(bsn="").values_list("bsn", "pk").iterator(CHUNK))
        by_number = {pk: pk for pk in own.values_list("pk", flat=True).iterator(CHUNK)}
        return by_bsn, by_number

    def places(self) -> dict[tuple[int, dt.date], Place]:
        found: dict[tuple[int, dt.date], Place] = {}
        rows = (
            Trajectory.objects.filter(team__organisation=self.organisation)
            .order_by("pk")
            .values_list("pk", "resident_id", "started_on", "ended_on")
        )
        for pk, resident_id, started_on, ended_on in rows.iterator(CHUNK):
            found.setdefault(
                (resident_id, started_on), Place(pk, resident_id, started_on, ended_on)
            )
        return found

    def measured(self) -> set[int]:
        """The trajectories that already have a measurement (confirmed or draft)."""
        return set(
            Measurement.objects.filter(
                trajectory__team__organisation=self.organisation,
                status__in=[Measurement.Status.CONFIRMED, Measurement.Status.DRAFT],
            )
            .values_list("trajectory_id", flat=True)
            .distinct()
            .iterator(CHUNK)
        )


class _Card:
    """A life domain as the completeness rule sees it: prints as its label, compares by
    identity (cheaper than a model instance, a million times over)."""

    __slots__ = ("label",)

    def __init__(self, label: str) -> None:
        self.label = label

    def __str__(self) -> str:
        return self.label


class BulkChecker:
    """Checks a row of the bulk way with the instrument's rules; the messages and field
    names are the board's, so `services.column_of` names the file's columns. The rules'
    answers for a value seen before (a chip "40", a date) are remembered: a file repeats
    few distinct values."""

    def __init__(self, domains: list[Domain], perspectives: list[str], columns: Iterable[str]):
        self.domains = {d.key: d for d in domains}
        self.cards = {d.key: _Card(str(d)) for d in domains}
        self.perspectives = perspectives
        self.today = timezone.localdate()
        self.date_label = _("Date of the measurement")
        self.refused = {
            p: rules.perspective_problem(p, perspectives) for p in PERSPECTIVE_COLUMNS.values()
        }
        # Per domain: its chip columns (file column, perspective, board field) and priority.
        self.chip_columns = {
            d.key: [
                (f"{d.key}_{c}", p, f"chip-{p}-{d.key}") for c, p in PERSPECTIVE_COLUMNS.items()
            ]
            for d in domains
        }
        self.goal_numbers = sorted(
            int(c[5:]) for c in columns if c.startswith("doel_") and c[5:].isdigit()
        )
        self._numbers: dict[str, tuple[int | None, str | None]] = {}
        self._chips: dict[tuple[int, str], str | None] = {}
        self._days: dict[str, tuple[dt.date | None, str | None]] = {}

    def check(self, row: dict[str, str], place: Place) -> Prepared:
        errors: dict[str, str] = {}
        goals = self._goals(row, errors)
        if errors:  # a goal without words: named first, as in the row path
            raise ValidationError(errors)
        measured_on = self._measured_on(row, errors)
        grade = self._whole(row.get("cijfer", ""), "quality_of_life", errors)
        if grade is not None and (problem := rules.grade_problem(grade)):
            errors["quality_of_life"] = problem
            grade = None
        choices = self._choices(row, errors)
        if errors:
            raise ValidationError(errors)
        if place.ended_on is not None:
            raise ValidationError(rules.closed_problem(place.ended_on))
        assert measured_on is not None
        problem = rules.measured_on_problem(measured_on, self.today, place.started_on, None)
        if problem:
            raise ValidationError({"measured_on": problem})
        cards = self.cards
        missing = rules.completeness_problems(
            {cards[k]: c[0] for k, c in choices.items()},
            grade,
            [(words, {cards[k] for k in keys}) for words, keys in goals],
        )
        if missing:
            raise ValidationError(missing)
        assert grade is not None
        return Prepared(place, measured_on, grade, choices, goals)

    def _whole(self, raw: str, name: str, errors: dict[str, str]) -> int | None:
        known = self._numbers.get(raw)
        if known is None:
            known = self._numbers[raw] = rules.whole_number(raw)
        value, problem = known
        if problem:
            errors[name] = problem
        return value

    def _measured_on(self, row: dict[str, str], errors: dict[str, str]) -> dt.date | None:
        raw = row.get("datum", "")
        if not raw:
            return self.today  # the board's default: measured today
        known = self._days.get(raw)
        if known is None:
            known = self._days[raw] = self._day(raw)
        day, problem = known
        if problem:
            errors["measured_on"] = problem
        return day

    def _day(self, raw: str) -> tuple[dt.date | None, str | None]:
        day = parse_date(raw)
        if day is None:
            return None, _("“%(value)s” is not a date (use dd-mm-yyyy).") % {"value": shown(raw)}
        message = implausible_date(
            day, self.date_label, years_back=YEARS_BACK, years_ahead=YEARS_AHEAD
        )
        return (None, message) if message else (day, None)

    def _choices(
        self, row: dict[str, str], errors: dict[str, str]
    ) -> dict[str, tuple[int | None, int | None, int | None, bool]]:
        choices = {}
        for key, columns in self.chip_columns.items():
            raw = [
                (row.get(column, ""), perspective, name) for column, perspective, name in columns
            ]
            if not any(value for value, _p, _n in raw):
                continue
            chips: dict[str, int | None] = {}
            for value, perspective, name in raw:
                placed = perspective == "resident" or value != ""
                if not placed:
                    continue
                if refused := self.refused[perspective]:
                    errors[name] = refused
                    continue
                chip = self._whole(value, name, errors)
                if chip is not None:
                    problem = self._chips.get((chip, key), "")
                    if problem == "":
                        problem = self._chips[(chip, key)] = rules.chip_problem(
                            chip, self.domains[key]
                        )
                    if problem:
                        errors[name] = problem
                        chip = None
                chips[perspective] = chip
            prioritised = row.get(f"{key}_prioriteit", "").lower() in YES
            choices[key] = (
                chips.get("resident"),
                chips.get("professional"),
                chips.get("carer"),
                prioritised,
            )
        return choices

    def _goals(self, row: dict[str, str], errors: dict[str, str]) -> list[tuple[str, list[str]]]:
        goals: list[tuple[str, list[str]]] = []
        numbers = self.goal_numbers
        if len(numbers) > MAX_GOALS:
            errors[NON_FIELD_ERRORS] = _("A measurement has at most %(max)s goals.") % {
                "max": MAX_GOALS
            }
            return []
        for n in numbers:
            words = row.get(f"doel_{n}", "").strip()
            keys = row.get(f"doel_{n}_leefgebieden", "").replace(",", " ").split()
            if keys and not words:
                errors[f"goal-{n - 1}-own_words"] = _(
                    "Goal %(n)s: write the goal in the resident's own words."
                ) % {"n": n}
                return goals
            unknown = [k for k in keys if k not in self.domains]
            if unknown:
                errors[f"goal-{n - 1}-domains"] = _("Unknown life domain: %(keys)s.") % {
                    "keys": shown(", ".join(unknown))
                }
            if not words:
                continue
            long = too_long(words, TEXT_MAX_LENGTH)
            if long:
                label = goal_label(len(goals) + 1, "own_words")
                errors[f"goal-{n - 1}-own_words"] = f"{label}: {long}"
            goals.append((words[:TEXT_MAX_LENGTH], [k for k in keys if k in self.domains]))
        return goals


class BulkWriter:
    """Writes checked rows as the confirmed board would, set-based."""

    def __init__(self, organisation: Organisation, by: Staff, catalogue: Catalogue) -> None:
        self.organisation = organisation
        self.by = by
        self.catalogue = catalogue
        self.domains = {d.key: d for d in catalogue.domains.all()}
        self.postgres = connection.vendor == "postgresql"

    def write(self, prepared: list[Prepared]) -> list[tuple[int, int]]:
        """Returns (measurement id, resident id) per written measurement."""
        if not prepared:
            return []
        now = timezone.now()
        lap("write")
        measurement_ids = self._ids(Measurement, len(prepared))
        goal_ids = iter(self._ids(Goal, sum(len(p.goals) for p in prepared)))
        measurements: list[tuple[object, ...]] = []
        choices: list[tuple[object, ...]] = []
        goals: list[tuple[object, ...]] = []
        goal_domains: list[tuple[object, ...]] = []
        through = Goal.domains.through
        for item, measurement_id in zip(prepared, measurement_ids, strict=True):
            snapshot_goals: list[dict[str, object]] = []
            for position, (words, keys) in enumerate(item.goals):
                goal_id = next(goal_ids)
                texts = dict.fromkeys(GOAL_TEXT_FIELDS, "") | {"own_words": words}
                goals.append(
                    (
                        goal_id,
                        item.place.trajectory_id,
                        measurement_id,
                        position,
                        *(texts[f] for f in GOAL_TEXT_FIELDS),
                        None,
                        Goal.Status.OPEN.value,
                    )
                )
                goal_domains.extend((goal_id, self.domains[k].pk) for k in dict.fromkeys(keys))
                snapshot_goals.append(
                    {"id": goal_id, "domains": sorted(set(keys)), "due_on": None, **texts}
                )
            for key, (resident, professional, carer, prioritised) in item.choices.items():
                choices.append(
                    (
                        measurement_id,
                        self.domains[key].pk,
                        resident,
                        professional,
                        carer,
                        prioritised,
                    )
                )
            measurements.append(
                (
                    measurement_id,
                    item.place.trajectory_id,
                    Measurement.Kind.START.value,
                    Measurement.Status.CONFIRMED.value,
                    self.catalogue.pk,
                    item.measured_on,
                    item.quality_of_life,
                    "",
                    2,  # opened as revision 1, confirmed as revision 2
                    self.by.pk,
                    now,
                    self.by.pk,
                    now,
                    self.by.pk,
                    now,
                    1,
                    None,
                    "",
                    json.dumps(self._snapshot(item, snapshot_goals)),
                )
            )
        self._insert(
            Measurement,
            [
                "id",
                "trajectory_id",
                "kind",
                "status",
                "catalogue_id",
                "measured_on",
                "quality_of_life",
                "carer_relation",
                "revision",
                "created_by_id",
                "created_at",
                "updated_by_id",
                "updated_at",
                "confirmed_by_id",
                "confirmed_at",
                "version",
                "corrects_id",
                "correction_reason",
                "snapshot",
            ],
            measurements,
        )
        self._insert(
            ChosenDomain,
            [
                "measurement_id",
                "domain_id",
                "resident_chip",
                "professional_chip",
                "carer_chip",
                "prioritised",
            ],
            choices,
        )
        self._insert(
            Goal,
            [
                "id",
                "trajectory_id",
                "stated_in_id",
                "position",
                *GOAL_TEXT_FIELDS,
                "due_on",
                "status",
            ],
            goals,
        )
        self._insert(through, ["goal_id", "domain_id"], goal_domains)
        lap("rows written (COPY)")
        self._due_dates(prepared, now)
        lap("due dates")
        written = [(m, p.place.resident_id) for m, p in zip(measurement_ids, prepared, strict=True)]
        self._log(written, now)
        lap("access log")
        self._summary([p.place.trajectory_id for p in prepared])
        lap("monitoring summary")
        return written

    def _snapshot(self, item: Prepared, goals: list[dict[str, object]]) -> dict[str, object]:
        """As `instrument.services._snapshot` freezes a confirmed start measurement."""
        order = sorted(item.choices, key=lambda k: (self.domains[k].position, self.domains[k].pk))
        return {
            "kind": Measurement.Kind.START.value,
            "version": 1,
            "measured_on": item.measured_on.isoformat(),
            "quality_of_life": item.quality_of_life,
            "carer_relation": "",
            "correction_reason": "",
            "choices": [
                {
                    "domain": key,
                    "label": self.domains[key].labels.get("nl", key),
                    "resident": item.choices[key][0],
                    "professional": item.choices[key][1],
                    "carer": item.choices[key][2],
                    "prioritised": item.choices[key][3],
                }
                for key in order
            ],
            "goals": goals,
            "reviews": [],
        }

    def _ids(self, model: type[Any], count: int) -> list[int]:
        if count == 0:
            return []
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if self.postgres:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, count],
                )
                return [row[0] for row in cursor.fetchall()]
            # SQLite has one writer at a time: the file's transaction holds it.
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            first = cursor.fetchone()[0] + 1
            return list(range(first, first + count))

    def _insert(self, model: type[Any], columns: list[str], rows: list[tuple[object, ...]]) -> None:
        if not rows:
            return
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                return
            marks = ", ".join(["%s"] * len(columns))
            statement = f"INSERT INTO {table} ({names}) VALUES ({marks})"
            for part in chunks(rows, 5_000):
                cursor.executemany(statement, [tuple(map(self._sqlite, row)) for row in part])

    @staticmethod
    def _sqlite(value: object) -> Any:
        if isinstance(value, dt.datetime):
            return connection.ops.adapt_datetimefield_value(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        return value

    def _due_dates(self, prepared: list[Prepared], now: dt.datetime) -> None:
        """`schedule.refresh_due_date` for every trajectory, in one statement."""
        skipped = dict(
            NotFilledIn.objects.filter(trajectory__team__organisation=self.organisation)
            .values("trajectory_id")
            .annotate(last=Max("recorded_on"))
            .values_list("trajectory_id", "last")
        )
        dues = [
            (
                item.place.trajectory_id,
                next_due_on(
                    self.organisation,
                    item.place.started_on,
                    [item.measured_on, skipped.get(item.place.trajectory_id)],
                ),
            )
            for item in prepared
        ]
        table = connection.ops.quote_name(Trajectory._meta.db_table)
        with connection.cursor() as cursor:
            if self.postgres:
                cursor.execute(
                    f"UPDATE {table} t SET measurement_due_on = d.due, last_activity_at = %s "
                    "FROM (SELECT unnest(%s::bigint[]) AS id, unnest(%s::date[]) AS due) d "
                    "WHERE t.id = d.id",
                    [now, [i for i, _d in dues], [d for _i, d in dues]],
                )
                return
            statement = (
                f"UPDATE {table} SET measurement_due_on = %s, last_activity_at = %s WHERE id = %s"
            )
            stamp = self._sqlite(now)
            for part in chunks(dues, 5_000):
                cursor.executemany(statement, [(d.isoformat(), stamp, i) for i, d in part])

    def _log(self, written: list[tuple[int, int]], now: dt.datetime) -> None:
        """One access-log record per imported measurement."""
        self._insert(
            AccessLog,
            [
                "at",
                "user_id",
                "username",
                "role",
                "on_behalf_of",
                "organisation_id",
                "resident_id",
                "object_type",
                "object_id",
                "action",
                "purpose",
                "outcome",
                "client_address",
            ],
            [
                (
                    now,
                    self.by.pk,
                    self.by.username,
                    self.by.role_names[:40],
                    "",
                    self.organisation.pk,
                    resident_id,
                    "measurement",
                    str(measurement_id),
                    AccessLog.Action.CREATE.value,
                    IMPORT_PURPOSE,
                    AccessLog.Outcome.SUCCESS.value,
                    None,
                )
                for measurement_id, resident_id in written
            ],
        )

    def _summary(self, trajectory_ids: list[int]) -> None:
        if len(trajectory_ids) > REBUILD_ABOVE:
            summary.rebuild()
        else:
            summary.refresh_trajectories(trajectory_ids)


IMPORT_PURPOSE = "import of historic measurements"


def single_rows(rows: Iterable[tuple[int, Place]]) -> set[int]:
    """The row numbers whose trajectory occurs once in the file."""
    listed = list(rows)
    counts = Counter(place.trajectory_id for _n, place in listed)
    return {n for n, place in listed if counts[place.trajectory_id] == 1}
