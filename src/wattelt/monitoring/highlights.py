"""Three of a scope's figures for this quarter, for the coach's start page: the value
back to the team in one click. Read from the published (suppressed) cube only: a page
view never builds figures; before the first publish there are none to show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .cube import ALL, Period, Scope
from .models import PublishedCube
from .published import load_cube, scope_identity
from .report import fmt, share


@dataclass(frozen=True)
class Highlight:
    label: str
    shown: str  # a number, a percentage, or the suppression label "<10"


@dataclass(frozen=True)
class Highlights:
    period: Period
    figures: list[Highlight]


def quarter_highlights(scope: Scope, today: dt.date) -> Highlights | None:
    """Trajectories started, the registration rate and goals achieved in this quarter,
    for the whole scope and all ages, as published; None when nothing is published."""
    kind, key = scope_identity(scope)
    stored = (
        PublishedCube.objects.filter(kind=kind, scope_key=key, year=today.year)
        .values("pk", "build", "payload")
        .first()
    )
    period = Period.containing(today)
    if stored is None:
        return None
    cube = load_cube(bytes(stored["payload"]), stored["pk"], stored["build"])
    if period.quarter not in cube.quarters:
        return None

    def value(family: str, item: str = "count") -> object:
        return cube.value((family, item, period.quarter, ALL, "all"))

    started = value("reg:trajectories")
    return Highlights(
        period,
        [
            Highlight(_("Trajectories started"), fmt(started)),
            Highlight(
                _("Start measurement within 30 days"),
                fmt(share(value("reg:early"), started), "share"),
            ),
            Highlight(_("Goals achieved"), fmt(value("goal:achieved"))),
        ],
    )
