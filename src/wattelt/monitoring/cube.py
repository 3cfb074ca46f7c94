"""The suppressed cube: every figure a user can ask for in a year, suppressed together.

Each page view used to be protected on its own, so comparing two selections (all ages
with adults, a district with the total, a quarter with the year, a team with the whole
organisation) could give away a figure hidden in one of them. Here the selections a
user can make are fixed in advance:

- period: a calendar year or one of its quarters (a figure counts in the quarter of its
  own date, so the quarters add up to the year; future quarters are left out);
- area: the user's whole scope, one district, or one team (not a district and a team
  together);
- age group: all ages, adults, young people (all = adults + young people).

For a user's scope and a year, `suppressed_cube` computes every figure of every such
selection, links them in one table (quarters = year, adults + young = all, districts =
total, teams = total, the parts of a figure = its total) and passes that table once
through `suppress_small_cells`. Every dashboard, presentation, export and report renders
from the result, so no figure hidden in one selection is recoverable from the figures
shown in the others. The pages do not compute it: they read the snapshot stored by
`published.py` (the command publish_monitoring_figures); `suppressed_cube` (cached per
scope, year and data version) is the same computation for code that needs it fresh.

Design and limits: docs/adr/0004-suppression-across-filters.md.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
from collections.abc import Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils import timezone

from wattelt.instrument.models import Domain, GoalProgress, GoalReview, Measurement, NotFilledIn
from wattelt.organisations import roles
from wattelt.organisations.models import District, Role, Staff, Team
from wattelt.residents.models import Trajectory

from . import indicators as ind
from .models import TrajectorySummary
from .suppression import Cell, Group, ShownCell, Table, suppress_small_cells

YEAR = 0
"""The period key of the whole year; quarters are 1-4."""
ALL = "all"
"""The area key of the user's whole scope; a district is ("d", id), a team ("t", id)."""
AGES: tuple[ind.AgeGroup, ...] = ("all", "adult", "young")
CACHE_SECONDS = 15 * 60
"""A changed resident (district, birth date) does not change the data version; the cache
forgets after this long anyway."""
CHANGE_ITEMS = ("pairs", "improved", "same", "worse")
DOMAIN_ITEMS = ("chosen", "prioritised", *(band for band, _low, _high in ind.BANDS))
REGISTRATION = ("trajectories", "with_start", "early", "follow_up", "end")

Area = Hashable
CubeKey = tuple[str, str, int, Area, str]
"""(family, item, period, area, age group): family is a figure ("reg:trajectories",
"chg:<domain>"...), item one of its parts ("count", "improved"...)."""


# --- who sees what ------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What a user may see in monitoring, as `Selection` fields."""

    municipality_id: int | None = None
    organisation_id: int | None = None
    team_ids: tuple[int, ...] = ()

    def teams(self) -> QuerySet[Team]:
        teams = Team.objects.all()
        if self.municipality_id is not None:
            teams = teams.filter(organisation__municipality_id=self.municipality_id)
        if self.organisation_id is not None:
            teams = teams.filter(organisation_id=self.organisation_id)
        if self.team_ids:
            teams = teams.filter(pk__in=self.team_ids)
        return teams.order_by("name", "pk")

    def districts(self) -> QuerySet[District]:
        municipalities = self.teams().values("organisation__municipality_id")
        return District.objects.filter(municipality_id__in=municipalities).order_by("name", "pk")

    @property
    def cache_name(self) -> str:
        return (
            f"m{self.municipality_id}-o{self.organisation_id}-t{','.join(map(str, self.team_ids))}"
        )


def dashboard_scope(user: Staff) -> Scope | None:
    """The one rule for who sees which figures: the municipality analyst the whole
    municipality of their organisation, the quality officer and the organisation admin
    their organisation, a team coach the teams they coach; anyone else nothing (None)."""
    organisation = user.organisation
    if organisation is not None:
        if roles.has_organisation_role(user, Role.Name.MUNICIPALITY_ANALYST):
            return Scope(municipality_id=organisation.municipality_id)
        if roles.answers_for_organisation_data(user):
            return Scope(organisation_id=organisation.pk)
    team_ids = tuple(sorted(roles.coached_team_ids(user).values_list("team_id", flat=True)))
    return Scope(team_ids=team_ids) if team_ids else None


