"""The adoption report: everything the page shows for a window of twelve months, the
trend of the chosen scope and every visible team and professional with their lights.
Two queries (the adoption summary, counts.py), whatever the data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.utils import timezone

from .access import AdoptionAccess, detail_teams
from .counts import counts_of_teams, offered_views
from .indicators import Counts, Key, total
from .lights import SUSTAINED_MONTHS, PhaseLight, phase_lights
from .months import Month

TREND_MONTHS = 12

KeyFilter = Callable[[Key], bool]


@dataclass(frozen=True)
class MonthFigures:
    month: Month
    counts: Counts
    complete: bool


@dataclass(frozen=True)
class GroupRow:
    """A team or a professional over the whole window, with the lights of the last
    complete months."""

    id: int
    name: str
    counts: Counts
    lights: list[PhaseLight]


@dataclass(frozen=True)
class AdoptionReport:
    recent: list[Month]
    """The complete months the traffic lights judge."""
    trend: list[MonthFigures]
    scope_lights: list[PhaseLight]
    teams: list[GroupRow]
    professionals: list[GroupRow]
    offered: list[str]
    interval_months: int

    @property
    def window_total(self) -> Counts:
        return total(m.counts for m in self.trend)


def window(end: Month) -> list[Month]:
    return [end - n for n in range(TREND_MONTHS - 1, -1, -1)]


def complete_months(months: list[Month], today: dt.date) -> list[Month]:
    """The last SUSTAINED_MONTHS months of the window that have ended."""
    return [m for m in months if m.last_day < today][-SUSTAINED_MONTHS:]


def _by_month(
    counts: Mapping[Key, Counts], months: list[Month], keep: KeyFilter = lambda key: True
) -> dict[int, Counts]:
    summed = {m.number: Counts() for m in months}
    for key, c in counts.items():
        if key[2] in summed and keep(key):
            summed[key[2]].add(c)
    return summed


def _scope(access: AdoptionAccess, team_id: int | None, professional_id: int | None) -> KeyFilter:
    """The counts of the chosen scope: all the user's teams, one team, or one
    professional (only in a team whose professionals' own figures the user sees)."""

    def in_scope(key: Key) -> bool:
        if team_id is not None and key[0] != team_id:
            return False
        if professional_id is not None:
            return key[1] == professional_id and key[0] in access.detail_team_ids
        return True

    return in_scope


def _of_professional(professional_id: int, detail: frozenset[int]) -> KeyFilter:
    """Their own figures, in the teams whose professionals' figures the user sees."""
    return lambda key: key[1] == professional_id and key[0] in detail


def _group_row(
    counts: Mapping[Key, Counts],
    months: list[Month],
    recent: list[Month],
    group: tuple[int, str],
    keep: KeyFilter = lambda key: True,
) -> GroupRow:
    summed = _by_month(counts, months, keep)
    return GroupRow(
        group[0],
        group[1],
        total(summed.values()),
        phase_lights([summed[m.number] for m in recent]),
    )


def _split(counts: Mapping[Key, Counts], part: int) -> dict[int, dict[Key, Counts]]:
    """The counts per team (part 0) or per professional (part 1): each row then sums
    only its own counts, not all of them (an organisation has hundreds of people)."""
    split: dict[int, dict[Key, Counts]] = {}
    for key, c in counts.items():
        split.setdefault(key[part], {})[key] = c
    return split


def report_counts(
    access: AdoptionAccess, end: Month, team_id: int | None, today: dt.date
) -> dict[Key, Counts]:
    """The counts the report of the twelve months up to `end` rests on (one team
    chosen: only its counts). Two queries (the adoption summary, counts.py)."""
    months = window(end)
    team_ids = [t for t in access.team_ids if team_id is None or t == team_id]
    return counts_of_teams(
        access.organisation, months[0].first_day, min(end.last_day, today), team_ids, today
    )


def adoption_report(
    access: AdoptionAccess,
    end: Month,
    team_id: int | None = None,
    professional_id: int | None = None,
    people: list[tuple[int, str]] | None = None,
    today: dt.date | None = None,
    counts: Mapping[Key, Counts] | None = None,
    offered: list[str] | None = None,
) -> AdoptionReport:
    """Everything the page shows for the twelve months up to `end`: the trend of the
    chosen scope (all the user's teams, one team, or one professional), every visible
    team with its lights, and `people` (from `professionals_of(detail_teams(...))`) with
    theirs. Two queries (the adoption summary, counts.py), whatever the data, or none
    with `counts` (from `report_counts`) and `offered` given."""
    today = today or timezone.localdate()
    organisation = access.organisation
    months = window(end)
    recent = complete_months(months, today)
    # One team chosen: only its counts are shown (its trend, its row, its people).
    if counts is None:
        counts = report_counts(access, end, team_id, today)
    trend_by_month = _by_month(counts, months, _scope(access, team_id, professional_id))
    detail = detail_teams(access, team_id)
    per_team, per_person = _split(counts, 0), _split(counts, 1)
    return AdoptionReport(
        recent=recent,
        trend=[MonthFigures(m, trend_by_month[m.number], m.last_day < today) for m in months],
        scope_lights=phase_lights([trend_by_month[m.number] for m in recent]),
        teams=[
            _group_row(per_team.get(t.pk, {}), months, recent, (t.pk, t.name))
            for t in access.teams
            if team_id is None or t.pk == team_id
        ],
        professionals=[
            _group_row(
                per_person.get(person[0], {}),
                months,
                recent,
                person,
                _of_professional(person[0], detail),
            )
            for person in people or []
        ],
        offered=offered_views(organisation) if offered is None else offered,
        interval_months=organisation.follow_up_interval_months,
    )
