"""Writing the checked rows of the bulk way (`bulk.py`) as the confirmed board would.

Per chunk of checked rows: the measurement with its snapshot, the chosen domains, the
goals and their life domains and one access-log record per measurement, all set-based:
COPY on PostgreSQL, executemany on SQLite. Ids come from the tables' sequences up front.

What is derived from these rows (the trajectories' due dates and last activity, the
monitoring summary, the change log of the published figures, the adoption summary) is
brought up to date after the file's transaction
commits, in the derived phase (`derived.py`); the writer remembers the range of
measurement ids it wrote, the job's pending marker.

On PostgreSQL a thread of its own copies each chunk's rows on the file's connection (the
raw psycopg connection, inside the file's transaction) while the importing thread builds
the next chunk's rows (ids drawn on a second connection), so Python and the server
overlap (`Loader`); on SQLite (one writer, the tests) each chunk is written in the
checking thread.
"""

from __future__ import annotations

import datetime as dt
import json
import queue
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from json.encoder import encode_basestring_ascii  # type: ignore[attr-defined]
from typing import Any

from django.db import connection, connections
from django.utils import timezone
from psycopg._copy_base import format_row_binary  # the C encoder behind `Copy.write_row`
from psycopg.adapt import Transformer
from psycopg.pq import Format
from psycopg.types.json import set_json_dumps

from wattelt.audit.models import AccessLog
from wattelt.instrument.models import GOAL_TEXT_FIELDS, Catalogue, ChosenDomain, Goal, Measurement
from wattelt.organisations.models import Organisation, Staff

from .bulk import Chips, Choice, Prepared, lap