# --- periods ------------------------------------------------------------------------------


_PERIOD = re.compile(r"(?P<year>[1-9][0-9]{3})(?:-Q(?P<quarter>[1-4]))?", re.ASCII)


@dataclass(frozen=True, order=True)
class Period:
    """A calendar year (quarter 0) or one of its quarters."""

    year: int
    quarter: int = YEAR

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.quarter - 2 if self.quarter else 1, 1)

    @property
    def end(self) -> dt.date:
        if self.quarter in (YEAR, 4):
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, 3 * self.quarter + 1, 1) - dt.timedelta(days=1)

    @property
    def value(self) -> str:
        return f"{self.year}-Q{self.quarter}" if self.quarter else str(self.year)

    @property
    def label(self) -> str:
        return f"{self.year} Q{self.quarter}" if self.quarter else str(self.year)

    @classmethod
    def parse(cls, value: str) -> Period | None:
        """ "2026" or "2026-Q3" (ASCII digits only, year 1000-9999); None for anything else."""
        match = _PERIOD.fullmatch(value.strip().upper())
        if match is None:
            return None
        quarter = match.group("quarter")
        return cls(int(match.group("year")), int(quarter) if quarter else YEAR)

    @classmethod
    def containing(cls, day: dt.date) -> Period:
        return cls(day.year, (day.month - 1) // 3 + 1)


def quarters_so_far(year: int, today: dt.date) -> list[int]:
    """The quarters of the year that have begun: later ones have no figures yet."""
    if year < today.year:
        return [1, 2, 3, 4]
    if year > today.year:
        return []
    return list(range(1, Period.containing(today).quarter + 1))


# --- the data version ---------------------------------------------------------------------


def data_version() -> str:
    """Changes whenever a figure may have changed: new or confirmed measurements,
    corrections, trajectories opened or closed, goal reviews, progress notes that set a
    goal's status, records of not filled in."""
    state = (
        Measurement.objects.aggregate(
            last=Max("pk"), confirmed=Count("pk", filter=Q(status=ind.CONFIRMED))
        ),
        Trajectory.objects.aggregate(last=Max("pk"), count=Count("pk"), ended=Count("ended_on")),
        GoalReview.objects.aggregate(last=Max("pk"), count=Count("pk")),
        NotFilledIn.objects.aggregate(last=Max("pk"), count=Count("pk")),
        # A progress note that sets a goal's status counts like a review.
        GoalProgress.objects.exclude(status="").aggregate(last=Max("pk"), count=Count("pk")),
    )
    raw = repr([sorted(part.items()) for part in state])
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


# --- collecting the figures -----------------------------------------------------------------


@dataclass
class _Value:
    count: int = 0
    residents: int = 0
    extras: dict[str, object] = field(default_factory=dict)

    def add(self, figure: ind.Figure) -> None:
        self.count += figure.count
        self.residents += figure.residents


@dataclass
class _Collected:
    values: dict[CubeKey, _Value] = field(default_factory=dict)
    families: dict[str, set[str]] = field(default_factory=dict)  # family -> items
    domain_order: dict[str, int] = field(default_factory=dict)
    district_names: dict[int, str] = field(default_factory=dict)

    def put(self, family: str, item: str, period: int, area: Area, age: str, fig: Any) -> None:
        self.families.setdefault(family, set()).add(item)
        value = self.values.setdefault((family, item, period, area, age), _Value())
        value.add(fig)

    def put_change(self, family: str, period: int, area: Area, age: str, c: ind.Change) -> None:
        for item in CHANGE_ITEMS:
            self.put(family, item, period, area, age, getattr(c, item))
        if c.mean is not None:
            self.values[family, "pairs", period, area, age].extras["mean"] = c.mean


AREA_SPLITS: tuple[ind.Dimensions, ...] = ((), ("team_id",))
"""How the areas are asked for, each also split by the part (the residents' district):
the whole scope (whose part of a district is that district's figures too) and per team."""


Parts = dict[int, _Collected]
"""The figures of a scope's year per district of the residents they count (a part):
every cell's count and distinct residents are sums over the parts, since a resident
lives in one district (all summary rows of a resident carry the same district)."""


def collect_parts(
    scope: Scope, year: int, quarters: list[int], districts: Iterable[int] | None = None
) -> Parts:
    """Every figure of every area, age group and period of the scope's year, per part
    (the residents' district): one split query per indicator for each of year/quarters x
    scope/teams, each also grouped by the district (which is the district area too) and
    giving all ages, adults and young people (~30 queries whatever the number of districts
    and teams; half for a scope of one team). With `districts`, the parts of those districts
    only (the same queries, filtered: what a republish asks)."""
    wanted = None if districts is None else tuple(sorted(set(districts)))
    if wanted == () or not quarters:
        return {}
    with one_snapshot():
        return _collect_parts(scope, year, quarters, wanted)


@contextlib.contextmanager
def one_snapshot() -> Iterator[None]:
    """The queries inside read one state of the data. A confirmation committed while a
    scope's ~30 queries run must not reach some of them and not others (the year but
    not its quarter, the trajectories but not "with a start measurement"): the sums and
    orders the reader knows would not hold, and the audit could not run. On PostgreSQL
    a read-only REPEATABLE READ transaction; inside a caller's transaction, that one.
    SQLite is left as it is: a transaction there would lock every writer out for as
    long as the queries run (no WAL); a publish whose figures disagree is delayed
    (`published.publish_patiently`)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _collect_parts(
    scope: Scope, year: int, quarters: list[int], wanted: tuple[int, ...] | None
) -> Parts:
    sel = ind.Selection(
        start=dt.date(year, 1, 1),
        end=dt.date(year, 12, 31),
        municipality_id=scope.municipality_id,
        organisation_id=scope.organisation_id,
        team_ids=scope.team_ids,
        district_ids=wanted or (),
    )
    # A scope of one team (a coach's) is that team: its figures are the scope's.
    splits = AREA_SPLITS[:1] if len(scope.team_ids) == 1 else AREA_SPLITS
    parts: Parts = {}
    for by_quarter in (False, True):
        for area_dims in splits:
            dims: ind.Dimensions = (*area_dims, "district_id", "age")
            for key, figures in ind.grouped(sel, dims, by_quarter).items():
                period, *values, part, age = key
                when = _when(period, by_quarter, quarters)
                if when is None:
                    continue
                areas = [("t", values[0])] if values else _scope_areas(scope, part)
                found = parts.setdefault(part, _Collected())
                for area in areas:
                    _put_figures(found, when, area, age, figures)
    return parts


def _when(period: int, by_quarter: bool, quarters: list[int]) -> int | None:
    """Where a group's figures go: the year, a quarter, or nowhere (a quarter that has
    not begun)."""
    if not by_quarter:
        return YEAR
    return period % 10 if period % 10 in quarters else None


def _scope_areas(scope: Scope, part: int) -> list[Area]:
    """The areas a scope's own figures of a district are: the scope's part of the
    district is the district's figures, and a scope of one team is that team."""
    return [ALL, ("d", part), *([("t", scope.team_ids[0])] if len(scope.team_ids) == 1 else [])]


