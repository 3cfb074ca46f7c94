"""A trajectory over time: the resident's chips per domain, the quality-of-life line
and the goals. Paired change follows the indicator definitions of docs/domain."""

from __future__ import annotations

from dataclasses import dataclass, field

from wattelt.residents.models import Trajectory

from .models import ChosenDomain, Domain, Goal, Measurement

CHANGE_THRESHOLD = 10


def change_class(change: int | None) -> str:
    """improved (+10 or more), worse (-10 or less), same; '' when not paired."""
    if change is None:
        return ""
    if change >= CHANGE_THRESHOLD:
        return "improved"
    if change <= -CHANGE_THRESHOLD:
        return "worse"
    return "same"


@dataclass
class DomainLine:
    domain: Domain
    # One entry per confirmed measurement, None where the domain was not chosen.
    positions: list[int | None] = field(default_factory=list)
    prioritised: list[bool] = field(default_factory=list)

    @property
    def change(self) -> int | None:
        """Latest minus first, when the domain was chosen in both."""
        if len(self.positions) < 2 or self.positions[0] is None or self.positions[-1] is None:
            return None
        return self.positions[-1] - self.positions[0]

    @property
    def change_class(self) -> str:
        return change_class(self.change)


@dataclass
class Progress:
    measurements: list[Measurement]
    lines: list[DomainLine]
    goals: list[Goal]
    draft: Measurement | None = None
    """The trajectory's draft, if any (the first by id, should there be more)."""

    @property
    def grades(self) -> list[tuple[Measurement, int | None]]:
        return [(m, m.quality_of_life) for m in self.measurements]

    @property
    def grade_points(self) -> list[dict[str, object]]:
        """Points of the quality-of-life line on a 600x200 chart (grade 1 at the bottom)."""
        graded = [m for m in self.measurements if m.quality_of_life is not None]
        step = 520 / max(len(graded) - 1, 1)
        return [
            {
                "x": round(40 + i * step),
                "y": round(180 - (m.quality_of_life - 1) * 160 / 9),
                "grade": m.quality_of_life,
                "measurement": m,
            }
            for i, m in enumerate(graded)
            if m.quality_of_life is not None
        ]

    @property
    def grade_polyline(self) -> str:
        return " ".join(f"{p['x']},{p['y']}" for p in self.grade_points)


def trajectory_progress(trajectory: Trajectory) -> Progress:
    """Everything the progress page shows, in a fixed number of queries: the confirmed
    measurements and the draft are read together."""
    read = list(
        Measurement.objects.filter(
            trajectory=trajectory,
            status__in=[Measurement.Status.CONFIRMED, Measurement.Status.DRAFT],
        )
        .select_related("preparation")  # "prepared by the resident" beside the board
        .order_by("measured_on", "id")
    )
    measurements = [m for m in read if m.status == Measurement.Status.CONFIRMED]
    drafts = [m for m in read if m.status == Measurement.Status.DRAFT]
    index = {m.pk: i for i, m in enumerate(measurements)}
    lines: dict[str, DomainLine] = {}
    choices = (
        ChosenDomain.objects.filter(measurement__in=[m.pk for m in measurements])
        .select_related("domain")
        .order_by("domain__position")
    )
    for choice in choices:
        line = lines.get(choice.domain.key)
        if line is None:
            line = lines[choice.domain.key] = DomainLine(
                choice.domain, [None] * len(measurements), [False] * len(measurements)
            )
        line.positions[index[choice.measurement_id]] = choice.resident_chip
        line.prioritised[index[choice.measurement_id]] = choice.prioritised
    goals = list(
        Goal.objects.filter(trajectory=trajectory, stated_in__status=Measurement.Status.CONFIRMED)
        .select_related("stated_in")
        .prefetch_related("domains", "reviews__measurement")
    )
    draft = min(drafts, key=lambda m: m.pk, default=None)
    return Progress(measurements, list(lines.values()), goals, draft)
