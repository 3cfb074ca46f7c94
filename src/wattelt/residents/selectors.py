"""Reads for the resident pages, through the one access rule."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef

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