MAX_OWNER_TEAMS = 12
"""At most this many teams in a district asked for for several scopes together; more
(a district many teams serve) and each scope asks for its own part: the queries'
columns grow with the teams (figures x ages x teams)."""
MAX_OWNER_GROUPS = 40
"""At most this many teams and sets of them (~33 columns each; PostgreSQL returns at
most 1,664) in one query; more and each scope asks for its own part."""


class DistrictParts:
    """The districts' parts a publish run asks for, for every scope of the run at once.

    The run says up front which districts of which scope-years it will ask for again
    (`expect`, from the change log). The first scope that asks for a year's districts
    asks for every expected one, with every scope expecting them, in one set of ~18
    queries per district (`collect_owned`). The other scopes take theirs from here, once (asked for
    again, as by a retry, they are asked for anew). Parts asked for later in the run
    are at least as new as the change log the run read (a change committed meanwhile
    is in the log for the next run)."""

    def __init__(self) -> None:
        self._expected: dict[int, dict[Scope, set[int]]] = {}
        self._asked: dict[tuple[Scope, int, tuple[int, ...], int], _Collected | None] = {}
        self.shared = 0
        """Districts served from what was asked for together with another scope."""

    def expect(self, scope: Scope, year: int, districts: Iterable[int]) -> None:
        self._expected.setdefault(year, {}).setdefault(scope, set()).update(districts)

    def collect(
        self, scope: Scope, year: int, quarters: list[int], districts: Iterable[int]
    ) -> Parts:
        """`collect_parts(scope, year, quarters, districts)`, asked for together with
        every other scope expecting districts of `year` not asked for yet."""
        begun = tuple(quarters)
        wanted = sorted(set(districts))
        missing = {d for d in wanted if (scope, year, begun, d) not in self._asked}
        self.shared += len(wanted) - len(missing)
        if missing:
            askers = {scope: missing}
            expected = self._expected.get(year, {})
            for other, named in expected.items():
                more = {d for d in named if (other, year, begun, d) not in self._asked}
                if other != scope and more:
                    askers[other] = more
            for asker in askers:
                expected.pop(asker, None)
            asked = collect_owned(askers, year, quarters)
            for asker, asked_for in askers.items():
                for district in asked_for:
                    self._asked[asker, year, begun, district] = asked[asker].get(district)
        parts: Parts = {}
        for district in wanted:
            found = self._asked.pop((scope, year, begun, district))
            if found is not None:
                parts[district] = found
        return parts


