"""Reading the board form: the same fields come from the JavaScript board and from the
plain HTML form, so one parser serves both."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.http import QueryDict
from django.utils.translation import gettext as _

from wattelt.bounds import (
    NOTE_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    YEARS_AHEAD,
    YEARS_BACK,
    check_length,
    implausible_date,
    shown,
)

from . import rules
from .models import (
    GOAL_TEXT_FIELDS,
    ChosenDomain,
    Domain,
    Goal,
)

PERSPECTIVES = [p.value for p in ChosenDomain.Perspective]
REVIEW_STATUSES = [s for s in Goal.Status.values if s != Goal.Status.OPEN]
# Indices and ids in field names: ASCII digits, bounded, so "goal-<5000 digits>-own_words"
# or Arabic-Indic digits never reach int(); such fields are ignored like any unknown one.
_GOAL_FIELD = re.compile(r"goal-([0-9]{1,4})-own_words", re.ASCII)
_REVIEW_FIELD = re.compile(r"review-([0-9]{1,18})-status", re.ASCII)
MAX_GOALS = 50
"""More goals than this in one measurement is not a conversation but a mistake."""


@dataclass
class ChoiceInput:
    resident: int | None = None
    professional: int | None = None
    carer: int | None = None
    prioritised: bool = False


@dataclass
class GoalInput:
    index: int
    id: int | None
    texts: dict[str, str]
    domain_keys: list[str]
    due_on: dt.date | None = None

    @property
    def is_empty(self) -> bool:
        return not any(self.texts.values()) and self.due_on is None


@dataclass
class ReviewInput:
    status: str
    note: str


@dataclass
class BoardInput:
    measured_on: dt.date | None = None
    revision: int | None = None
    quality_of_life: int | None = None
    carer_relation: str = ""
    choices: dict[str, ChoiceInput] = field(default_factory=dict)
    goals: list[GoalInput] = field(default_factory=list)
    reviews: dict[int, ReviewInput] = field(default_factory=dict)


class BoardParser:
    """Turns POST data into a BoardInput, collecting a message per bad field."""

    def __init__(
        self, data: QueryDict, domains: list[Domain], perspectives: list[str] = PERSPECTIVES
    ) -> None:
        self.data = data
        self.domains = {d.key: d for d in domains}
        self.perspectives = perspectives
        self.errors: dict[str, str] = {}
        self.board = BoardInput()

    def parse(self) -> BoardInput:
        """The board as posted; raises ValidationError naming each bad field. After an
        error, `self.board` still holds every valid part, to show the form again."""
        self.board = board = BoardInput(
            measured_on=self._plausible("measured_on", _("Date of the measurement")),
            revision=self._int("revision"),
            quality_of_life=self._grade(),
            carer_relation=self.data.get("carer_relation", "").strip()[:80],
        )
        board.choices = self._choices()
        board.goals = self._goals()
        board.reviews = self._reviews()
        if self.errors:
            raise ValidationError(self.errors)
        return board

    def _int(self, name: str) -> int | None:
        value, problem = rules.whole_number(self.data.get(name, ""))
        if problem:
            self.errors[name] = problem
        return value

    def _date(self, name: str) -> dt.date | None:
        raw = self.data.get(name, "").strip()
        if raw == "":
            return None
        try:
            if not raw.isascii():
                raise ValueError(raw)
            return dt.date.fromisoformat(raw)
        except ValueError:
            self.errors[name] = _("“%(value)s” is not a date (use dd-mm-yyyy).") % {
                "value": shown(raw)
            }
            return None

    def _plausible(self, name: str, label: str) -> dt.date | None:
        day = self._date(name)
        message = implausible_date(day, label, years_back=YEARS_BACK, years_ahead=YEARS_AHEAD)
        if message:
            self.errors[name] = message
            return None
        return day

    def _grade(self) -> int | None:
        grade = self._int("quality_of_life")
        problem = None if grade is None else rules.grade_problem(grade)
        if problem:
            self.errors["quality_of_life"] = problem
            return None
        return grade

    def _known_keys(self, name: str, keys: list[str]) -> list[str]:
        unknown = [k for k in keys if k not in self.domains]
        if unknown:
            self.errors[name] = _("Unknown life domain: %(keys)s.") % {
                "keys": shown(", ".join(unknown))
            }
        return [k for k in keys if k in self.domains]

    def _choices(self) -> dict[str, ChoiceInput]:
        chosen = self._known_keys("chosen", self.data.getlist("chosen"))
        prioritised = self._known_keys("priority", self.data.getlist("priority"))
        not_chosen = [k for k in prioritised if k not in chosen]
        if not_chosen:
            self.errors["priority"] = _("%(domains)s is marked to work on but not chosen.") % {
                "domains": ", ".join(str(self.domains[k]) for k in not_chosen)
            }
        choices = {}
        for key in chosen:
            choice = ChoiceInput(prioritised=key in prioritised)
            for perspective in PERSPECTIVES:
                # Without JavaScript a range input always sends a value: the professional's
                # and carer's chips count only when their "placed" box is ticked.
                placed = perspective == "resident" or f"placed-{perspective}-{key}" in self.data
                refused = placed and rules.perspective_problem(perspective, self.perspectives)
                if refused:
                    self.errors[f"chip-{perspective}-{key}"] = refused
                elif placed:
                    setattr(choice, perspective, self._chip(perspective, key))
            choices[key] = choice
        return choices

    def _chip(self, perspective: str, key: str) -> int | None:
        name = f"chip-{perspective}-{key}"
        value = self._int(name)
        problem = None if value is None else rules.chip_problem(value, self.domains[key])
        if problem:
            self.errors[name] = problem
            return None
        return value

    def _goals(self) -> list[GoalInput]:
        numbers = sorted(
            {int(m.group(1)) for name in self.data if (m := _GOAL_FIELD.fullmatch(name))}
        )
        if len(numbers) > MAX_GOALS:
            self.errors[NON_FIELD_ERRORS] = _("A measurement has at most %(max)s goals.") % {
                "max": MAX_GOALS
            }
            return []
        goals: list[GoalInput] = []
        for n in numbers:
            prefix = f"goal-{n}-"
            goal = GoalInput(
                index=n,
                id=self._int(prefix + "id"),
                texts={
                    f: self._text(prefix + f, TEXT_MAX_LENGTH, goal_label(len(goals) + 1, f))
                    for f in GOAL_TEXT_FIELDS
                },
                domain_keys=self._known_keys(
                    prefix + "domains", self.data.getlist(prefix + "domains")
                ),
                due_on=self._plausible(prefix + "due_on", _("Target date")),
            )
            if goal.id is not None or not goal.is_empty:
                goals.append(goal)
        return goals

    def _reviews(self) -> dict[int, ReviewInput]:
        reviews = {}
        for name in self.data:
            match = _REVIEW_FIELD.fullmatch(name)
            if not match:
                continue
            status = self.data.get(name, "")
            if status and status not in REVIEW_STATUSES:
                self.errors[name] = _("Unknown goal status “%(value)s”.") % {"value": shown(status)}
                continue
            goal_id = int(match.group(1))
            reviews[goal_id] = ReviewInput(
                status=status,
                note=self._text(
                    f"review-{match.group(1)}-note", NOTE_MAX_LENGTH, _("Note on the goal status")
                ),
            )
        return reviews

    def _text(self, name: str, max_length: int, label: str) -> str:
        text = self.data.get(name, "").strip()
        check_length(self.errors, name, text, max_length, label)
        return text[:max_length]


def goal_label(number: int, name: str) -> str:
    """ "Goal 2, first step": the board lists its messages above the board."""
    field = Goal._meta.get_field(name)
    assert isinstance(field, models.Field)
    return _("Goal %(n)s, %(field)s") % {"n": number, "field": field.verbose_name}
