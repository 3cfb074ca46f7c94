"""Published figures: the suppressed cube of each scope and year, stored as a snapshot.

Computing a scope's cube (`cube.linked_table` + `suppress_small_cells`) takes seconds for
a municipality. Instead of doing that on the first page view after every change, the
command `publish_monitoring_figures` (cron) builds the cube of every scope users can have
and stores it here, cut into slices per period, area and age group; the dashboard,
presentation, exports and PDF read the cube's description and the few slices they show
(two or three queries; whole cubes take ~1 s to unpack) and say "figures as of
<built_at>". A confirmed measurement shows up
at the next publish, not at once: consecutive views can only be differenced between
publishes, never per confirmation (docs/adr/0004-suppression-across-filters.md,
"Published snapshots").

A scope/year without a stored cube (a fresh install, a coach with a new set of teams, a
year nobody published) is built once on demand and stored, then served from storage.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import secrets
import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, OperationalError, connection, connections, router, transaction
from django.db.models import Min, Model, Q, QuerySet
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone

from wattelt.organisations.models import Membership, Municipality, Organisation
from wattelt.replica import read_from_primary
from wattelt.residents.models import Trajectory

from . import previous
from .audit import FiguresDisagree
from .changes import Pending, compact, compact_everything, pending
from .cube import (
    ALL,
    YEAR,
    Area,
    Cube,
    CubeKey,
    DistrictParts,
    Parts,
    Scope,
    cube_of,
    linked_table,
    quarters_so_far,
)
from .models import PublishedCube, PublishedSlice
from .parts import same_figures, store_parts, stored_parts
from .suppression import ShownCell

# --- scopes -------------------------------------------------------------------------------


def scope_identity(scope: Scope) -> tuple[str, str]:
    """(kind, key) of a scope as stored."""
    if scope.municipality_id is not None:
        return PublishedCube.Kind.MUNICIPALITY, str(scope.municipality_id)
    if scope.organisation_id is not None:
        return PublishedCube.Kind.ORGANISATION, str(scope.organisation_id)
    return PublishedCube.Kind.TEAMS, ",".join(map(str, sorted(scope.team_ids)))


def all_scopes() -> Iterator[Scope]:
    """Every scope `cube.dashboard_scope` can give: each municipality with an
    organisation, each organisation, and each coach's set of teams (a coach's cube links
    all their teams, so it is the set, not each team, that is suppressed together)."""
    municipalities = Municipality.objects.filter(organisations__isnull=False).distinct()
    for municipality_id in municipalities.order_by("pk").values_list("pk", flat=True):
        yield Scope(municipality_id=municipality_id)
    for organisation_id in Organisation.objects.order_by("pk").values_list("pk", flat=True):
        yield Scope(organisation_id=organisation_id)
    coached: dict[int, set[int]] = {}
    for staff_id, team_id in Membership.objects.filter(role=Membership.Role.TEAMCOACH).values_list(
        "staff_id", "team_id"
    ):
        coached.setdefault(staff_id, set()).add(team_id)
    for team_ids in sorted({tuple(sorted(teams)) for teams in coached.values()}):
        yield Scope(team_ids=team_ids)


def _scope_trajectories(scope: Scope) -> Q:
    """Trajectories whose data can be in the scope's figures: a coach's figures are
    those of their teams; a municipality's or organisation's, of its teams or of
    residents living in its districts (a superset, so no change is missed)."""
    if scope.team_ids:
        return Q(team_id__in=scope.team_ids)
    return Q(team__in=scope.teams()) | Q(resident__district__in=scope.districts())


def years_to_publish(scope: Scope, today: dt.date, years_back: int) -> list[int]:
    """This year and the earlier ones offered by the dashboard, from the first year with
    a trajectory in the scope (earlier years are built on demand if anyone asks)."""
    first = Trajectory.objects.filter(_scope_trajectories(scope)).aggregate(
        first=Min("started_on")
    )["first"]
    if first is None:
        return [today.year]
    return list(range(max(first.year, today.year - years_back), today.year + 1))


StoredStates = dict[tuple[str, str, int], dict[str, int]]
"""Per (kind, scope key, year) of a stored cube: its changes_seen, quarters, cell_count,
id and whether its parts are stored (parted: 1)."""


def stored_states(
    kind: str | None = None, key: str | None = None, year: int | None = None
) -> StoredStates:
    """What a publish run needs to know of every stored cube (or of one), in one query."""
    cubes = PublishedCube.objects.all()
    if kind is not None and year is not None:
        cubes = cubes.filter(kind=kind, scope_key=key, year=year)
    rows = cubes.values_list(
        "kind", "scope_key", "year", "changes_seen", "quarters", "cell_count", "pk", "parted"
    )
    return {
        (kind, key, year): {
            "changes_seen": seen,
            "quarters": quarters,
            "cell_count": cells,
            "id": pk,
            "parted": int(parted),
        }
        for kind, key, year, seen, quarters, cells, pk, parted in rows
    }


def publish_plan(
    today: dt.date,
    years_back: int,
    changes: Pending,
    force: bool = False,
    states: StoredStates | None = None,
) -> list[tuple[Scope, int]]:
    """The scopes and years a publish run looks at: with `force`, every year with data of
    every scope (`years_to_publish`, a query per scope); otherwise the years already
    stored, this year and the years in the change log (a few queries in all), and for a
    scope never published the years with data."""
    stored: dict[tuple[str, str], set[int]] = {}
    for kind, key, year in stored_states() if states is None else states:
        stored.setdefault((kind, key), set()).add(year)
    logged: dict[tuple[str, str], set[int]] = {}
    for kind, key, year in changes.ids:
        logged.setdefault((kind, key), set()).add(year)
    first = today.year - years_back
    plan: list[tuple[Scope, int]] = []
    for scope in all_scopes():
        identity = scope_identity(scope)
        if force or identity not in stored:
            years = set(years_to_publish(scope, today, years_back))
        else:
            kept = stored[identity]
            recent = {y for y in kept | logged.get(identity, set()) if first <= y <= today.year}
            # An older year stored on demand follows its changes too.
            years = recent | {today.year} | (kept & logged.get(identity, set()))
        plan += [(scope, year) for year in sorted(years)]
    return plan


def tidy_change_log(changes: Pending, plan: Iterable[tuple[Scope, int]]) -> None:
    """After a run: delete the changes read of scopes and years the run did not look at
    (a coach's former set of teams, a year never published: nothing stored follows them,
    and a cube built on demand later reads the data as it is then), and the changes of
    everything that every stored cube has seen. A busy database: left for the next run."""
    planned = {(*scope_identity(scope), year) for scope, year in plan}
    ids = [i for scope_year, ids in changes.ids.items() if scope_year not in planned for i in ids]
    try:
        with transaction.atomic():
            compact(ids)
            compact_everything()
    except OperationalError as error:
        if not is_busy(error):
            raise


# --- (de)serialising ----------------------------------------------------------------------


def area_code(area: Area) -> str:
    return area if isinstance(area, str) else f"{area[0]}:{area[1]}"  # type: ignore[index]


def area_of(code: str) -> Area:
    kind, _sep, number = code.partition(":")
    return (kind, int(number)) if number else kind


def dump_meta(cube: Cube) -> bytes:
    """The cube without its cells."""
    data = {
        "year": cube.year,
        "quarters": list(cube.quarters),
        "district_ids": list(cube.district_ids),
        "team_ids": list(cube.team_ids),
        "families": {f: list(items) for f, items in cube.families.items()},
        "domains": list(cube.domains),
        "label": cube.label,
        "profile_districts": sorted(cube.profile_districts),
    }
    return zlib.compress(json.dumps(data, separators=(",", ":")).encode(), 6)


SliceKey = tuple[int, Area, str]
"""(period, area, age group)."""


def dump_slices(cube: Cube) -> dict[SliceKey, bytes]:
    """The cube's cells by period, area and age group."""
    parts: dict[SliceKey, list[list[object]]] = {}
    for (family, item, period, area, age), c in cube.cells.items():
        parts.setdefault((period, area, age), []).append(
            [family, item, c.residents, c.values, c.suppressed]
        )
    return {
        key: zlib.compress(json.dumps(cells, separators=(",", ":")).encode(), 6)
        for key, cells in parts.items()
    }