def _holds(scope: Scope, municipality: int, organisation: int, team: int) -> bool:
    """Whether the scope's filter keeps a team's rows (the team's organisation and
    municipality given)."""
    return (
        scope.municipality_id in (None, municipality)
        and scope.organisation_id in (None, organisation)
        and (not scope.team_ids or team in scope.team_ids)
    )


def collect_owned(
    askers: Mapping[Scope, Iterable[int]], year: int, quarters: list[int]
) -> dict[Scope, Parts]:
    """`collect_parts(scope, year, quarters, districts)` for each scope and its
    districts, in one set of queries per district: the district's rows of the teams the
    scopes hold there, split by team (`ind.Owners`). A scope's part of a district is the
    sum of its teams' rows (its residents counted once), its team areas are the teams'
    own rows; exactly what asking per scope gives (test_linked_table.py). A district
    with more teams and sets of them than `MAX_OWNER_TEAMS` and `MAX_OWNER_GROUPS` is
    asked for per scope. One district at a time, not several together: the columns grow
    with the teams, and at 1M seven districts asked for seven scopes took 121 s in one
    batch of 14 teams, 65 s in batches of at most 4 teams, 43 s one district at a time
    (125 s per scope; bench/RESULTS.md, "Lead, stop 36")."""
    wanted = {scope: set(districts) for scope, districts in askers.items()}
    found: dict[Scope, Parts] = {scope: {} for scope in wanted}
    every = sorted(set().union(*wanted.values()))
    if not every or not quarters:
        return found
    with one_snapshot():
        owners: dict[int, set[tuple[int, int, int]]] = {district: set() for district in every}
        rows = (
            TrajectorySummary.objects.filter(district_id__in=every)
            .values_list("district_id", "municipality_id", "organisation_id", "team_id")
            .distinct()
            .order_by()
        )
        for district, municipality, organisation, team in rows:
            owners[district].add((municipality, organisation, team))
        for district in every:
            _Owned.of(district, owners[district], wanted).collect(year, quarters, found)
    return found


