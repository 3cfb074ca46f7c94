"""Who sees which adoption figures: the one access rule of the adoption page."""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.cache import caches
from django.db.models import Q

from wattelt.organisations import roles
from wattelt.organisations.models import Membership, Organisation, Staff, Team

from ..models import AdoptionMonth
from .summary import stamps

KEPT = "figures"
"""Local memory per process, as the rendered report (page.py)."""
KEPT_SECONDS = 15 * 60

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


@dataclass(frozen=True)
class AdoptionAccess:
    """The one access rule of the adoption page. Quality officers and organisation
    admins: every team of their organisation, per professional too. Team coaches: the
    teams they coach, per professional too. Professionals: their own teams' team figures,
    never a colleague's own figures. Everyone else: nothing (None)."""

    organisation: Organisation
    teams: tuple[Team, ...]
    detail_team_ids: frozenset[int]
    whole_organisation: bool = False

    @property
    def team_ids(self) -> list[int]:
        return [team.pk for team in self.teams]

    @property
    def per_professional(self) -> bool:
        return bool(self.detail_team_ids)


def adoption_access(user: Staff | AnonymousUser) -> AdoptionAccess | None:
    if not user.is_authenticated or user.organisation_id is None:
        return None
    organisation = user.organisation
    assert organisation is not None
    teams = Team.objects.filter(organisation=organisation).order_by("name", "pk")
    if roles.answers_for_organisation_data(user):
        all_teams = tuple(teams)
        return AdoptionAccess(
            organisation, all_teams, frozenset(t.pk for t in all_teams), whole_organisation=True
        )
    own = tuple(teams.filter(pk__in=roles.team_ids(user)))
    if not own:
        return None
    coached = frozenset(roles.coached_team_ids(user).values_list("team_id", flat=True)) & {
        team.pk for team in own
    }
    return AdoptionAccess(organisation, own, coached)


def detail_teams(access: AdoptionAccess, team_id: int | None = None) -> frozenset[int]:
    """The teams whose professionals' own figures this user sees (within the chosen team)."""
    if team_id is None:
        return access.detail_team_ids
    return access.detail_team_ids & {team_id}


def responsible_in(team_ids: Collection[int]) -> list[int]:
    """Everyone responsible for a trajectory of these teams: every trajectory counts as
    started in the summary, so its responsible has a cell there. Kept (local memory)
    under the stamps of the teams' cells, which change with any cell (summary.py): a
    view reads the stamps (one small query), not the thousands of cells."""
    teams = sorted(team_ids)
    inputs = (teams, stamps(teams))
    digest = hashlib.sha256(pickle.dumps(inputs, protocol=pickle.HIGHEST_PROTOCOL))
    key = f"adoption-responsible:{digest.hexdigest()}"
    kept: list[int] | None = caches[KEPT].get(key)
    if kept is None:
        cells = AdoptionMonth.objects.filter(team_id__in=teams).order_by("responsible_id")
        kept = list(cells.values_list("responsible_id", flat=True).distinct())
        caches[KEPT].set(key, kept, KEPT_SECONDS)
    return kept


def professionals_of(team_ids: Collection[int]) -> list[tuple[int, str]]:
    """The professionals of these teams, and anyone responsible for a trajectory of them
    (someone who left the team keeps their figures), by name. Two queries (the stamps,
    the staff), three when the summary's cells of the teams changed."""
    responsible = responsible_in(team_ids)
    staff = (
        Staff.objects.filter(
            Q(
                memberships__team_id__in=list(team_ids),
                memberships__role=Membership.Role.PROFESSIONAL,
            )
            | Q(pk__in=responsible)
        )
        .distinct()
        .order_by("first_name", "last_name", "pk")
    )
    return [(person.pk, str(person)) for person in staff]
