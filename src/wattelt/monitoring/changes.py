"""The change log of the published figures (`models.FigureChange`): which scopes and years
a change can alter, written in the transaction of the change; read and compacted by the
publisher (published.py), which republishes exactly the scopes and years with a newer
change than the one it saw when it last built them.

The scopes are those `published.all_scopes` enumerates, matched the way the indicators
filter the summary rows: a municipality's figures are those of the residents living in
its districts (`municipality_id` of the row), an organisation's those of its teams
(`organisation_id`), a coach's those of the set of teams they coach (`team_id`). The
years are the years of every date the trajectory's rows are counted on (its start, its
measurements, the latest one, goal reviews and progress notes, records of not filled
in), before and after the change: a year in which none of them falls shows none of the
trajectory's figures, so it cannot change. Each row also names the part: the district of
the trajectory's resident (before and after), whose figures the publisher asks for
again while it keeps the stored figures of the scope's other districts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Min, Q
from django.db.models.functions import ExtractYear

from wattelt.instrument.models import NotFilledIn
from wattelt.organisations.models import Membership

from .models import FigureChange, GoalReviewFact, MeasurementFact, PublishedCube, TrajectorySummary

CHUNK = 500
"""Trajectories per query (SQLite limits the parameters of one statement)."""

ScopeYear = tuple[str, str, int]
"""(kind, scope key, year), as `PublishedCube` stores them."""
Change = tuple[str, str, int, int | None]
"""(kind, scope key, year, part): the part is the district whose residents' figures
changed, None for the whole scope and year."""


@dataclass
class _Reach:
    """Where one trajectory's figures count: its scopes and the years of its dates."""

    team_id: int
    district_id: int
    scopes: set[tuple[str, str]] = field(default_factory=set)
    years: set[int] = field(default_factory=set)


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


def _reach(trajectory_ids: list[int]) -> dict[int, _Reach]:
    """What the summary rows of these trajectories count in now (four queries)."""
    reach: dict[int, _Reach] = {}
    for (
        trajectory_id,
        team_id,
        organisation_id,
        municipality_id,
        started_on,
        latest_on,
        district_id,
    ) in TrajectorySummary.objects.filter(trajectory_id__in=trajectory_ids).values_list(
        "trajectory_id",
        "team_id",
        "organisation_id",
        "municipality_id",
        "started_on",
        "latest_on",
        "district_id",
    ):
        found = reach[trajectory_id] = _Reach(team_id, district_id)
        found.scopes |= {
            (PublishedCube.Kind.MUNICIPALITY, str(municipality_id)),
            (PublishedCube.Kind.ORGANISATION, str(organisation_id)),
        }
        found.years |= {day.year for day in (started_on, latest_on) if day is not None}
    dated = (
        (MeasurementFact.objects, "measured_on"),
        (GoalReviewFact.objects, "measured_on"),
        (NotFilledIn.objects, "recorded_on"),
    )
    for manager, day in dated:
        rows = (
            manager.filter(trajectory_id__in=list(reach))
            .annotate(year=ExtractYear(day))
            .values_list("trajectory_id", "year")
            .distinct()
            .order_by()
        )
        for trajectory_id, year in rows:
            reach[trajectory_id].years.add(year)
    keys = coach_scope_keys({r.team_id for r in reach.values()})
    for found in reach.values():
        found.scopes |= {(PublishedCube.Kind.TEAMS, key) for key in keys[found.team_id]}
    return reach


def touched(trajectory_ids: Iterable[int], *days: dt.date) -> set[Change]:
    """The scopes, years and parts whose figures count these trajectories as their
    summary rows stand now (and in the years of `days`, e.g. a record's or an end date)."""
    ids = sorted(set(trajectory_ids))
    found: set[Change] = set()
    for start in range(0, len(ids), CHUNK):  # a bulk import: bounded IN lists
        for reach in _reach(ids[start : start + CHUNK]).values():
            years = reach.years | {day.year for day in days}
            found |= {
                (kind, key, year, reach.district_id) for kind, key in reach.scopes for year in years
            }
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
