"""The resident's own file as Mijn Wat telt shows it: their trajectories, their plan in
each, their progress, their consents. Everything starts from the `owned_by(resident)`
rules, so a resident never reaches another resident's data."""

from __future__ import annotations

from dataclasses import dataclass

from wattelt.instrument.board import band
from wattelt.instrument.changes import WhatChanged, what_changed
from wattelt.instrument.models import ChosenDomain, Goal, Measurement
from wattelt.instrument.plan import ResidentPlan, resident_plan
from wattelt.instrument.wording import wording_for
from wattelt.residents.access import TrajectoryAccess
from wattelt.residents.models import ALL_PARTS, Consent, Resident, Trajectory


def own_trajectories(resident: Resident) -> list[Trajectory]:
    """Open ones first (newest first), then the closed ones."""
    trajectories = Trajectory.objects.owned_by(resident).select_related(
        "team", "team__organisation", "responsible"
    )
    return sorted(trajectories, key=lambda t: (not t.is_open, -t.started_on.toordinal(), -t.pk))


def own_trajectory(resident: Resident, pk: int) -> Trajectory | None:
    return (
        Trajectory.objects.owned_by(resident)
        .select_related("team", "responsible")
        .filter(pk=pk)
        .first()
    )


def own_plan(trajectory: Trajectory) -> ResidentPlan:
    """The plan of one of the resident's own trajectories: all of it is theirs."""
    return resident_plan(TrajectoryAccess(trajectory, ALL_PARTS, in_care=False, can_edit=False))


@dataclass(frozen=True)
class BoardLine:
    """One chosen domain of a board: the resident's face and, beside it, the
    professional's when they placed a chip (a face name, never a position)."""

    choice: ChosenDomain
    resident_face: str
    professional_face: str


@dataclass(frozen=True)
class BoardInTime:
    measurement: Measurement
    lines: list[BoardLine]
    changes: WhatChanged | None
    """What changed since the board before (None for the first one)."""
    wording: str
    """The catalogue's wording (young people or adults) of this board."""

    @property
    def has_professional(self) -> bool:
        """Whether the professional placed a chip of their own anywhere on this board."""
        return any(line.professional_face for line in self.lines)


@dataclass(frozen=True)
class OwnProgress:
    trajectory: Trajectory
    boards: list[BoardInTime]
    goals: list[Goal]


def own_progress(resident: Resident, trajectory: Trajectory) -> OwnProgress:
    """The confirmed boards of one trajectory, oldest first, each with what changed
    since the one before; and the trajectory's goals with their status."""
    measurements = list(
        Measurement.objects.owned_by(resident)
        .filter(trajectory=trajectory)
        .select_related("trajectory__resident")
        .prefetch_related("choices__domain")
        .order_by("measured_on", "id")
    )
    boards = []
    for index, measurement in enumerate(measurements):
        lines = [
            BoardLine(c, band(c.resident_chip), band(c.professional_chip))
            for c in sorted(measurement.choices.all(), key=lambda c: c.domain.position)
        ]
        changes = what_changed(measurement) if index > 0 else None
        boards.append(BoardInTime(measurement, lines, changes, wording_for(measurement)))
    goals = list(
        Goal.objects.owned_by(resident).filter(trajectory=trajectory).prefetch_related("domains")
    )
    return OwnProgress(trajectory, boards, goals)


def own_consents(resident: Resident) -> list[Consent]:
    """Every consent the resident gave, the active ones first."""
    consents = Consent.objects.owned_by(resident).select_related("organisation", "trajectory__team")
    return sorted(consents, key=lambda c: (not c.is_active, -c.recorded_at.timestamp()))


def own_consent(resident: Resident, pk: int) -> Consent | None:
    return (
        Consent.objects.owned_by(resident)
        .select_related("organisation", "trajectory")
        .filter(pk=pk)
        .first()
    )
