"""The adoption indicators: what each counts (`Counts`), its label and unit, and its
value over a period (`IndicatorValue`). The definitions are in the package's docstring."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wattelt.instrument.figures import REGISTRATION_DAYS, per_reason, registration_rate

START_WINDOW_DAYS = REGISTRATION_DAYS
"""The registration rate: a start measurement within this many days of the start (the one
definition, shared with monitoring: instrument/figures.py). The 14-day signal is the
reminder to the professional (the organisation's `start_measurement_grace_days`), not
this figure."""
FOLLOW_UP_TOLERANCE_DAYS = 14
"""A follow-up counts as on time up to this many days after its due date."""

Unit = Literal["percent", "number"]

INDICATORS: dict[str, str | Promise] = {
    # The key is stored in implementation-plan goals, so it keeps its old name; the
    # figure is the registration rate (30 days), as in monitoring.
    "start_within_14_days": _("Registration rate (start measurement within 30 days)"),
    "follow_up_on_time": _("Follow-ups on time"),
    "end_measurement": _("Closed with an end measurement or a reason"),
    "professional_view_used": _("Professional's view used"),
    "carer_view_used": _("Carer's view used"),
    "goals_per_measurement": _("Goals per measurement"),
}
"""Indicator key -> short label (translatable: use str() in the active language)."""

UNITS: dict[str, Unit] = {
    "start_within_14_days": "percent",
    "follow_up_on_time": "percent",
    "end_measurement": "percent",
    "professional_view_used": "percent",
    "carer_view_used": "percent",
    "goals_per_measurement": "number",
}
OPTIONAL_VIEWS = {"professional_view_used": "professional", "carer_view_used": "carer"}


@dataclass(frozen=True)
class IndicatorValue:
    """One indicator over a period: `value` is a percentage (0-100) for unit "percent",
    a plain number (e.g. 1.5 goals) for unit "number", None when there is nothing to
    measure (denominator 0, or a view the organisation does not offer)."""

    value: float | None
    numerator: int
    denominator: int
    unit: Unit


_REASONS: tuple[str, ...] = tuple(per_reason(0))
"""Read once: the page makes thousands of `Counts` (the enum's values are slow to list)."""


def _no_reasons() -> dict[str, int]:
    return dict.fromkeys(_REASONS, 0)


@dataclass
class Counts:
    """Additive counts behind every indicator; summed over teams, people and months."""

    started: int = 0
    started_in_time: int = 0
    """Started, with a confirmed start measurement within 30 days (`registered_in_time`)."""
    follow_ups_due: int = 0
    follow_ups_on_time: int = 0
    closed: int = 0
    closed_with_end: int = 0
    closed_with_reason: int = 0
    """Closed without an end measurement but with a recorded reason."""
    measurements: int = 0
    with_professional_view: int = 0
    with_carer_view: int = 0
    goals: int = 0
    not_filled_in: dict[str, int] = field(default_factory=_no_reasons)

    def add(self, other: Counts) -> None:
        # Spelled out: the page adds thousands of these per view.
        self.started += other.started
        self.started_in_time += other.started_in_time
        self.follow_ups_due += other.follow_ups_due
        self.follow_ups_on_time += other.follow_ups_on_time
        self.closed += other.closed
        self.closed_with_end += other.closed_with_end
        self.closed_with_reason += other.closed_with_reason
        self.measurements += other.measurements
        self.with_professional_view += other.with_professional_view
        self.with_carer_view += other.with_carer_view
        self.goals += other.goals
        mine = self.not_filled_in
        for reason, count in other.not_filled_in.items():
            mine[reason] = mine.get(reason, 0) + count

    @property
    def not_filled_in_total(self) -> int:
        return sum(self.not_filled_in.values())

    @property
    def registration_rate(self) -> float | None:
        """The registration rate (0-1), as monitoring gives it; None when none started."""
        return registration_rate(self.started, self.started_in_time)

    def fraction(self, key: str) -> tuple[int, int]:
        return {
            "start_within_14_days": (self.started_in_time, self.started),
            "follow_up_on_time": (self.follow_ups_on_time, self.follow_ups_due),
            "end_measurement": (self.closed_with_end + self.closed_with_reason, self.closed),
            "professional_view_used": (self.with_professional_view, self.measurements),
            "carer_view_used": (self.with_carer_view, self.measurements),
            "goals_per_measurement": (self.goals, self.measurements),
        }[key]

    def indicator(
        self, key: str, offered: Collection[str] = ("professional", "carer")
    ) -> IndicatorValue:
        unit = UNITS[key]
        if key in OPTIONAL_VIEWS and OPTIONAL_VIEWS[key] not in offered:
            return IndicatorValue(None, 0, 0, unit)
        numerator, denominator = self.fraction(key)
        if not denominator:
            return IndicatorValue(None, numerator, denominator, unit)
        value = numerator / denominator
        return IndicatorValue(
            value * 100 if unit == "percent" else value, numerator, denominator, unit
        )


Key = tuple[int, int, int]
"""(team id, responsible professional's id, month number)."""


def total(counts: Iterable[Counts]) -> Counts:
    result = Counts()
    for c in counts:
        result.add(c)
    return result