@dataclass
class _Owned:
    """Who holds what of a district: the teams each scope asking for it holds there,
    and whose figures each group of the owner split is: one team's, or a set of teams
    (named once for every scope holding exactly those)."""

    district: int
    held: dict[Scope, set[int]]
    teams: tuple[int, ...]
    sets: dict[Hashable, tuple[int, ...]]
    own: dict[Hashable, list[Scope]]

    @classmethod
    def of(
        cls,
        district: int,
        owners: Iterable[tuple[int, int, int]],
        wanted: Mapping[Scope, set[int]],
    ) -> _Owned:
        held = {
            scope: {owner[-1] for owner in owners if _holds(scope, *owner)}
            for scope, named in wanted.items()
            if district in named
        }
        sets: dict[Hashable, tuple[int, ...]] = {}
        own: dict[Hashable, list[Scope]] = {}
        for scope, theirs in held.items():
            if theirs:
                mine = tuple(sorted(theirs))
                name = ("t", mine[0]) if len(mine) == 1 else ("s", mine)
                if len(mine) > 1:
                    sets[name] = mine
                own.setdefault(name, []).append(scope)
        every = tuple(sorted(set().union(*held.values())))
        return cls(district, held, every, sets, own)

    @property
    def too_wide(self) -> bool:
        return (
            len(self.teams) > MAX_OWNER_TEAMS or len(self.teams) + len(self.sets) > MAX_OWNER_GROUPS
        )

    def collect(self, year: int, quarters: list[int], found: dict[Scope, Parts]) -> None:
        """The district's part of every scope holding rows there, into `found`."""
        if not self.teams:
            return
        if self.too_wide:
            for scope, theirs in self.held.items():
                if theirs:
                    found[scope].update(_collect_parts(scope, year, quarters, (self.district,)))
            return
        # The team areas of a scope that is not one team.
        areas_of: dict[Hashable, list[Scope]] = {
            ("t", team): [
                s for s, theirs in self.held.items() if len(s.team_ids) != 1 and team in theirs
            ]
            for team in self.teams
        }
        sel = ind.Selection(
            start=dt.date(year, 1, 1), end=dt.date(year, 12, 31), district_ids=(self.district,)
        )
        owned = ind.Owners(self.teams, self.sets)
        for by_quarter in (False, True):
            split = ind.grouped(sel, ("district_id", "age", "owner"), by_quarter, owned)
            for (period, part, age, owner), figures in split.items():
                when = _when(period, by_quarter, quarters)
                if when is None:
                    continue
                for scope in self.own.get(owner, ()):
                    into = found[scope].setdefault(part, _Collected())
                    for area in _scope_areas(scope, part):
                        _put_figures(into, when, area, age, figures)
                for scope in areas_of.get(owner, ()):
                    into = found[scope].setdefault(part, _Collected())
                    _put_figures(into, when, owner, age, figures)


def merge_parts(parts: Parts, domain_positions: Mapping[str, int]) -> _Collected:
    """The scope's figures: the sum of its parts (in district order, so the same parts
    give the same figures however they were asked for). A change's mean is kept per part
    as its sum (the changes are whole numbers), so the scope's mean is sum / pairs. The
    domains come in catalogue order (`domain_positions`, then their keys)."""
    merged = _Collected()
    sums: dict[CubeKey, int] = {}
    for part in sorted(parts):
        found = parts[part]
        for family, items in found.families.items():
            merged.families.setdefault(family, set()).update(items)
        merged.district_names.update(found.district_names)
        for key, value in found.values.items():
            into = merged.values.setdefault(key, _Value())
            into.count += value.count
            into.residents += value.residents
            mean = value.extras.get("mean")
            if mean is not None:
                sums[key] = sums.get(key, 0) + round(float(mean) * value.count)  # type: ignore[arg-type]
    for key, total in sums.items():
        pairs = merged.values[key].count
        if pairs:
            merged.values[key].extras["mean"] = total / pairs
    domains = {d for found in parts.values() for d in found.domain_order}
    ordered = sorted(domains, key=lambda d: (domain_positions.get(d, 0), d))
    merged.domain_order = {domain: n for n, domain in enumerate(ordered)}
    return merged


