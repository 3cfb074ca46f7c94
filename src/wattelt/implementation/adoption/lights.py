"""The traffic lights of the guide's implementation phases, judged over the last
complete months."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .indicators import Counts, IndicatorValue, total

SUSTAINED_MONTHS = 3
"""The lights judge the last three complete months."""
MIN_CASES = 5
"""Fewer cases than this in the last three months: no traffic light (too little data)."""


@dataclass(frozen=True)
class Threshold:
    """A phase's traffic light: green when the share over the last three complete months
    is at least `green` and no single month (with cases) fell below `amber`; red when the
    share is below `amber`; amber in between; grey with fewer than MIN_CASES cases."""

    phase: str
    indicator: str
    green: int
    amber: int


THRESHOLDS = (
    Threshold("able_to_use", "start_within_14_days", green=80, amber=50),
    Threshold("keep_using", "follow_up_on_time", green=70, amber=40),
)
PHASES: tuple[tuple[str, str | Promise], ...] = (
    ("know", _("Knowing")),
    ("understand", _("Understanding")),
    ("want", _("Wanting")),
    ("able_to_use", _("Able to use")),
    ("keep_using", _("Keep using")),
)
"""The guide's five implementation phases (weten, begrijpen, willen, kunnen gebruiken,
blijven gebruiken); registrations can only show the last two."""

Light = Literal["green", "amber", "red", "grey"]


@dataclass(frozen=True)
class PhaseLight:
    phase: str
    label: str
    light: Light | None  # None: not measurable from registrations
    value: IndicatorValue | None = None


def traffic_light(threshold: Threshold, months: list[Counts]) -> tuple[Light, IndicatorValue]:
    """The light of one phase from the counts of the last complete months."""
    value = total(months).indicator(threshold.indicator)
    if value.denominator < MIN_CASES or value.value is None:
        return "grey", value
    if value.value < threshold.amber:
        return "red", value
    monthly = [c.indicator(threshold.indicator).value for c in months]
    if value.value >= threshold.green and all(v is None or v >= threshold.amber for v in monthly):
        return "green", value
    return "amber", value


def phase_lights(months: list[Counts]) -> list[PhaseLight]:
    by_phase = {t.phase: t for t in THRESHOLDS}
    lights = []
    for phase, label in PHASES:
        if phase in by_phase:
            light, value = traffic_light(by_phase[phase], months)
            lights.append(PhaseLight(phase, str(label), light, value))
        else:
            lights.append(PhaseLight(phase, str(label), None))
    return lights
