"""Reads for the start pages, through each model's one access rule. Every function makes
a fixed number of queries whatever the data size; lists are paginated by the caller."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from wattelt.audit.models import AccessLog
from wattelt.dates import PlusDays
from wattelt.implementation import services as implementation
from wattelt.instrument.models import Measurement, NotFilledIn
from wattelt.monitoring.cube import dashboard_scope
from wattelt.monitoring.highlights import Highlights, quarter_highlights
from wattelt.organisations import roles
from wattelt.organisations.models import Membership, Role, Staff, Team
from wattelt.privacy.models import ErasureRequest
from wattelt.residents.models import Trajectory, TrajectoryQuerySet
from wattelt.residents.services import DUE_SOON_DAYS

MINE = "mij"
TEAM = "team"
ALL = "alles"
OVERDUE = "te-laat"
DUE = "binnenkort"
REFUSALS_SINCE_DAYS = 7


class ProbedExists(Exists):
    """EXISTS asked through the subquery's index for each row that reaches it. `OFFSET 0`
    keeps PostgreSQL from turning it into a hash of the whole subquery table, built at
    every request: for "nothing recorded as not filled in" that hashed every such record
    in the database (52,000 at 1M residents) to answer for the few hundred rows whose
    start measurement may be missing (the start page's counts took 14.8 against 3.4 ms;
    bench/RESULTS.md, "Lead, stop 38")."""

    template = "EXISTS(%(subquery)s OFFSET 0)"


def _soon(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=DUE_SOON_DAYS)


def professional_work(user: Staff, scope: str, show: str, today: dt.date) -> TrajectoryQuerySet:
    """The open trajectories the professional works on ("mij": responsible for;
    "team": of their teams), the most urgent first: overdue and due measurements by due
    date, then the rest by latest activity."""
    work = Trajectory.objects.visible_to(user).in_care_of(user).open()
    if scope == MINE:
        work = work.filter(responsible=user)
    if show == OVERDUE:
        work = work.filter(measurement_due_on__lt=today)
    elif show == DUE:
        work = work.filter(measurement_due_on__gte=today, measurement_due_on__lte=_soon(today))
    urgent_due = Case(
        When(measurement_due_on__lte=_soon(today), then=F("measurement_due_on")),
        default=Value(None),
        output_field=DateField(),
    )
    return (
        work.annotate(urgent_due=urgent_due)
        .select_related("resident", "team__organisation", "responsible")
        .order_by(F("urgent_due").asc(nulls_last=True), F("last_activity_at").desc(), "-pk")
    )


Teams = Sequence[int] | QuerySet[Any, Any]
"""Team ids, as values or as a subquery."""


def _counted(today: dt.date, teams: Teams) -> dict[str, Any]:
    """The counts of the open trajectories of `teams`. "start_missing" is what
    `implementation.services.start_missing` says of one row (overdue, and the due date
    still the start date plus the organisation's grace period, as the list's badge
    reads it) and that nothing is recorded indeed (no confirmed measurement, no record
    of one not filled in). The due date is compared first, with each organisation's
    grace period as a constant: the two EXISTS are then asked only for the rows whose
    start measurement may be missing, not for every overdue follow-up (a team's
    caseload at 1M: thousands of rows; bench/RESULTS.md, "The start page's counts")."""
    recorded = Exists(
        Measurement.objects.filter(trajectory=OuterRef("pk"), status=Measurement.Status.CONFIRMED)
    ) | ProbedExists(NotFilledIn.objects.filter(trajectory=OuterRef("pk")))
    overdue = Q(measurement_due_on__lt=today)
    return {
        "total": Count("pk"),
        "overdue": Count("pk", filter=overdue),
        "due": Count(
            "pk", filter=Q(measurement_due_on__gte=today, measurement_due_on__lte=_soon(today))
        ),
        "start_missing": Count("pk", filter=overdue & _start_due(teams) & ~recorded),
    }


def _start_due(teams: Teams) -> Q:
    """The due date is the start date plus the grace period of the team's organisation:
    one small query for the teams' grace periods, then a constant per period."""
    by_days: dict[int, list[int]] = defaultdict(list)
    graces = Team.objects.filter(pk__in=teams).values_list(
        "pk", "organisation__start_measurement_grace_days"
    )
    for team_id, days in graces:
        by_days[days].append(team_id)
    due = Q(pk__in=[])  # no team: no start measurement is due
    for days, team_ids in by_days.items():
        due |= Q(team_id__in=team_ids, measurement_due_on=PlusDays("started_on", Value(days)))
    return due