def load_slice(key: SliceKey, payload: bytes) -> dict[CubeKey, ShownCell]:
    period, area, age = key
    cells: dict[CubeKey, ShownCell] = {}
    for family, item, residents, values, suppressed in json.loads(zlib.decompress(payload)):
        cell_key: CubeKey = (family, item, period, area, age)
        cells[cell_key] = ShownCell(cell_key, residents, values, suppressed)
    return cells


class SlicedCells(Mapping[CubeKey, ShownCell]):
    """A published cube's cells, read from its slices when first asked for. A miss reads
    in one query what a page shows with it: every period of that area and age group
    (the selection and its quarterly series) and, for the whole scope, the districts of
    that period and age group (the domain profile per district)."""

    def __init__(
        self, cube_id: int, build: str, quarters: Iterable[int], district_ids: Iterable[int]
    ) -> None:
        self.cube_id, self.build = cube_id, build
        self.periods = [YEAR, *quarters]
        self.districts: list[Area] = [("d", d) for d in district_ids]
        self._slices: dict[SliceKey, dict[CubeKey, ShownCell]] = {}
        self._complete = False
        self._lock = threading.Lock()

    def _read(self, rows: QuerySet[PublishedSlice], *asked: SliceKey) -> None:
        # Asked for but not stored: no cells there.
        found: dict[SliceKey, dict[CubeKey, ShownCell]] = {key: {} for key in asked}
        for period, code, age, payload in rows.values_list("period", "area", "age", "payload"):
            key = (period, area_of(code), age)
            found[key] = load_slice(key, bytes(payload))
        with self._lock:
            for key, cells in found.items():
                self._slices.setdefault(key, cells)

    def _slice(self, key: SliceKey) -> dict[CubeKey, ShownCell]:
        cells = self._slices.get(key)
        if cells is None:
            period, area, age = key
            nearby = [(p, area, age) for p in self.periods]
            query = Q(area=area_code(area), age=age)
            if area == ALL:
                nearby += [(period, district, age) for district in self.districts]
                query |= Q(area__startswith="d:", period=period, age=age)
            rows = PublishedSlice.objects.filter(cube_id=self.cube_id, build=self.build)
            self._read(rows.filter(query), key, *nearby)
            cells = self._slices[key]
        return cells

    def _all(self) -> dict[SliceKey, dict[CubeKey, ShownCell]]:
        if not self._complete:
            self._read(PublishedSlice.objects.filter(cube_id=self.cube_id, build=self.build))
            self._complete = True
        return self._slices

    def __getitem__(self, key: CubeKey) -> ShownCell:
        return self._slice((key[2], key[3], key[4]))[key]

    def __iter__(self) -> Iterator[CubeKey]:
        return (key for cells in list(self._all().values()) for key in cells)

    def __len__(self) -> int:
        return sum(len(cells) for cells in self._all().values())