def domain_positions() -> dict[str, int]:
    """Each domain's place in the catalogues (the first, if versions differ)."""
    rows = Domain.objects.values("key").annotate(first=Min("position")).order_by()
    return {row["key"]: row["first"] for row in rows}


def _put_figures(
    found: _Collected, period: int, area: Area, age: str, figures: ind.Figures
) -> None:
    counts = figures.trajectory_counts
    for item, fig in zip(
        REGISTRATION,
        (
            counts.trajectories,
            counts.with_start,
            counts.start_within_30_days,
            counts.with_follow_up,
            counts.with_end,
        ),
        strict=True,
    ):
        found.put(f"reg:{item}", "count", period, area, age, fig)
    for reason, fig in counts.not_filled_in.items():
        found.put(f"nfi:{reason}", "count", period, area, age, fig)
    for key, change in figures.paired_change.items():
        found.put_change(f"chg:{key}", period, area, age, change)
    found.put_change("qol", period, area, age, figures.quality_of_life_change)
    for status, fig in figures.goal_attainment.by_status.items():
        found.put(f"goal:{status}", "count", period, area, age, fig)
    for profile in figures.profiles:
        found.district_names[profile.district_id] = profile.district
        for domain in profile.domains:
            found.domain_order.setdefault(domain.domain, len(found.domain_order))
            items = {
                "chosen": domain.chosen,
                "prioritised": domain.prioritised,
                **domain.bands,
            }
            for item, fig in items.items():
                found.put(f"dom:{domain.domain}", item, period, area, age, fig)


# --- linking and suppressing ------------------------------------------------------------------


@dataclass(frozen=True)
class Cube:
    """The suppressed figures of every selection of one scope and year."""

    year: int
    quarters: tuple[int, ...]
    district_ids: tuple[int, ...]
    team_ids: tuple[int, ...]
    cells: Mapping[CubeKey, ShownCell]
    families: Mapping[str, tuple[str, ...]]
    domains: tuple[str, ...]  # in catalogue order
    label: str = "<10"
    profile_districts: frozenset[int] = frozenset()
    """Districts with a domain profile in the year (any domain chosen, all ages)."""

    def value(self, key: CubeKey, name: str = "count") -> object:
        """The shown value, the suppression label, or None when there is no such figure."""
        cell = self.cells.get(key)
        return None if cell is None else cell.values.get(name)

    def shown(self, key: CubeKey) -> ShownCell | None:
        return self.cells.get(key)