def work_counts(user: Staff, today: dt.date) -> dict[str, dict[str, int]]:
    """Open, overdue, due and start-missing counts, for "mine" and for the team: one query
    grouped by responsible professional (and `_start_due`'s small one), the team's counts
    the groups' sums, as `coach_overview` adds up its rows. The four counts grouped cost
    the ORM less to build than eight over one row, "mine" and "team" apart
    (bench/RESULTS.md, "The start page's counts, grouped")."""
    counted = _counted(today, roles.team_id_list(user))
    per_responsible = (
        Trajectory.objects.visible_to(user)
        .in_care_of(user)
        .open()
        .values("responsible_id")
        .annotate(**counted)
        .order_by()
    )
    mine, team = dict.fromkeys(counted, 0), dict.fromkeys(counted, 0)
    for row in per_responsible:
        for name in counted:
            team[name] += row[name]
        if row["responsible_id"] == user.pk:
            mine = {name: row[name] for name in counted}
    return {"mine": mine, "team": team}


def listed_count(counts: dict[str, dict[str, int]], scope: str, show: str) -> int:
    """How many rows `professional_work(user, scope, show, today)` lists, from
    `work_counts(user, today)`: the same trajectories under the same conditions."""
    shown = {ALL: "total", OVERDUE: "overdue", DUE: "due"}[show]
    return counts["mine" if scope == MINE else "team"][shown]


def shared_with_me(user: Staff, limit: int) -> list[Trajectory]:
    """Trajectories of other organisations shared with this specialist."""
    return list(
        Trajectory.objects.shared_with(user)
        .open()
        .select_related("resident", "team__organisation")
        .order_by("-last_activity_at", "-pk")[:limit]
    )


@dataclass(frozen=True)
class ProfessionalRow:
    name: str
    team: str
    total: int
    overdue: int
    due: int
    start_missing: int


def coach_overview(user: Staff, today: dt.date) -> tuple[dict[str, int], list[ProfessionalRow]]:
    """The coached teams' counts, and per responsible professional: one query."""
    counted = _counted(today, roles.coached_team_ids(user))
    team = implementation.coach_team_list(user).order_by()
    per_professional = (
        team.values(
            "responsible_id", "responsible__first_name", "responsible__last_name", "team__name"
        )
        .annotate(**counted)
        .order_by("-overdue", "-start_missing", "-due", "responsible__last_name", "team__name")
    )
    rows = [
        ProfessionalRow(
            name=f"{row['responsible__first_name']} {row['responsible__last_name']}".strip(),
            team=row["team__name"],
            total=row["total"],
            overdue=row["overdue"],
            due=row["due"],
            start_missing=row["start_missing"],
        )
        for row in per_professional
    ]
    # Every trajectory is in exactly one row: the totals are the rows' sums (one scan of
    # the teams' open trajectories, not two).
    totals = {name: sum(getattr(row, name) for row in rows) for name in counted}
    return totals, rows


def privacy_counts(user: Staff, today: dt.date) -> dict[str, int]:
    """Open data-subject requests and refused looks of the last week: two queries."""
    requests = ErasureRequest.objects.handled_by(user)
    since = timezone.now() - dt.timedelta(days=REFUSALS_SINCE_DAYS)
    return {
        "open_requests": (requests.pending() | requests.awaiting_execution()).count(),
        "refused": AccessLog.objects.visible_to(user)
        .filter(outcome=AccessLog.Outcome.REFUSED, at__gte=since)
        .count(),
    }


def organisation_roles(user: Staff) -> set[str]:
    """Which organisation-wide panels the start page shows."""
    return {
        name
        for name in (
            Role.Name.QUALITY_OFFICER,
            Role.Name.ORGANISATION_ADMIN,
            Role.Name.MUNICIPALITY_ANALYST,
            Role.Name.PRIVACY_OFFICER,
        )
        if roles.has_organisation_role(user, name)
    }


def organisation_teams(user: Staff) -> list[Team]:
    """The organisation admin's teams with how many professionals and coaches: one query."""
    if user.organisation_id is None:
        return []
    teams = Team.objects.filter(organisation_id=user.organisation_id)
    return list(
        teams.annotate(
            professionals=Count(
                "memberships", filter=Q(memberships__role=Membership.Role.PROFESSIONAL)
            ),
            coaches=Count("memberships", filter=Q(memberships__role=Membership.Role.TEAMCOACH)),
        ).order_by("name", "pk")
    )


def organisation_staff(user: Staff) -> list[Staff]:
    """The organisation admin's users: name, teams with role, organisation roles, whether
    the account is active. Three queries, whatever the number of users."""
    if user.organisation_id is None:
        return []
    return list(
        Staff.objects.filter(organisation_id=user.organisation_id)
        .prefetch_related("memberships__team", "roles")
        .order_by("-is_active", "last_name", "first_name", "pk")
    )


def team_figures(user: Staff, today: dt.date) -> Highlights | None:
    """Three of the coach's published figures for this quarter (none before a publish)."""
    scope = dashboard_scope(user)
    return quarter_highlights(scope, today) if scope is not None else None
