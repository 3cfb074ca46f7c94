"""Reads for the resident pages, through the one access rule."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Exists, Max, OuterRef, Q

from .models import Resident, Trajectory, TrajectoryQuerySet

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from wattelt.organisations.models import Staff


def resident_trajectories(user: Staff | AnonymousUser, resident: Resident) -> TrajectoryQuerySet:
    """The resident's trajectories this user may see, newest first, each with whether
    its measurements are shared with the user (`shows_measurements`) and, for those,
    how many there are and the latest date; counts of unshared measurements are never
    shown."""
    measurements_shared = Trajectory.objects.visible_to(user, "measurements").filter(
        pk=OuterRef("pk")
    )
    confirmed = Q(measurements__status="confirmed")
    return (
        Trajectory.objects.visible_to(user)
        .filter(resident=resident)
        .select_related("team", "responsible")
        .annotate(
            shows_measurements=Exists(measurements_shared),
            confirmed_count=Count("measurements", filter=confirmed),
            last_measured_on=Max("measurements__measured_on", filter=confirmed),
        )
        .order_by("-started_on", "-pk")
    )
