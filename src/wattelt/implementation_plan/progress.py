"""Live progress of the plan's goals. The figures come only from the adoption API of the
implementation app (`INDICATORS`, `organisation_value`); this module decides what they
mean for a goal: reached, on track, behind, or date passed (see docs/adr/0009)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wattelt.implementation import adoption
from wattelt.organisations.models import Organisation

from .models import PlanGoal

WINDOW_DAYS = 90
"""A goal's figure is the indicator over the last 90 days: how things go now, not since
the beginning."""


def _window(end: dt.date) -> tuple[dt.date, dt.date]:
    return end - dt.timedelta(days=WINDOW_DAYS - 1), end


def available_indicators() -> dict[str, str]:
    """key -> label of the indicators a goal can be linked to now."""
    return {str(k): str(v) for k, v in adoption.INDICATORS.items()}


def indicator_value(
    organisation: Organisation, key: str, start: dt.date, end: dt.date
) -> adoption.IndicatorValue | None:
    """The API's figure, or None when the indicator is unknown or unavailable."""
    if key not in adoption.INDICATORS:
        return None
    return adoption.organisation_value(organisation, key, start, end)


class Figures:
    """The API's figures of one organisation, each (indicator, period) asked once: make
    one per request (page, form, save) and share it. A figure of the whole organisation
    takes several queries and, on large organisations, seconds; goals share indicators
    and periods (the last 90 days; the 90 days before the day they were set), so a page
    with many goals asks the API at most once per distinct (indicator, period), never
    once per goal."""

    def __init__(self, organisation: Organisation) -> None:
        self.organisation = organisation
        self._known: dict[tuple[str, dt.date, dt.date], adoption.IndicatorValue | None] = {}

    def value(self, key: str, start: dt.date, end: dt.date) -> adoption.IndicatorValue | None:
        if (key, start, end) not in self._known:
            self._known[(key, start, end)] = indicator_value(self.organisation, key, start, end)
        return self._known[(key, start, end)]

    def unit(self, key: str) -> str | None:
        """ "percent" or "number" for a known indicator, None when it cannot be told."""
        value = self.value(key, *_window(timezone.localdate()))
        return str(value.unit) if value is not None else None


class Status:
    NOT_LINKED = "not_linked"
    UNAVAILABLE = "unavailable"
    NO_DATA = "no_data"
    REACHED = "reached"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    DATE_PASSED = "date_passed"


STATUS_LABELS = {
    Status.NOT_LINKED: "",
    Status.UNAVAILABLE: _("indicator no longer available"),
    Status.NO_DATA: _("no figures yet"),
    Status.REACHED: _("reached"),
    Status.ON_TRACK: _("on track"),
    Status.BEHIND: _("behind"),
    Status.DATE_PASSED: _("date passed, not reached"),
}


@dataclass
class GoalProgress:
    goal: PlanGoal
    status: str
    label: str = ""
    value: float | None = None
    unit: str = ""
    numerator: int | None = None
    denominator: int | None = None
    expected: float | None = None
    measured_from: dt.date | None = None
    measured_until: dt.date | None = None

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def target(self) -> Decimal | None:
        return self.goal.target

    @property
    def percent(self) -> bool:
        return self.unit == "percent"


def goal_progress(
    organisation: Organisation,
    goal: PlanGoal,
    today: dt.date | None = None,
    indicators: dict[str, str] | None = None,
    figures: Figures | None = None,
) -> GoalProgress:
    """Where a goal stands today. A goal whose indicator is gone keeps its target and
    says so; it never breaks the page. Pass the page's `figures` to share them."""
    if not goal.indicator_key:
        return GoalProgress(goal, Status.NOT_LINKED)
    today = today or timezone.localdate()
    figures = figures or Figures(organisation)
    indicators = available_indicators() if indicators is None else indicators
    label = indicators.get(goal.indicator_key, "")
    if not label or goal.target is None or goal.target_date is None:
        return GoalProgress(goal, Status.UNAVAILABLE, label)
    end = min(today, goal.target_date)
    start, end = _window(end)
    current = figures.value(goal.indicator_key, start, end)
    if current is None:
        return GoalProgress(goal, Status.UNAVAILABLE, label)
    progress = GoalProgress(
        goal,
        Status.NO_DATA,
        label,
        value=current.value,
        unit=str(current.unit),
        numerator=current.numerator,
        denominator=current.denominator,
        measured_from=start,
        measured_until=end,
    )
    target = float(goal.target)
    if current.value is not None and current.value >= target:
        progress.status = Status.REACHED
    elif today > goal.target_date:
        progress.status = Status.DATE_PASSED
    elif current.value is not None:
        progress.expected = _expected(figures, goal, today, target)
        progress.status = Status.ON_TRACK if current.value >= progress.expected else Status.BEHIND
    return progress


def _expected(figures: Figures, goal: PlanGoal, today: dt.date, target: float) -> float:
    """Where the figure should be today on a straight line from its value when the goal
    was set (nothing, when there was no figure then) to the target on the target date.
    The value then comes from `figures`: goals set on the same day share it."""
    assert goal.target_date is not None
    baseline = figures.value(goal.indicator_key, *_window(goal.set_on))
    start_value = baseline.value if baseline is not None and baseline.value is not None else 0.0
    span = (goal.target_date - goal.set_on).days
    fraction = 1.0 if span <= 0 else min(1.0, max(0.0, (today - goal.set_on).days / span))
    return start_value + (target - start_value) * fraction


def plan_progress(organisation: Organisation, goals: list[PlanGoal]) -> list[GoalProgress]:
    """The progress of all goals of a version, asking the API once per distinct
    (indicator, period) whatever the number of goals."""
    indicators = available_indicators()
    today = timezone.localdate()
    figures = Figures(organisation)
    return [goal_progress(organisation, g, today, indicators, figures) for g in goals]