def build_table(
    found: _Collected,
    quarters: list[int],
    district_ids: list[int],
    team_ids: list[int],
) -> Table:
    """Every figure of every selection, dense (missing figures are 0), with the sums that
    link them."""
    # Ties (a total and its one non-zero part) go to the cell listed first: list the
    # details before their totals, so the total stays shown.
    periods = [*quarters, YEAR]
    districts: list[Area] = [("d", d) for d in district_ids]
    teams: list[Area] = [("t", t) for t in team_ids]
    areas = [*teams, *districts, ALL]
    ages = tuple(reversed(AGES))
    cells: list[Cell] = []
    groups: list[Group] = []
    for family in sorted(found.families, key=_family_order(found)):
        items = _items(family, found.families[family])
        profile = family.startswith("dom:")
        for period in periods:
            for age in ages:
                values: dict[Area, dict[str, _Value]] = {}
                for area in areas:
                    values[area] = {
                        item: found.values.get((family, item, period, area, age), _Value())
                        for item in items
                    }
                    for item, value in values[area].items():
                        cells.append(
                            Cell(
                                (family, item, period, area, age),
                                value.residents,
                                {"count": value.count, **_no_mean(family, item), **value.extras},
                                # The domain profile is shown per district or team.
                                published=not (profile and area == ALL),
                            )
                        )
                    groups += _within_selection(family, period, area, age, values[area])
                for item in items:
                    for parts in (districts, teams):
                        rest, group = _area_group(family, item, period, age, parts, values)
                        cells += rest
                        groups += group
        for area in areas:
            for item in items:
                # A goal counts once a period, with its last status: quarters do not add up.
                if quarters and not family.startswith("goal:"):
                    for age in AGES:
                        groups.append(
                            Group(
                                (family, item, YEAR, area, age),
                                tuple((family, item, q, area, age) for q in quarters),
                            )
                        )
                for period in periods:
                    groups.append(
                        Group(
                            (family, item, period, area, "all"),
                            ((family, item, period, area, "adult"),
                             (family, item, period, area, "young")),
                        )
                    )  # fmt: skip
    return Table(tuple(cells), tuple(groups))


def _no_mean(family: str, item: str) -> dict[str, object]:
    """A change figure always has a mean (None without pairs), so a hidden one shows
    "<10" or "×" like its count, never a "-" that says there were no pairs."""
    if item == "pairs" and (family == "qol" or family.startswith("chg:")):
        return {"mean": None}
    return {}


def _family_order(found: _Collected) -> Any:
    kinds = ["reg", "nfi", "dom", "chg", "qol", "goal"]

    def order(family: str) -> tuple[int, int, str]:
        kind, _sep, rest = family.partition(":")
        return (kinds.index(kind), found.domain_order.get(rest, 0), rest)

    return order


def _items(family: str, seen: Iterable[str]) -> tuple[str, ...]:
    if family.startswith("dom:"):
        return DOMAIN_ITEMS
    if family == "qol" or family.startswith("chg:"):
        return CHANGE_ITEMS
    return tuple(sorted(seen))


def _within_selection(
    family: str, period: int, area: Area, age: str, values: Mapping[str, _Value]
) -> list[Group]:
    """The parts of one figure that add up to its total, when they do."""
    parts: tuple[str, ...]
    if family == "qol" or family.startswith("chg:"):
        total, parts = "pairs", ("improved", "same", "worse")
    elif family.startswith("dom:"):
        total, parts = "chosen", tuple(band for band, _low, _high in ind.BANDS)
        # A choice without the resident's chip is in no band: then there is no sum.
        if values[total].count != sum(values[p].count for p in parts):
            return []
    else:
        return []
    return [
        Group(
            (family, total, period, area, age),
            tuple((family, p, period, area, age) for p in parts),
        )
    ]


def _area_group(
    family: str,
    item: str,
    period: int,
    age: str,
    parts: list[Area],
    values: Mapping[Area, Mapping[str, _Value]],
) -> tuple[list[Cell], list[Group]]:
    """The whole scope as the sum of its districts (or teams). What lies outside them (a
    resident living in another municipality's district) is an unshown rest cell; its
    residents are not known, so its count stands in for them (documented limit)."""
    if not parts:
        return [], []
    total = values[ALL][item].count
    rest = total - sum(values[p][item].count for p in parts)
    keys = [(family, item, period, p, age) for p in parts]
    extra: list[Cell] = []
    if rest > 0:
        kind = "d" if parts[0][0] == "d" else "t"  # type: ignore[index]
        rest_key = (family, item, period, ("rest", kind), age)
        extra.append(Cell(rest_key, rest, {"count": rest}, published=False))
        keys.append(rest_key)
    return extra, [Group((family, item, period, ALL, age), tuple(keys))]


@dataclass(frozen=True)
class LinkedTable:
    """Every figure of a scope's year with the sums that link them, before suppression."""

    year: int
    table: Table
    quarters: list[int]
    district_ids: list[int]
    team_ids: list[int]
    families: dict[str, tuple[str, ...]]
    domains: tuple[str, ...]
    parts: Parts = field(default_factory=dict)
    """The figures per part it was made of (the publisher stores them)."""


