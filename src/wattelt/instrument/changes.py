"""What changed since last time, for the resident: per domain the face then and now and
an arrow up, down or level, and the grade then and now. Never a chip position as a number.
The arrow follows monitoring's paired change: 10 or more up or down counts as a change."""

from __future__ import annotations

from dataclasses import dataclass

from .board import band, previous_measurement
from .models import Domain, Measurement
from .wording import wording_for

CHANGE_THRESHOLD = 10


@dataclass(frozen=True)
class DomainChange:
    domain: Domain
    then: str  # the face name last time ("" when not chosen then)
    now: str
    direction: str  # "up", "down", "same", or "new" (not chosen last time)


@dataclass(frozen=True)
class WhatChanged:
    measurement: Measurement
    previous: Measurement | None
    domains: list[DomainChange]
    grade_then: int | None
    grade_now: int | None
    wording: str = "adult"

    @property
    def grade_direction(self) -> str:
        if self.grade_then is None or self.grade_now is None:
            return "new"
        if self.grade_now > self.grade_then:
            return "up"
        return "down" if self.grade_now < self.grade_then else "same"


def direction(then: int | None, now: int | None) -> str:
    if then is None or now is None:
        return "new"
    if now - then >= CHANGE_THRESHOLD:
        return "up"
    return "down" if then - now >= CHANGE_THRESHOLD else "same"


def what_changed(measurement: Measurement) -> WhatChanged:
    previous = previous_measurement(measurement)
    earlier = (
        {c.domain.key: c.resident_chip for c in previous.choices.select_related("domain")}
        if previous
        else {}
    )
    changes = [
        DomainChange(
            domain=c.domain,
            then=band(earlier.get(c.domain.key)),
            now=band(c.resident_chip),
            direction=direction(earlier.get(c.domain.key), c.resident_chip),
        )
        for c in measurement.choices.select_related("domain").order_by("domain__position")
    ]
    return WhatChanged(
        measurement=measurement,
        previous=previous,
        domains=changes,
        grade_then=previous.quality_of_life if previous else None,
        grade_now=measurement.quality_of_life,
        wording=wording_for(measurement),
    )
