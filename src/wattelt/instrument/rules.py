"""The instrument's rules as pure functions: the board (`forms.BoardParser`,
`services.confirm_measurement`) and the bulk import (`imports.bulk`) both call these, so
the two paths cannot drift apart. No database access here: callers pass what they know."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence

from django.utils.translation import gettext as _

from wattelt.bounds import shown

from .models import CHIP_MAX, CHIP_MIN, GRADE_MAX, GRADE_MIN, ChosenDomain

_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,9}", re.ASCII)


def whole_number(raw: str) -> tuple[int | None, str | None]:
    """A typed whole number: (value, None), (None, None) when empty, else (None, message)."""
    raw = raw.strip()
    if raw == "":
        return None, None
    if not _WHOLE_NUMBER.fullmatch(raw):
        return None, _("“%(value)s” is not a whole number.") % {"value": shown(raw)}
    return int(raw), None


def grade_problem(grade: int) -> str | None:
    if not GRADE_MIN <= grade <= GRADE_MAX:
        return _("Quality of life is a grade from 1 to 10, not %(value)s.") % {"value": grade}
    return None


def chip_problem(value: int, domain: object) -> str | None:
    if not CHIP_MIN <= value <= CHIP_MAX:
        return _(
            "The chip for %(domain)s is off the line: it must lie between %(min)s and %(max)s."
        ) % {"domain": domain, "min": CHIP_MIN, "max": CHIP_MAX}
    return None


def perspective_problem(perspective: str, offered: Sequence[str]) -> str | None:
    if perspective not in offered:
        return _("Your organisation does not use this view (%(who)s).") % {
            "who": ChosenDomain.Perspective(perspective).label
        }
    return None


def day(value: dt.date) -> str:
    return value.strftime("%d-%m-%Y")


def closed_problem(ended_on: dt.date) -> str:
    return _("This trajectory was closed on %(date)s; no measurement can be added or changed.") % {
        "date": day(ended_on)
    }


def measured_on_problem(
    measured_on: dt.date,
    today: dt.date,
    trajectory_start: dt.date,
    start_measured_on: dt.date | None,
) -> str | None:
    """A measurement is not in the future, lies within its trajectory, and a follow-up or
    end measurement not before the start measurement (`start_measured_on`, None for the
    start measurement itself)."""
    if measured_on > today:
        return _("The date of a measurement cannot be in the future.")
    if measured_on < trajectory_start:
        return _(
            "The date of the measurement (%(date)s) lies before the start of the "
            "trajectory (%(start)s)."
        ) % {"date": day(measured_on), "start": day(trajectory_start)}
    if start_measured_on is not None and measured_on < start_measured_on:
        return _(
            "The date of the measurement (%(date)s) lies before the start measurement (%(start)s)."
        ) % {"date": day(measured_on), "start": day(start_measured_on)}
    return None


def completeness_problems(
    resident_chips: Mapping[object, int | None],
    quality_of_life: int | None,
    goals: Sequence[tuple[str, set[object]]],
) -> dict[str, str]:
    """What still has to be filled in before a measurement can be confirmed, apart from
    the reviews of earlier goals. `resident_chips`: per chosen domain (anything that
    prints as its label and compares as its identity) the resident's chip; `goals`: per
    goal in order its own words and the set of its domains."""
    errors: dict[str, str] = {}
    if not resident_chips:
        errors["chosen"] = _("Choose at least one life domain that matters to the resident.")
    missing = [str(d) for d, chip in resident_chips.items() if chip is None]
    if missing:
        errors["chosen"] = _("Place the resident's chip for: %(domains)s.") % {
            "domains": ", ".join(missing)
        }
    if quality_of_life is None:
        errors["quality_of_life"] = _("Give a grade from 1 to 10 for quality of life.")
    for n, (own_words, goal_domains) in enumerate(goals, start=1):
        prefix = f"goal-{n - 1}-"
        if not own_words.strip():
            errors[prefix + "own_words"] = _(
                "Goal %(n)s: write the goal in the resident's own words."
            ) % {"n": n}
        if not goal_domains:
            errors[prefix + "domains"] = _("Goal %(n)s: link it to at least one life domain.") % {
                "n": n
            }
        elif not goal_domains <= set(resident_chips):
            errors[prefix + "domains"] = _(
                "Goal %(n)s is linked to a life domain the resident did not choose."
            ) % {"n": n}
    return errors