def linked_table(
    scope: Scope, year: int, today: dt.date, parts: Parts | None = None
) -> LinkedTable:
    """Ask the indicators for every area (scope, district, team), age group and period
    (the year and its quarters) in a fixed number of queries, per part; or link `parts`
    already known (a republish: the stored parts with the changed districts asked again)."""
    # On first use: only publishing needs the relations (the audit's HiGHS and numpy
    # are imported later still, when a figure is first solved).
    from .relations import with_known_relations

    quarters = quarters_so_far(year, today)
    district_ids = list(scope.districts().values_list("pk", flat=True))
    team_ids = list(scope.teams().values_list("pk", flat=True))
    if parts is None:
        parts = collect_parts(scope, year, quarters)
    found = merge_parts(parts, domain_positions())
    if quarters:
        # The figures every year has, also without data (0: "<10", not "no such figure").
        _put_figures(found, YEAR, ALL, "all", ind.Figures())
    table = build_table(found, quarters, district_ids, team_ids)
    return LinkedTable(
        year=year,
        table=with_known_relations(table, quarters, serving(scope, district_ids, team_ids)),
        quarters=quarters,
        district_ids=district_ids,
        team_ids=team_ids,
        families={f: _items(f, items) for f, items in found.families.items()},
        domains=tuple(sorted(found.domain_order, key=found.domain_order.__getitem__)),
        parts=parts,
    )


def serving(scope: Scope, district_ids: list[int], team_ids: list[int]) -> set[tuple[Area, Area]]:
    """Which teams serve which districts, as areas of the linked table (a district or
    team outside the scope is its rest)."""
    sel = ind.Selection(
        start=dt.date.min,
        end=dt.date.max,
        municipality_id=scope.municipality_id,
        organisation_id=scope.organisation_id,
        team_ids=scope.team_ids,
    )
    districts, teams = set(district_ids), set(team_ids)
    return {
        (
            ("d", d) if d in districts else ("rest", "d"),
            ("t", t) if t in teams else ("rest", "t"),
        )
        for d, t in ind.district_team_pairs(sel)
    }


def _compute(scope: Scope, year: int, today: dt.date) -> Cube:
    return cube_of(linked_table(scope, year, today))


def cube_of(linked: LinkedTable, width: int | None = None) -> Cube:
    """The linked table through `suppress_small_cells` (with the interval audit at
    `width`, by default settings.MONITORING_AUDIT_WIDTH; 0 for the sums only), as a cube."""
    if width is None:
        width = settings.MONITORING_AUDIT_WIDTH
    shown = suppress_small_cells(linked.table, width=width)
    return Cube(
        year=linked.year,
        quarters=tuple(linked.quarters),
        district_ids=tuple(linked.district_ids),
        team_ids=tuple(linked.team_ids),
        cells=shown.cells,  # type: ignore[arg-type]
        families=linked.families,
        domains=linked.domains,
        label=shown.label,
        profile_districts=frozenset(
            area[1]
            for (family, item, period, area, age), cell in shown.cells.items()
            if str(family).startswith("dom:")
            and (item, period, age) == ("chosen", YEAR, "all")
            and isinstance(area, tuple)
            and area[0] == "d"
            and cell.values.get("count") not in (0, None)
        ),
    )


def suppressed_cube(scope: Scope, year: int, today: dt.date | None = None) -> Cube:
    """The suppressed figures of every selection in the scope's `year`, from the cache
    when the data have not changed since."""
    today = today or timezone.localdate()
    key = f"monitoring-cube:{scope.cache_name}:{year}:{today.isoformat()}:{data_version()}"
    cube = cache.get(key)
    if not isinstance(cube, Cube):
        cube = _compute(scope, year, today)
        cache.set(key, cube, CACHE_SECONDS)
    return cube
