"""The change log of the published figures (`models.FigureChange`): which scopes and years
a change can alter, written in the transaction of the change; read and compacted by the
publisher (published.py), which republishes exactly the scopes and years with a newer
change than the one it saw when it last built them.

The scopes are those `published.all_scopes` enumerates, matched the way the indicators
filter the summary rows: a municipality's figures are those of the residents living in
its districts (`municipality_id` of the row), an organisation's those of its teams
(`organisation_id`), a coach's those of the set of teams they coach (`team_id`). The
years are those in which the trajectory's summary rows, as that year's indicators read
them, differ before and after the change (`before` and `since`): each row counts in the
year of one date (the start, a measurement, the latest one, a goal review or progress
note, a record of not filled in), so a year whose rows stayed the same shows the same
figures. A follow-up confirmed now changes this year; it changes the year the
trajectory began only if it changes that year's flags (its first follow-up) or moves
the latest measurement out of it. Each row also names the part: the district of
the trajectory's resident (before and after), whose figures the publisher asks for
again while it keeps the stored figures of the scope's other districts.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Min, Model, Q, QuerySet
from django.db.models.expressions import RawSQL

from wattelt.compiled import Compiled, Statement, statement_of
from wattelt.instrument.models import NotFilledIn
from wattelt.organisations.models import Membership

from .models import (
    ChipFact,
    ChipPair,
    FigureChange,
    GoalReviewFact,
    MeasurementFact,
    PublishedCube,
    TrajectorySummary,
)

CHUNK = 500
"""Trajectories per query (SQLite limits the parameters of one statement)."""

ScopeYear = tuple[str, str, int]
"""(kind, scope key, year), as `PublishedCube` stores them."""
Change = tuple[str, str, int, int | None]
"""(kind, scope key, year, part): the part is the district whose residents' figures
changed, None for the whole scope and year."""


DatedRows = dict[int, Counter[tuple[object, ...]]]
"""Per year, the summary rows (as the indicators read them) that count in that year."""


@dataclass
class _Reach:
    """Where one trajectory's figures count: its scopes, and per year what its summary
    rows count in that year (the years of its dates)."""

    team_id: int
    district_id: int
    scopes: set[tuple[str, str]] = field(default_factory=set)
    rows: DatedRows = field(default_factory=dict)

    @property
    def years(self) -> set[int]:
        return set(self.rows)

    def add(self, year: int, row: tuple[object, ...]) -> None:
        self.rows.setdefault(year, Counter())[row] += 1


SCOPE_COLUMNS = ("resident_id", "team_id", "organisation_id", "district_id", "municipality_id")
STARTED_COLUMNS = (
    *SCOPE_COLUMNS,
    "born",
    "started_on",
    "young_at_start",
    "has_start",
    "early_start",
    "has_follow_up",
    "has_end",
)
"""What the figures of a trajectory's start year read of its summary row (the counts
of trajectories started, split by age at the start)."""
LATEST_COLUMNS = (
    *SCOPE_COLUMNS,
    "latest_on",
    "latest_young",
    "first_measurement_id",
    "latest_measurement_id",
    "first_grade",
    "latest_grade",
)
"""What the figures of the year of its latest measurement read (the change in the
quality of life from the first to the latest measurement)."""
DATED_FACTS = (
    (MeasurementFact, "measured_on"),
    (ChipFact, "measured_on"),
    (ChipPair, "latest_on"),
    (GoalReviewFact, "measured_on"),
)
"""The fact tables and the date each row counts on (its period in every indicator)."""


def coach_scope_keys(team_ids: Iterable[int]) -> dict[int, set[str]]:
    """Per team, the scope keys of the coaches' sets of teams that contain it (a coach's
    scope is every team they coach, as in `published.all_scopes`)."""
    teams = set(team_ids)
    coaches = Membership.objects.filter(role=Membership.Role.TEAMCOACH, team_id__in=teams)
    coached: dict[int, set[int]] = {}
    for staff_id, team_id in Membership.objects.filter(
        role=Membership.Role.TEAMCOACH, staff_id__in=coaches.values("staff_id")
    ).values_list("staff_id", "team_id"):
        coached.setdefault(staff_id, set()).add(team_id)
    keys: dict[int, set[str]] = {team: set() for team in teams}
    for coached_teams in coached.values():
        key = ",".join(map(str, sorted(coached_teams)))
        for team in coached_teams & teams:
            keys[team].add(key)
    return keys


def _columns(model: type[Model]) -> list[str]:
    """Every column of a fact table but a surrogate id (new with each derivation)."""
    return [f.attname for f in model._meta.concrete_fields if f.attname != "id"]


_REACH_NAMES = ("trajectory_id", *dict.fromkeys((*STARTED_COLUMNS, *LATEST_COLUMNS)))
_NOT_FILLED_IN_NAMES = (
    "trajectory_id",
    "pk",
    "recorded_on",
    "reason",
    *(f"trajectory__monitoring_summary__{c}" for c in (*SCOPE_COLUMNS, "young_at_start")),
)


def _reach_queries(ids: RawSQL) -> list[Statement]:
    """The six reads of `_reach`: the summary rows, the dated facts, the records of not
    filled in (counted on the record's date, split by the age at the start)."""
    queries: list[QuerySet[Any]] = [
        TrajectorySummary.objects.filter(trajectory_id__in=ids).values_list(*_REACH_NAMES),
        *(
            model.objects.filter(trajectory_id__in=ids).values_list(*_columns(model))
            for model, _day in DATED_FACTS
        ),
        NotFilledIn.objects.filter(trajectory_id__in=ids).values_list(*_NOT_FILLED_IN_NAMES),
    ]
    return [statement_of(query) for query in queries]


_reach_reads = Compiled(_reach_queries)
"""Compiled once: `_reach` runs on every write that changes figures (three times)."""


def _year(day: object) -> int:
    """The year of a date column as the database cursor gives it (SQLite: ISO text)."""
    return day.year if isinstance(day, dt.date) else int(str(day)[:4])


def _reach(trajectory_ids: list[int]) -> dict[int, _Reach]:
    """What the summary rows of these trajectories count in now, per year: their rows as
    the indicators of that year read them (six queries). A year whose rows are the same
    before and after a change shows the same figures of the trajectory. The rows are
    the cursor's (only compared with each other)."""
    with connection.cursor() as cursor:
        results = []
        for sql, params in _reach_reads(trajectory_ids):
            cursor.execute(sql, params)
            results.append(cursor.fetchall())
    summaries, *facts, records = results
    reach: dict[int, _Reach] = {}
    for values in summaries:
        row = dict(zip(_REACH_NAMES, values, strict=True))
        found = reach[row["trajectory_id"]] = _Reach(row["team_id"], row["district_id"])
        found.scopes |= {
            (PublishedCube.Kind.MUNICIPALITY, str(row["municipality_id"])),
            (PublishedCube.Kind.ORGANISATION, str(row["organisation_id"])),
        }
        found.add(_year(row["started_on"]), ("started", *(row[c] for c in STARTED_COLUMNS)))
        if row["latest_on"] is not None:
            found.add(_year(row["latest_on"]), ("latest", *(row[c] for c in LATEST_COLUMNS)))
    for (model, day), rows in zip(DATED_FACTS, facts, strict=True):
        columns = _columns(model)
        position, trajectory = columns.index(day), columns.index("trajectory_id")
        for values in rows:
            if values[trajectory] in reach:  # facts go with their summary row
                reach[values[trajectory]].add(_year(values[position]), (model.__name__, *values))
    for trajectory_id, *values in records:
        if trajectory_id in reach:
            reach[trajectory_id].add(_year(values[1]), ("NotFilledIn", *values))
    keys = coach_scope_keys({r.team_id for r in reach.values()})
    for found in reach.values():
        found.scopes |= {(PublishedCube.Kind.TEAMS, key) for key in keys[found.team_id]}
    return reach


def _chunks(trajectory_ids: Iterable[int]) -> Iterator[list[int]]:
    ids = sorted(set(trajectory_ids))
    for start in range(0, len(ids), CHUNK):  # a bulk import: bounded IN lists
        yield ids[start : start + CHUNK]


def _changes(reach: _Reach, years: Iterable[int]) -> set[Change]:
    return {(kind, key, year, reach.district_id) for kind, key in reach.scopes for year in years}


def touched(trajectory_ids: Iterable[int], *days: dt.date) -> set[Change]:
    """The scopes, years and parts whose figures count these trajectories as their
    summary rows stand now (and in the years of `days`, e.g. a record's or an end date)."""
    found: set[Change] = set()
    for chunk in _chunks(trajectory_ids):
        for reach in _reach(chunk).values():
            found |= _changes(reach, reach.years | {day.year for day in days})
    return found


Before = dict[int, _Reach]
"""What trajectories' summary rows counted in before a change (`before`)."""


def before(trajectory_ids: Iterable[int]) -> Before:
    """Read before the summary rows of these trajectories are derived again."""
    found: Before = {}
    for chunk in _chunks(trajectory_ids):
        found.update(_reach(chunk))
    return found


def since(earlier: Before, trajectory_ids: Iterable[int]) -> set[Change]:
    """The scopes, years and parts whose figures the new summary rows of these
    trajectories change: the years in which their rows differ from `earlier` (a
    confirmation now of a trajectory whose latest measurement was already this year
    changes this year's figures only, not those of the year it began), in the scopes
    and districts where they counted before and where they count now (a move)."""
    found: set[Change] = set()
    for chunk in _chunks(trajectory_ids):
        reach = _reach(chunk)
        for trajectory_id in chunk:
            now, then = reach.get(trajectory_id), earlier.get(trajectory_id)
            # New: every year it counts in now; deleted: every year it counted in.
            now_rows = now.rows if now is not None else {}
            then_rows = then.rows if then is not None else {}
            years = {
                y for y in now_rows.keys() | then_rows.keys() if now_rows.get(y) != then_rows.get(y)
            }
            for counted in (then, now):
                if counted is not None:
                    found |= _changes(counted, years)
    return found


def record(changes: Iterable[Change | ScopeYear]) -> None:
    """Write these scopes, years and parts to the change log (one insert; in the
    caller's transaction, so the log changes with the data or not at all). A scope and
    year without a part: the whole of it."""
    rows = {(*change[:3], change[3] if len(change) > 3 else None) for change in changes}
    FigureChange.objects.bulk_create(
        FigureChange(kind=kind, scope_key=key, year=year, part=part)
        for kind, key, year, part in sorted(rows, key=lambda row: (*row[:3], row[3] or 0))
    )


def record_everything() -> None:
    """Every scope and year may have changed (the summary was rebuilt)."""
    FigureChange.objects.create(kind=FigureChange.EVERYTHING, scope_key="", year=0)


@dataclass(frozen=True)
class Pending:
    """The change log as a publish run found it: the ids of the changes per scope and
    year, the parts they name, and the last change of everything (0: none)."""

    ids: dict[ScopeYear, list[int]]
    everything: int
    parts: dict[ScopeYear, set[int | None]] = field(default_factory=dict)

    def of(self, kind: str, key: str, year: int) -> list[int]:
        return self.ids.get((kind, key, year), [])

    def parts_of(self, kind: str, key: str, year: int) -> set[int | None]:
        """The districts whose figures changed (None among them: the whole scope)."""
        return self.parts.get((kind, key, year), set())


def pending(kind: str | None = None, key: str | None = None, year: int | None = None) -> Pending:
    """The change log (of one scope and year when given), one query over a log kept
    short by compaction."""
    rows = FigureChange.objects.all()
    if kind is not None:
        rows = rows.filter(Q(kind=kind, scope_key=key, year=year) | Q(kind=FigureChange.EVERYTHING))
    ids: dict[ScopeYear, list[int]] = {}
    parts: dict[ScopeYear, set[int | None]] = {}
    everything = 0
    for change_id, change_kind, change_key, change_year, part in rows.values_list(
        "id", "kind", "scope_key", "year", "part"
    ):
        if change_kind == FigureChange.EVERYTHING:
            everything = max(everything, change_id)
        else:
            ids.setdefault((change_kind, change_key, change_year), []).append(change_id)
            parts.setdefault((change_kind, change_key, change_year), set()).add(part)
    return Pending(ids, everything, parts)


def compact(ids: Iterable[int]) -> None:
    """Forget these changes, now published. Only the ones the publisher read before it
    built: a change committed meanwhile (whatever its id) stays for the next run."""
    FigureChange.objects.filter(id__in=list(ids)).delete()


def compact_everything() -> None:
    """Forget the changes of everything that every stored cube has seen."""
    oldest = PublishedCube.objects.aggregate(oldest=Min("changes_seen"))["oldest"]
    if oldest is not None:
        FigureChange.objects.filter(kind=FigureChange.EVERYTHING, id__lte=oldest).delete()
