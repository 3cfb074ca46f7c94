"""Reads for the resident pages, through the one access rule."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, QuerySet

from wattelt.organisations import roles
from wattelt.organisations.models import Team

from .facts import trajectory_facts
from .models import Resident, Trajectory, TrajectoryQuerySet

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from wattelt.organisations.models import Staff


def resident_trajectories(user: Staff | AnonymousUser, resident: Resident) -> TrajectoryQuerySet:
    """The resident's trajectories this user may see, newest first, each with whether
    its measurements are shared with the user (`shows_measurements`) and the facts the
    apps above register (`facts.py`: the instrument's measurement count and latest
    date); the page shows those only where the measurements are shared."""
    measurements_shared = Trajectory.objects.visible_to(user, "measurements").filter(
        pk=OuterRef("pk")
    )
    return (
        Trajectory.objects.visible_to(user)
        .filter(resident=resident)
        .select_related("team", "responsible")
        .annotate(shows_measurements=Exists(measurements_shared), **trajectory_facts())
        .order_by("-started_on", "-pk")
    )


def teams_to_open_in(user: Staff | AnonymousUser, resident: Resident) -> QuerySet[Team]:
    """The user's teams as a professional where the resident has no open trajectory:
    only there can one be opened."""
    open_here = Trajectory.objects.open().filter(resident=resident).values("team_id")
    return Team.objects.filter(pk__in=roles.professional_team_ids(user)).exclude(pk__in=open_here)