def load_cube(meta: bytes, cube_id: int, build: str) -> Cube:
    """The stored cube of that id and build, its cells read when asked for."""
    data = json.loads(zlib.decompress(meta))
    return Cube(
        year=data["year"],
        quarters=tuple(data["quarters"]),
        district_ids=tuple(data["district_ids"]),
        team_ids=tuple(data["team_ids"]),
        cells=SlicedCells(cube_id, build, data["quarters"], data["district_ids"]),
        families={f: tuple(items) for f, items in data["families"].items()},
        domains=tuple(data["domains"]),
        label=data["label"],
        profile_districts=frozenset(data["profile_districts"]),
    )


# --- publishing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Published:
    """A stored cube and when its figures were taken."""

    cube: Cube
    built_at: dt.datetime


@dataclass(frozen=True)
class Outcome:
    scope: Scope
    year: int
    built: bool
    seconds: float
    cells: int
    query_seconds: float = 0.0
    """Of `seconds`, the linked table's queries (the rest: suppression, storing)."""
    delayed: str = ""
    """Why the scope and year could not be published now (the database was busy): it
    keeps its previous cube until the next run."""
    parts: set[int] | None = None
    """Built from the stored parts, with these districts asked for again (None: every
    district asked for)."""
    unchanged: bool = False
    """The districts asked for again gave the figures already stored: nothing built, the
    published cube stays (its changes are seen)."""


