"""The door: what may this user do with this resident or trajectory?

Every view, export and API endpoint that shows one resident or trajectory asks here
and gets the object with what the user may see and do, or a refusal that is logged
(`audit.refusals`). Lists use the same rule through `Trajectory.objects.visible_to`
and `Resident.objects.visible_to`. The instrument's door (`instrument/access.py`) and
the screening's build on this one. `make lint` checks that views take no other way in
(`bin/check-door`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext

from wattelt.audit.refusals import NotVisible, ReadOnly
from wattelt.organisations import roles
from wattelt.organisations.models import Membership

from .models import ALL_PARTS, Consent, Resident, Trajectory, specialist_organisation_ids

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from wattelt.organisations.models import Staff

    User = Staff | AnonymousUser

M = TypeVar("M", bound=Model)

MAX_ID_DIGITS = 18
"""Ids fit in a 64-bit integer; anything longer is not an id."""


@dataclass(frozen=True)
class TrajectoryAccess:
    """A trajectory with what this user may see (`parts`) and do."""

    trajectory: Trajectory
    parts: frozenset[str]
    in_care: bool
    can_edit: bool

    def shows(self, part: str) -> bool:
        return part in self.parts

    @property
    def can_hand_over(self) -> bool:
        """Naming a new responsible professional: the team's members (the coach too),
        while the trajectory is open."""
        return self.in_care and self.trajectory.is_open

    @property
    def can_contribute(self) -> bool:
        """Adding progress to the plan: the team's professionals, and a specialist with
        whom the goals are shared; never in a closed trajectory, never a coach."""
        specialist = not self.in_care and self.shows("goals")
        return self.trajectory.is_open and (self.can_edit or specialist)


@dataclass(frozen=True)
class ResidentAccess:
    resident: Resident
    in_care: bool
    """The team in charge (or who registered the resident) sees the contact details and
    the BSN; a specialist sees who it is about."""


def parse_id(value: object) -> int | None:
    """An object id from a URL or form: ASCII digits only, within 64 bits."""
    text = str(value).strip()
    if not text or len(text) > MAX_ID_DIGITS or not (text.isascii() and text.isdigit()):
        return None
    return int(text)


def access_to(user: User, trajectory: Trajectory) -> TrajectoryAccess:
    """The rights on a trajectory that `visible_to` already let through."""
    team_roles = roles.team_roles(user)
    in_care = trajectory.team_id in team_roles
    can_edit = team_roles.get(trajectory.team_id) == Membership.Role.PROFESSIONAL or (
        in_care and trajectory.responsible_id == user.pk
    )
    if in_care:
        return TrajectoryAccess(trajectory, ALL_PARTS, True, can_edit)
    consents = Consent.objects.active().filter(
        trajectory=trajectory, organisation_id__in=specialist_organisation_ids(user)
    )
    parts = frozenset(part for consent in consents for part in consent.parts)
    return TrajectoryAccess(trajectory, parts, False, False)


def reading_for_screening(trajectory: Trajectory) -> TrajectoryAccess:
    """The screener reads every part of a drawn dossier and changes nothing; the draw
    itself is the rule (`ScreeningItem.objects.visible_to`)."""
    return TrajectoryAccess(trajectory, ALL_PARTS, False, False)


def trajectory_access(
    user: User,
    pk: object,
    *,
    need: Iterable[str] = (),
    for_edit: bool = False,
    purpose: str = "care",
) -> TrajectoryAccess:
    """The trajectory if the user may see it and, when `need` names parts, at least one
    of them is shared with them (refused as not found otherwise); and may record in it
    when `for_edit` (refused as forbidden otherwise)."""
    action = "change" if for_edit else "read"
    trajectory_id = parse_id(pk)
    trajectory = (
        Trajectory.objects.visible_to(user)
        .select_related("resident", "team__organisation", "responsible")
        .filter(pk=trajectory_id)
        .first()
        if trajectory_id is not None
        else None
    )
    if trajectory is None:
        resident_id = _resident_of(Trajectory.objects.all(), trajectory_id, "resident_id")
        raise NotVisible("trajectory", shown_id(pk), resident_id, action, purpose)
    access = access_to(user, trajectory)
    needed = frozenset(need)
    if needed and not access.parts & needed:
        raise NotVisible("trajectory", trajectory.pk, trajectory.resident_id, action, purpose)
    if for_edit and not access.can_edit:
        raise ReadOnly(
            "trajectory", trajectory.pk, trajectory.resident_id, action, purpose, readonly_message()
        )
    return access


def resident_access(user: User, pk: object, *, for_edit: bool = False) -> ResidentAccess:
    """The resident if the user may see them (refused as not found otherwise)."""
    action = "change" if for_edit else "read"
    resident = visible_one(
        Resident.objects.visible_to(user).select_related("district"),
        pk,
        object_type="resident",
        resident_field="pk",
        action=action,
    )
    in_care = (
        resident.registered_by_id == user.pk
        or Trajectory.objects.in_care_of(user).filter(resident=resident).exists()
    )
    return ResidentAccess(resident, in_care)


def visible_one(
    visible: QuerySet[M, Any],
    pk: object,
    *,
    object_type: str,
    resident_field: str,
    action: str = "read",
    purpose: str = "care",
) -> M:
    """One object from a `visible_to` queryset, or a logged refusal naming whose data
    it was (looked up past the rule, for the log only)."""
    object_id = parse_id(pk)
    found = visible.filter(pk=object_id).first() if object_id is not None else None
    if found is None:
        resident_id = _resident_of(visible.model._default_manager.all(), object_id, resident_field)
        raise NotVisible(object_type, shown_id(pk), resident_id, action, purpose)
    return found


def _resident_of(everything: QuerySet[Any, Any], pk: int | None, field: str) -> int | None:
    if pk is None:
        return None
    resident_id: int | None = everything.filter(pk=pk).values_list(field, flat=True).first()
    return resident_id


def shown_id(pk: object) -> str:
    """What was asked for, bounded to fit the log."""
    return str(pk)[:40]


def readonly_message() -> str:
    """The 403 message of every door: visible, not for changing."""
    return gettext("You can read this trajectory but not change it.")
