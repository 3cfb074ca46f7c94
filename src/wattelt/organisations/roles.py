"""Who is what: every role predicate, once.

A staff member is a professional or a team coach through a team membership, and may
hold organisation-wide roles (quality officer, organisation admin, privacy officer,
municipality analyst). Access rules elsewhere (`visible_to` querysets, the door in
`residents/access.py`) ask these functions; nothing else reads memberships to decide
what someone may do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from .models import Membership, Role, Staff

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    User = Staff | AnonymousUser


def _staff(user: User) -> Staff | None:
    return user if isinstance(user, Staff) and user.is_authenticated else None


def team_ids(user: User, role: str | None = None) -> QuerySet[Any, Any]:
    """The ids of the teams the user belongs to (in `role`, when given), as a subquery.
    The staff member answers (`Staff.acting_team_ids`): an API client's principal acts
    in the teams its client was registered for (`api/principal.py`)."""
    staff = _staff(user)
    if staff is None:
        return Membership.objects.none().values("team_id")
    return staff.acting_team_ids(role)


def team_id_list(user: User) -> list[int]:
    """The ids of the user's teams as values, read once per request (cached on the
    user, as `team_roles`): filtering by them costs the database and Django less than
    the `team_ids` subquery, in the access rules that every page applies."""
    return sorted(team_roles(user))


def professional_organisation_ids(user: User) -> list[int]:
    """The organisations of the teams the user works in as a professional (values, read
    once per request): those a resident can share a trajectory with them from."""
    staff = _staff(user)
    return sorted(staff.professional_organisations) if staff else []


def professional_team_ids(user: User) -> QuerySet[Any, Any]:
    return team_ids(user, Membership.Role.PROFESSIONAL)


def coached_team_ids(user: User) -> QuerySet[Any, Any]:
    return team_ids(user, Membership.Role.TEAMCOACH)


def team_roles(user: User) -> dict[int, str]:
    """Team id to the user's role in it; read once per request (cached on the user)."""
    staff = _staff(user)
    return staff.team_roles if staff else {}


def is_team_member(user: User) -> bool:
    """A professional or coach of a team of the user's own organisation."""
    staff = _staff(user)
    return staff is not None and any(
        organisation_id == staff.organisation_id for organisation_id in staff.team_organisations
    )


def is_professional(user: User) -> bool:
    return Membership.Role.PROFESSIONAL in team_roles(user).values()


def is_coach(user: User) -> bool:
    return Membership.Role.TEAMCOACH in team_roles(user).values()


def has_organisation_role(user: User, *names: str) -> bool:
    """One of the organisation-wide roles, held in an organisation."""
    staff = _staff(user)
    return (
        staff is not None
        and staff.organisation_id is not None
        and any(staff.has_role(name) for name in names)
    )


def answers_for_organisation_data(user: User) -> bool:
    """The quality officer and the organisation admin answer for their organisation's
    data: the research export, organisation-wide results and screening are theirs."""
    return has_organisation_role(user, Role.Name.QUALITY_OFFICER, Role.Name.ORGANISATION_ADMIN)


def is_quality_officer(user: User) -> bool:
    return has_organisation_role(user, Role.Name.QUALITY_OFFICER)


def is_privacy_officer(user: User) -> bool:
    return has_organisation_role(user, Role.Name.PRIVACY_OFFICER)