BUSY_CODES = ("55P03", "40001", "40P01")
"""PostgreSQL: lock not available (lock_timeout), serialization failure, deadlock."""
BUSY_MESSAGES = ("database is locked", "database table is locked")
"""SQLite: another connection holds the write lock (past the busy timeout)."""
RETRY_WAITS = (0.5, 2.0, 5.0)
"""Seconds to wait before each new attempt at a busy scope and year."""
LOCK_TIMEOUT = "10s"
"""PostgreSQL: how long storing a cube waits for a lock before it gives up (and retries)."""


def is_busy(error: OperationalError) -> bool:
    """A busy or locked database (worth trying again), not a broken one."""
    cause = error.__cause__
    code = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    return code in BUSY_CODES or any(m in str(error).lower() for m in BUSY_MESSAGES)


def publish_patiently(
    scope: Scope,
    year: int,
    today: dt.date | None = None,
    force: bool = False,
    changes: Pending | None = None,
    waits: Iterable[float] | None = None,
    states: StoredStates | None = None,
    district_parts: DistrictParts | None = None,
) -> Outcome:
    """`publish`, tried again after each of `waits` while the database is busy or
    locked, or while the figures it read disagree with each other (read while a change
    came in); still so after the last: the outcome says `delayed` (never raised), so one
    busy scope does not stop a run. Any other error is raised."""
    began = time.perf_counter()
    for wait in (*(RETRY_WAITS if waits is None else waits), None):
        try:
            return publish(
                scope,
                year,
                today,
                force=force,
                changes=changes,
                states=states,
                district_parts=district_parts,
            )
        except (OperationalError, FiguresDisagree) as error:
            # Busy, or figures read while a change came in (SQLite reads them in no
            # one snapshot, `cube.one_snapshot`): tried again, then left for the next run.
            if isinstance(error, OperationalError) and not is_busy(error):
                raise
            if wait is None:
                said = str(error).splitlines()[0] if str(error) else type(error).__name__
                reason = (
                    f"figures changed while they were read: {said}"
                    if isinstance(error, FiguresDisagree)
                    else f"database busy: {said}"
                )
                return Outcome(scope, year, False, time.perf_counter() - began, 0, delayed=reason)
            time.sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover


