"""The instrument's door: a measurement or goal is reached through its trajectory's
rule (`residents/access.py`), under a consent that shares that part."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext

from wattelt.audit.refusals import ReadOnly
from wattelt.residents.access import (
    TrajectoryAccess,
    access_to,
    readonly_message,
    shown_id,
    trajectory_access,
    visible_one,
)

from .models import Goal, Measurement, Preparation

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from wattelt.organisations.models import Staff

    User = Staff | AnonymousUser


@dataclass(frozen=True)
class MeasurementAccess:
    measurement: Measurement
    access: TrajectoryAccess


def measurement_access(user: User, pk: object, for_edit: bool | None = None) -> MeasurementAccess:
    """The measurement if its trajectory's measurements are visible to the user (refused
    as not found otherwise), and the user may record in the trajectory when `for_edit`
    (refused as forbidden otherwise). `for_edit=None`: a draft needs recording rights,
    a confirmed measurement reading rights."""
    measurement = visible_one(
        Measurement.objects.visible_to(user).select_related(
            "trajectory__resident",
            "trajectory__team__organisation",
            "trajectory__responsible",
            "catalogue",
            "updated_by",
        ),
        pk,
        object_type="measurement",
        resident_field="trajectory__resident_id",
        action="change" if for_edit else "read",
    )
    access = access_to(user, measurement.trajectory)
    if for_edit is None:
        for_edit = measurement.is_draft
    if for_edit and not access.can_edit:
        trajectory = measurement.trajectory
        raise ReadOnly(
            "measurement",
            measurement.pk,
            trajectory.resident_id,
            "change",
            message=readonly_message(),
        )
    return MeasurementAccess(measurement, access)


def preparation_access(user: User, pk: object, for_edit: bool = False) -> Preparation:
    """A resident's preparation, reached as the measurements of its trajectory are (refused
    as not found otherwise); `for_edit`: opening it needs recording rights in the
    trajectory (refused as forbidden otherwise)."""
    preparation = visible_one(
        Preparation.objects.visible_to(user).select_related(
            "trajectory__resident", "trajectory__team__organisation", "measurement"
        ),
        pk,
        object_type="preparation",
        resident_field="trajectory__resident_id",
        action="change" if for_edit else "read",
    )
    if for_edit and not access_to(user, preparation.trajectory).can_edit:
        raise ReadOnly(
            "preparation",
            preparation.pk,
            preparation.trajectory.resident_id,
            "change",
            message=readonly_message(),
        )
    return preparation


def goal_for_progress(user: User, trajectory_pk: object, goal_pk: object) -> Goal:
    """A goal of the plan that this user may add progress to: the team's professionals,
    and a specialist with whom the goals are shared."""
    access = trajectory_access(user, trajectory_pk, need=("goals",))
    if not access.can_contribute:
        trajectory = access.trajectory
        raise ReadOnly(
            "goal", shown_id(goal_pk), trajectory.resident_id, "change", message=_no_adding()
        )
    return visible_one(
        Goal.objects.visible_to(user).filter(trajectory=access.trajectory),
        goal_pk,
        object_type="goal",
        resident_field="trajectory__resident_id",
        action="change",
    )


def _no_adding() -> str:
    return gettext("You can read this plan but not add to it.")