IMPORT_PURPOSE = "import of historic measurements"
COLUMNS: dict[str, list[str]] = {
    Measurement._meta.db_table: [
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
    ChosenDomain._meta.db_table: [
        "id",
        "measurement_id",
        "domain_id",
        "resident_chip",
        "professional_chip",
        "carer_chip",
        "prioritised",
    ],
    Goal._meta.db_table: [
        "id",
        "trajectory_id",
        "stated_in_id",
        "position",
        *GOAL_TEXT_FIELDS,
        "due_on",
        "status",
    ],
    Goal.domains.through._meta.db_table: ["goal_id", "domain_id"],
    AccessLog._meta.db_table: [
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
}
Rows = dict[str, list[tuple[object, ...]]]
# COPY's binary format (PostgreSQL docs, COPY, "Binary Format"): the signature, the flags
# (no OIDs) and the header extension's length; a field count of -1 ends the data.
BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
BINARY_TRAILER = b"\xff\xff"
SEND_ROWS = 1_000
"""Rows encoded before they are sent: ~1 MB of measurements, ~60 kB of chosen domains."""
# A goal's row puts the resident's words first, then the other texts, all empty.
assert GOAL_TEXT_FIELDS[0] == "own_words"


def _json_int(value: int | None) -> str:
    return "null" if value is None else str(value)


_json_text = encode_basestring_ascii
"""A string as JSON, as json.dumps writes it (without its per-call overhead)."""


def _as_is(text: str) -> str:
    return text


class ChunkWriter:
    """Writes chunks of checked rows through a DB-API cursor (the raw psycopg cursor on
    PostgreSQL, Django's cursor on SQLite). Knows everything it needs up front, so it
    asks the database nothing but ids while writing."""

    def __init__(
        self,
        organisation: Organisation,
        by: Staff,
        catalogue: Catalogue,
    ) -> None:
        self.organisation = organisation
        self.by = by
        self.catalogue = catalogue
        self.domains = {d.key: d for d in catalogue.domains.all()}
        self.order = {d.key: (d.position, d.pk) for d in self.domains.values()}
        self.domain_ids = {k: d.pk for k, d in self.domains.items()}
        self.orders: dict[tuple[str, ...], list[str]] = {}
        self.goal_keys: dict[tuple[str, ...], str] = {}
        self.choice_heads = {
            k: f'{{"domain": {json.dumps(k)}, "label": {json.dumps(d.labels.get("nl", k))}, '
            '"resident": '
            for k, d in self.domains.items()
        }
        self.snapshot_head = (
            f'{{"kind": "{Measurement.Kind.START.value}", "version": 1, "measured_on": '
        )
        self.empty_texts = "".join(f', "{f}": ""' for f in GOAL_TEXT_FIELDS if f != "own_words")
        # The lowest and highest measurement id written: the derived phase's marker.
        self.first_id: int | None = None
        self.last_id: int | None = None
        self.postgres = connection.vendor == "postgresql"
        self.now = timezone.now()
        self.role = by.role_names[:40]
        self.sequences: dict[str, str] = {}
        self.steps: dict[str, int] = {}  # per table its sequence's increment
        self.reserved = False
        """Set while the exclusive load holds the tables: the ids are reserved by moving
        each sequence once per chunk, not drawn one by one (`_ids`)."""
        self.types: dict[str, list[int]] = {}  # per table the type oids of its COLUMNS
        if self.postgres:
            with connection.cursor() as cursor:
                for model in (Measurement, ChosenDomain, Goal):
                    table = model._meta.db_table
                    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
                    self.sequences[table] = cursor.fetchone()[0]
                    cursor.execute(
                        "SELECT seqincrement FROM pg_sequence WHERE seqrelid = %s::regclass",
                        [self.sequences[table]],
                    )
                    self.steps[table] = cursor.fetchone()[0]
                for table, columns in COLUMNS.items():
                    cursor.execute(
                        "SELECT attname, atttypid FROM pg_attribute "
                        "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
                        [table],
                    )
                    oids = dict(cursor.fetchall())
                    self.types[table] = [oids[c] for c in columns]

    def write(self, prepared: Sequence[Prepared], cursor: Any) -> int:
        """Builds the chunk's rows and writes them, on one cursor (SQLite)."""
        if not prepared:
            return 0
        self.load(self.rows(prepared, cursor), cursor)
        return len(prepared)

    def load(self, rows: Rows, cursor: Any) -> None:
        """Writes rows made by `rows`: COPY on PostgreSQL, executemany on SQLite."""
        for table, values in rows.items():
            self._insert(cursor, table, values)

    def rows(self, prepared: Sequence[Prepared], cursor: Any) -> Rows:
        """Every row the confirmed board writes for these start measurements. The loop
        runs a million times: what does not change per row is looked up before it."""
        measurement_ids = self._ids(cursor, Measurement, len(prepared))
        low, high = min(measurement_ids), max(measurement_ids)
        self.first_id = low if self.first_id is None else min(self.first_id, low)
        self.last_id = high if self.last_id is None else max(self.last_id, high)
        choice_ids = iter(self._ids(cursor, ChosenDomain, sum(len(p.choices) for p in prepared)))
        goal_ids = iter(self._ids(cursor, Goal, sum(len(p.goals) for p in prepared)))
        rows: Rows = {table: [] for table in COLUMNS}
        add_measurement = rows[Measurement._meta.db_table].append
        add_choice = rows[ChosenDomain._meta.db_table].append
        add_goal = rows[Goal._meta.db_table].append
        add_goal_domains = rows[Goal.domains.through._meta.db_table].extend
        add_log = rows[AccessLog._meta.db_table].append
        by, now, organisation_id = self.by.pk, self.now, self.organisation.pk
        username, role, catalogue_id = self.by.username, self.role, self.catalogue.pk
        start, confirmed = Measurement.Kind.START.value, Measurement.Status.CONFIRMED.value
        create, success = AccessLog.Action.CREATE.value, AccessLog.Outcome.SUCCESS.value
        goal_open = Goal.Status.OPEN.value
        blank_texts = ("",) * (len(GOAL_TEXT_FIELDS) - 1)
        domain_ids = self.domain_ids
        snapshot, made = self._snapshot, self._made
        for item, measurement_id in zip(prepared, measurement_ids, strict=True):
            place = item.place
            trajectory_id = place.trajectory_id
            for key, choice in item.choices.items():
                values = choice.row or made(key, choice)
                add_choice((next(choice_ids), measurement_id, *values))
            snapshot_goals: list[tuple[int, str, tuple[str, ...]]] = []
            for position, (words, keys) in enumerate(item.goals):
                goal_id = next(goal_ids)
                add_goal(
                    (
                        goal_id,
                        trajectory_id,
                        measurement_id,
                        position,
                        words,
                        *blank_texts,
                        None,
                        goal_open,
                    )
                )
                add_goal_domains((goal_id, domain_ids[k]) for k in dict.fromkeys(keys))
                snapshot_goals.append((goal_id, words, keys))
            add_measurement(
                (
                    measurement_id,
                    trajectory_id,
                    start,
                    confirmed,
                    catalogue_id,
                    item.measured_on,
                    item.quality_of_life,
                    "",
                    2,  # opened as revision 1, confirmed as revision 2
                    by,
                    now,
                    by,
                    now,
                    by,
                    now,
                    1,
                    None,
                    "",
                    snapshot(item, snapshot_goals),
                )
            )
            add_log(
                (
                    now,
                    by,
                    username,
                    role,
                    "",
                    organisation_id,
                    place.resident_id,
                    "measurement",
                    str(measurement_id),
                    create,
                    IMPORT_PURPOSE,
                    success,
                    None,
                )
            )
        return rows

    def _snapshot(self, item: Prepared, goals: list[tuple[int, str, tuple[str, ...]]]) -> str:
        """As `instrument.services._snapshot` freezes a confirmed start measurement, as
        JSON text put together from pieces made once (json.dumps of the whole dict costs
        ~25 µs a row): a chosen domain's text is made once per `Choice` (`_made`, before
        this). tests/imports/test_loading.py holds it to json.dumps."""
        choices = item.choices
        keys = tuple(choices)
        order = self.orders.get(keys)
        if order is None:
            order = self.orders[keys] = sorted(keys, key=self.order.__getitem__)
        texts = ", ".join([choices[key].text for key in order])
        goal_texts = ", ".join(
            f'{{"id": {goal_id}, "domains": {self._keys(keys)}, "due_on": null, '
            f'"own_words": {_json_text(words)}{self.empty_texts}}}'
            for goal_id, words, keys in goals
        )
        return (
            f'{self.snapshot_head}"{item.measured_on.isoformat()}", '
            f'"quality_of_life": {item.quality_of_life}, "carer_relation": "", '
            f'"correction_reason": "", "choices": [{texts}], '
            f'"goals": [{goal_texts}], "reviews": []}}'
        )

    def _made(self, key: str, choice: Choice) -> tuple[object, ...]:
        """A choice's snapshot text and its row's values after the ids (the domain, the
        chips, the priority), made once per `Choice` and kept on it."""
        choice.text = self._choice_text(key, choice.chips)
        choice.row = (self.domain_ids[key], *choice.chips)
        return choice.row

    def _choice_text(self, key: str, chips: Chips) -> str:
        resident, professional, carer, prioritised = chips
        return (
            f"{self.choice_heads[key]}{_json_int(resident)}, "
            f'"professional": {_json_int(professional)}, "carer": {_json_int(carer)}, '
            f'"prioritised": {"true" if prioritised else "false"}}}'
        )

    def _keys(self, keys: tuple[str, ...]) -> str:
        """A goal's life domains as JSON, sorted, each once: made once per distinct list."""
        found = self.goal_keys.get(keys)
        if found is None:
            found = self.goal_keys[keys] = json.dumps(sorted(set(keys)))
        return found

    def _ids(self, cursor: Any, model: type[Any], count: int) -> list[int]:
        if count == 0:
            return []
        table = model._meta.db_table
        if self.postgres and self.reserved and self.steps[table] == 1:
            # No one else inserts into the table while the exclusive load holds it, so
            # no one else draws from its sequence: the chunk's ids are reserved by moving
            # the sequence past them in one step (7 million ids per million rows drawn
            # one by one cost the server ~3 CPU-s).
            cursor.execute(
                "SELECT setval(%s, nextval(%s) + %s - 1)", [self.sequences[table]] * 2 + [count]
            )
            high = cursor.fetchone()[0]
            return list(range(high - count + 1, high + 1))
        if self.postgres:
            # The ids drawn come back as their range when they are consecutive (no other
            # writer drew one meanwhile, nearly always), else as an array: a third less
            # waiting for the importing thread than a row per id.
            cursor.execute(
                "SELECT min(v), max(v), CASE WHEN max(v) - min(v) + 1 = count(*) THEN NULL "
                "ELSE array_agg(v ORDER BY v) END "
                "FROM (SELECT nextval(%s) AS v FROM generate_series(1, %s)) AS drawn",
                [self.sequences[table], count],
            )
            low, high, scattered = cursor.fetchone()
            return list(range(low, high + 1)) if scattered is None else scattered
        # SQLite has one writer at a time: the file's transaction holds it.
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        first = cursor.fetchone()[0] + 1
        return list(range(first, first + count))

    def _insert(self, cursor: Any, table: str, rows: list[tuple[object, ...]]) -> None:
        if not rows:
            return
        columns = COLUMNS[table]
        names = ", ".join(f'"{c}"' for c in columns)
        if self.postgres:
            # Binary: per 100,000 measurements ~0.4 s less Python and ~0.3 s less server
            # CPU than text rows (bench/RESULTS.md, third round). The snapshot is JSON text
            # already: `set_json_dumps` on the cursor passes it on as it is.
            with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN (FORMAT BINARY)') as copy:
                self._copy_binary(copy, cursor, table, rows)
            return
        marks = ", ".join(["%s"] * len(columns))
        statement = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'
        for start in range(0, len(rows), 5_000):
            part = rows[start : start + 5_000]
            cursor.executemany(statement, [tuple(map(self._sqlite, row)) for row in part])

    def _copy_binary(
        self, copy: Any, cursor: Any, table: str, rows: list[tuple[object, ...]]
    ) -> None:
        """The rows as a COPY BINARY stream (header, rows, trailer), each row encoded by
        psycopg's own C encoder: half the Python of `Copy.write_row`, whose two Python
        calls per row cost as much as the encoding (~0.25 against ~0.5 µs a row, 9
        million rows per million measurements; bench/RESULTS.md, stop 32). Sent every
        `SEND_ROWS` rows, so the server works on them while the rest is encoded."""
        transformer = Transformer(cursor)
        transformer.set_dumper_types(self.types[table], Format.BINARY)
        stream = bytearray(BINARY_HEADER)
        for start in range(0, len(rows), SEND_ROWS):
            for row in rows[start : start + SEND_ROWS]:
                format_row_binary(row, transformer, stream)
            copy.write(stream)
            stream = bytearray()
        copy.write(BINARY_TRAILER)

    @staticmethod
    def _sqlite(value: object) -> Any:
        if isinstance(value, dt.datetime):
            return connection.ops.adapt_datetimefield_value(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        return value


class Loader:
    """Hands chunks to a `ChunkWriter`. On PostgreSQL, a pipeline of two threads: the
    calling thread builds each chunk's rows (Python) with ids drawn on a
    connection of its own, while a writer thread copies the rows built before into the
    file's transaction on the file's (raw) connection (the server), so neither waits for
    the other; on SQLite everything happens in the calling thread. Use it as a context
    manager; `written` counts the rows. A failure in the writer thread is raised in the
    calling thread.

    The second connection only draws ids (`nextval`, which no rollback returns anyway,
    and which the exclusive load's locks on the tables do not block); every row is
    written on the file's one connection, in its one transaction: all or nothing."""

    def __init__(self, writer: ChunkWriter) -> None:
        self.writer = writer
        self.written = 0
        self.error: BaseException | None = None
        self.threaded = writer.postgres
        self.chunks: queue.Queue[tuple[Rows, int] | None] = queue.Queue(maxsize=3)
        self.thread = threading.Thread(target=self._work, name="import-copy", daemon=True)

    def __enter__(self) -> Loader:
        if self.threaded:
            connection.ensure_connection()
            self.raw = connection.connection
            self.ids = connections.create_connection(connection.alias)
            self.ids_cursor = self.ids.cursor()
            self.thread.start()
        return self

    def __exit__(self, kind: object, error: object, traceback: object) -> None:
        if self.threaded:
            self._put(None)
            self.thread.join()
            self.ids_cursor.close()
            self.ids.close()
        if error is None:
            self._raise()

    def put(self, prepared: Sequence[Prepared]) -> None:
        self._raise()
        if not self.threaded:
            with connection.cursor() as cursor:
                self.written += self.writer.write(prepared, cursor)
            return
        if prepared:
            rows = self.writer.rows(prepared, self.ids_cursor)
            self._put((rows, len(prepared)))

    def _put(self, item: tuple[Rows, int] | None) -> None:
        while self.thread.is_alive():
            try:
                self.chunks.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error

    def _work(self) -> None:
        try:
            with self.raw.cursor() as cursor:
                set_json_dumps(_as_is, cursor)  # the snapshots are JSON text already
                while (item := self.chunks.get()) is not None:
                    rows, count = item
                    self.writer.load(rows, cursor)
                    self.written += count
        except BaseException as exc:  # handed to the checking thread
            self.error = exc


LOADED_TABLES = [
    Measurement._meta.db_table,
    ChosenDomain._meta.db_table,
    Goal._meta.db_table,
    Goal.domains.through._meta.db_table,
    # Not the trajectories: their due date and last activity are derived after the
    # commit (`derived.finish`), by an UPDATE of rows that exist; keeping their indexes
    # up to date in it costs less than dropping and building all of them again over the
    # table (bench/RESULTS.md, import15d: less CPU in the cluster).
]


@contextmanager
def exclusive_load(tables: Sequence[str] = LOADED_TABLES) -> Iterator[None]:
    """PostgreSQL: load the tables as into an empty database. Their foreign keys, unique
    constraints (not the primary keys) and secondary indexes are dropped here and built
    again, each in one pass, when the block ends without an error, all inside the file's
    transaction: if anything fails, the rollback brings them back unchanged. Every
    unique constraint is checked in full when it is added again; the foreign keys come
    back `NOT VALID` (enforced for every later row at once) and are validated after the
    commit, in the derived phase (`derived.validate_keys`). The bulk way's lookups have
    already proven every reference the loaded rows make (trajectory, staff, catalogue,
    life domains, the ids it drew itself): the validation costs ~8 s of server CPU per
    million rows and would only find a bug (docs/adr/0014-import-derived-phase.md).
    Dropping a foreign key locks both its tables exclusively until the commit (the board
    and sign-in wait), hence `settings.IMPORT_EXCLUSIVE_ROWS`."""
    connection.check_constraints()  # PostgreSQL alters no table with checks still pending
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) "
            "ORDER BY conrelid, conname",
            [list(tables)],
        )
        keys = cursor.fetchall()
        # Unique constraints no foreign key points at (the primary keys stay).
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint u WHERE contype = 'u' AND conrelid = ANY(%s::regclass[]) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint f "
            "WHERE f.contype = 'f' AND f.conindid = u.conindid) "
            "ORDER BY conrelid, conname",
            [list(tables)],
        )
        uniques = cursor.fetchall()
        # Every other index that is neither a constraint's nor one a foreign key uses,
        # unique ones (partial unique indexes of conditional constraints) first.
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
            "ORDER BY i.indisunique DESC, i.indrelid, i.indexrelid",
            [list(tables)],
        )
        indexes = cursor.fetchall()
        for table, name, _definition in keys + uniques:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    lap("rows loaded")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for table, name, definition in uniques:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        lap("unique constraints checked")
        for _name, definition in indexes:
            cursor.execute(definition)
        lap("indexes built")
        for table, name, definition in keys:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition} NOT VALID')
    lap("foreign keys added (not valid)")