def publish(
    scope: Scope,
    year: int,
    today: dt.date | None = None,
    force: bool = False,
    changes: Pending | None = None,
    states: StoredStates | None = None,
    district_parts: DistrictParts | None = None,
) -> Outcome:
    """Build and store the scope's cube for `year`, unless nothing in the change log
    (changes.py) touched it since the stored one and no quarter began (or `force`).
    When the log names the districts that changed (and nothing else did: no quarter
    began, nothing changed everything), only their figures are asked for again and the
    stored figures of the other districts are added (`parts.py`); the sum is exactly
    what asking for every district gives. Suppression is `cube.cube_of`: the whole scope
    and year at once, exactly as the pages used to do it. `changes` is the change log as
    the run read it (read here if not given), `states` the stored cubes as the run read
    them (asked here if not given), `district_parts` the districts' parts of the run (asked
    for together for every scope the run expects them for); the changes of the scope and
    year read are deleted with the store."""
    read_from_primary()  # never build figures from a replica that may lag
    today = today or timezone.localdate()
    kind, key = scope_identity(scope)
    began = time.perf_counter()
    quarters = len(quarters_so_far(year, today))
    if states is None:
        states = stored_states(kind, key, year)
    stored = states.get((kind, key, year))
    if changes is None:
        changes = pending(kind, key, year)
    seen = changes.of(kind, key, year)
    if (
        stored is not None
        and not force
        and not seen
        and stored["quarters"] == quarters
        and stored["changes_seen"] >= changes.everything
    ):
        return Outcome(scope, year, False, time.perf_counter() - began, stored["cell_count"])
    asked = time.perf_counter()
    # Only some districts changed since the stored build: ask for those, keep the rest.
    replaced = districts_to_ask(scope, year, today, changes, states, force)
    parts = None
    if replaced is not None:
        assert stored is not None
        asked_again = (district_parts or DistrictParts()).collect(
            scope, year, quarters_so_far(year, today), replaced
        )
        if same_figures(asked_again, stored_parts(stored["id"], only=replaced)):
            # The changes left these districts' figures as they were (a confirmation
            # now of a trajectory begun last year leaves last year's cube as it is):
            # the published cube stays; the changes have been seen.
            with transaction.atomic():
                compact(seen)
            return Outcome(
                scope,
                year,
                False,
                time.perf_counter() - began,
                stored["cell_count"],
                time.perf_counter() - asked,
                parts=replaced,
                unchanged=True,
            )
        parts = stored_parts(stored["id"], leave_out=replaced)
        parts.update(asked_again)
    linked = linked_table(scope, year, today, parts)
    queried = time.perf_counter() - asked
    earlier_row = (
        PublishedCube.objects.filter(kind=kind, scope_key=key, year=year)
        .values("pk", "build", "payload", "hidden")
        .first()
    )
    if earlier_row is not None:
        # A reader may hold the previous publish too: the audit considers both.
        earlier = load_cube(bytes(earlier_row["payload"]), earlier_row["pk"], earlier_row["build"])
        linked = dataclasses.replace(
            linked,
            table=previous.compare(linked.table, dict(earlier.cells), bytes(earlier_row["hidden"])),
        )
    cube = cube_of(linked)
    remembered = previous.remember(linked.table, cube.cells)
    seen_now = Seen(quarters, changes.everything, seen)
    # Another process storing the same scope and year at the same moment: keep theirs.
    with contextlib.suppress(IntegrityError):
        _store(kind, key, year, cube, seen_now, began, remembered, (linked.parts, replaced))
    return Outcome(
        scope, year, True, time.perf_counter() - began, len(cube.cells), queried, parts=replaced
    )


def districts_to_ask(
    scope: Scope,
    year: int,
    today: dt.date,
    changes: Pending,
    states: StoredStates,
    force: bool = False,
) -> set[int] | None:
    """The districts a publish of the scope's `year` asks for again, keeping the stored
    parts of the others; None when it asks for every district (nothing stored in parts,
    a quarter began, everything changed, a change of no district, or `force`)."""
    kind, key = scope_identity(scope)
    stored = states.get((kind, key, year))
    changed = changes.parts_of(kind, key, year)
    if (
        stored is None
        or force
        or not stored.get("parted")
        or stored["quarters"] != len(quarters_so_far(year, today))
        or stored["changes_seen"] < changes.everything
        or None in changed
    ):
        return None
    return {part for part in changed if part is not None}


@dataclass(frozen=True)
class Seen:
    """What a build took into account: the quarters begun, the last change of everything
    and the changes of its scope and year (deleted from the log with the store)."""

    quarters: int
    everything: int
    changes: list[int]


def _store(
    kind: str,
    key: str,
    year: int,
    cube: Cube,
    seen: Seen,
    began: float,
    remembered: bytes,
    parts: tuple[Parts, set[int] | None] = ({}, None),
) -> None:
    """Store the cube and its slices under a new build; the previous build's slices stay
    until the next publish, for a page that is reading them right now. The changes the
    build took into account leave the log in the same transaction, and the parts it was
    made of are stored with it (`parts`: all of them, or those of the districts replaced)."""
    build = secrets.token_hex(8)
    slices = dump_slices(cube)
    fields = {
        "built_at": timezone.now(),
        "data_version": build,
        "changes_seen": seen.everything,
        "quarters": seen.quarters,
        "build_seconds": time.perf_counter() - began,
        "cell_count": len(cube.cells),
        "build": build,
        "payload": dump_meta(cube),
        "hidden": remembered,
        "parted": True,
    }
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [LOCK_TIMEOUT])
        previous_build = (
            PublishedCube.objects.select_for_update()
            .filter(kind=kind, scope_key=key, year=year)
            .values_list("build", flat=True)
            .first()
        )
        stored, _created = PublishedCube.objects.update_or_create(
            kind=kind, scope_key=key, year=year, defaults=fields
        )
        kept = [build, previous_build]
        PublishedSlice.objects.filter(cube=stored).exclude(build__in=kept).delete()
        insert_rows(
            [
                PublishedSlice(
                    cube=stored,
                    build=build,
                    period=period,
                    area=area_code(area),
                    age=age,
                    payload=payload,
                )
                for (period, area, age), payload in slices.items()
            ]
        )
        store_parts(stored, *parts)
        compact(seen.changes)


def insert_rows(rows: Sequence[Model]) -> None:
    """`bulk_create` for rows of one model that hold large payloads (slices, rendered
    figures), without Django's single INSERT ... UNNEST on PostgreSQL: its array literals
    escape every payload in Python. One prepared INSERT for each row instead (psycopg
    pipelines them): a municipality's 915 slices and 70 selections 1.2 -> 0.2 s."""
    if not rows:
        return
    model = type(rows[0])
    db = connections[router.db_for_write(model)]
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, AutoFieldMixin)]
    table, q = model._meta.db_table, db.ops.quote_name
    columns = ", ".join(q(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    values = [[f.get_db_prep_save(f.pre_save(row, True), db) for f in fields] for row in rows]
    with db.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {q(table)} ({columns}) VALUES ({marks})", values)


_loaded: OrderedDict[tuple[int, str], Cube] = OrderedDict()
_loaded_lock = threading.Lock()
LOADED_CUBES = 16
"""Cubes kept in memory per process with the slices read so far, so a page does not read
and unpack them each time."""


def forget_loaded() -> None:
    with _loaded_lock:
        _loaded.clear()


def published_cube(scope: Scope, year: int, today: dt.date | None = None) -> Published:
    """The latest published cube of the scope and year: one query for its description,
    and one for the slices a page shows the first time this process reads them (see
    `SlicedCells`). None stored yet (or a quarter began since): built now, stored, and
    served from storage from then on."""
    today = today or timezone.localdate()
    kind, key = scope_identity(scope)
    rows = PublishedCube.objects.filter(kind=kind, scope_key=key, year=year)
    found = rows.values("pk", "built_at", "build", "payload").first()
    if found is not None:
        memo = (found["pk"], found["build"])
        with _loaded_lock:
            cube = _loaded.get(memo)
            if cube is not None:
                _loaded.move_to_end(memo)
        if cube is None:
            cube = load_cube(bytes(found["payload"]), found["pk"], found["build"])
            with _loaded_lock:
                _loaded[memo] = cube
                while len(_loaded) > LOADED_CUBES:
                    _loaded.popitem(last=False)
        if cube.quarters == tuple(quarters_so_far(year, today)):
            return Published(cube, found["built_at"])
    publish(scope, year, today, force=True)
    return published_cube_stored(scope, year)


def published_cube_stored(scope: Scope, year: int) -> Published:
    """The stored cube, read from the database (after a build on demand)."""
    kind, key = scope_identity(scope)
    row = PublishedCube.objects.defer("hidden").get(kind=kind, scope_key=key, year=year)
    return Published(load_cube(bytes(row.payload), row.pk, row.build), row.built_at)
