"""The bulk path of an import: large files of start measurements at COPY speed.

A row goes the bulk way when it is the only row of its trajectory in the file and the
trajectory has no measurement yet (no confirmed one, no draft): then the board would
make a start measurement without goals to review, and the whole result follows from the
row alone. Every other row (follow-ups, several rows of one trajectory) still goes
through the board's services (`services.RowImporter`), in the same transaction.

The rows are checked with the instrument's own rules (`instrument.rules`: grade, chips,
perspectives, dates, completeness; `bounds`: plausible dates, text lengths) without a
query per row: residents, trajectories and earlier measurements are looked up once per
file. `loading.py` writes what the confirmed board writes, chunk by chunk.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from wattelt.bounds import (
    TEXT_MAX_LENGTH,
    YEARS_AHEAD,
    YEARS_BACK,
    implausible_date,
    shown,
    too_long,
)
from wattelt.instrument import rules
from wattelt.instrument.forms import MAX_GOALS, goal_label
from wattelt.instrument.models import (
    Domain,
    Measurement,
)
from wattelt.organisations.models import Organisation
from wattelt.residents.models import Resident, Trajectory

from .reading import PERSPECTIVE_COLUMNS

log = logging.getLogger(__name__)
_clock = [time.perf_counter()]


def start_clock() -> None:
    _clock[0] = time.perf_counter()


laps: dict[str, float] = {}
"""The seconds of each phase last lapped, by name (bench/imports.py adds some up)."""


def lap(what: str) -> None:
    """Log the seconds since the last lap: the phases of a large import (bench/imports.py
    prints them)."""
    now = time.perf_counter()
    log.info("%s: %.1f s", what, now - _clock[0])
    laps[what] = now - _clock[0]
    _clock[0] = now


CHUNK = 20_000
REBUILD_ABOVE = 20_000
"""More trajectories than this: the monitoring summary is rebuilt as a whole (a few
set-based statements) instead of per trajectory (statements per 500 trajectories)."""
YES = {"ja", "j", "x", "1", "yes"}
Chips = tuple[int | None, int | None, int | None, bool]
"""A chosen domain's chips (resident, professional, carer) and whether it is prioritised."""


class Choice:
    """A chosen life domain of a checked row: its `chips`. The checker hands out one
    object per distinct cells of a domain it remembers (`BulkChecker.KNOWN_MAX`), so a
    million rows share a few thousand of them; the writer keeps what it makes of one
    (its snapshot text, its row's values) on the object, made once (`loading`)."""

    __slots__ = ("chips", "row", "text")

    def __init__(self, chips: Chips) -> None:
        self.chips = chips
        self.text = ""
        self.row: tuple[object, ...] = ()


@dataclass(slots=True)
class Place:
    """The trajectory a row belongs to, looked up in bulk."""

    trajectory_id: int
    resident_id: int
    started_on: dt.date
    ended_on: dt.date | None


@dataclass(slots=True)
class Prepared:
    """One checked row, ready to be written."""

    place: Place
    measured_on: dt.date
    quality_of_life: int
    choices: dict[str, Choice]
    goals: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)


def parse_date(raw: str) -> dt.date | None:
    for pattern in ("%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    return None


class Lookups:
    """Residents, trajectories and earlier measurements for all rows: one query each over
    the organisation (a few seconds for a million rows), not a query per row. Long
    `IN (...)` lists are avoided on purpose: PostgreSQL plans them slowly."""

    def __init__(self, organisation: Organisation) -> None:
        self.organisation = organisation

    def residents(self, bsn: bool) -> tuple[dict[str, int], set[int]]:
        """The organisation's residents by BSN (when the file has a column for it) and
        their numbers (ids)."""
        own = Resident.objects.filter(organisation=self.organisation)
        by_bsn: dict[str, int] = {}
        if bsn:
            by_bsn.update(own.exclude(bsn="").values_list("bsn", "pk").iterator(CHUNK))
        return by_bsn, set(own.values_list("pk", flat=True).iterator(CHUNK))

    def places(self) -> dict[tuple[int, dt.date], Place]:
        found: dict[tuple[int, dt.date], Place] = {}
        days: dict[dt.date, dt.date] = {}  # one date object per distinct date
        rows = (
            Trajectory.objects.filter(team__organisation=self.organisation)
            .order_by("pk")
            .values_list("pk", "resident_id", "started_on", "ended_on")
        )
        for pk, resident_id, started_on, ended_on in rows.iterator(CHUNK):
            started_on = days.setdefault(started_on, started_on)
            key = (resident_id, started_on)
            if key not in found:
                found[key] = Place(pk, resident_id, started_on, ended_on)
        return found

    def measured(self) -> set[int]:
        """The trajectories that already have a measurement (confirmed or draft)."""
        return set(
            Measurement.objects.filter(
                trajectory__team__organisation=self.organisation,
                status__in=[Measurement.Status.CONFIRMED, Measurement.Status.DRAFT],
            )
            .values_list("trajectory_id", flat=True)
            .distinct()
            .iterator(CHUNK)
        )


class _Card:
    """A life domain as the completeness rule sees it: prints as its label, compares by
    identity (cheaper than a model instance, a million times over)."""

    __slots__ = ("label",)

    def __init__(self, label: str) -> None:
        self.label = label

    def __str__(self) -> str:
        return self.label


class BulkChecker:
    """Checks a row of the bulk way with the instrument's rules; the messages and field
    names are the board's, so `services.column_of` names the file's columns. A row is
    its list of cells in the file's column order (`cells`), read by position: no dict
    per row. The rules' answers for values seen before (a chip "40", a date, a domain's
    cells) are remembered: a file repeats few distinct values."""

    KNOWN_MAX = 100_000
    """Distinct cells of one domain whose verdict is remembered, at most."""

    def __init__(self, domains: list[Domain], perspectives: list[str], columns: list[str]):
        self.domains = {d.key: d for d in domains}
        self.cards = {d.key: _Card(str(d)) for d in domains}
        self.perspectives = perspectives
        self.today = timezone.localdate()
        self.date_label = _("Date of the measurement")
        self.refused = {
            p: rules.perspective_problem(p, perspectives) for p in PERSPECTIVE_COLUMNS.values()
        }
        self.width = len(columns)
        at = {c: i for i, c in enumerate(columns)}
        blank = self.width  # a column the file lacks: the blank cell `cells` adds last

        def index(column: str) -> int:
            return at.get(column, blank)

        self.date_at, self.grade_at = index("datum"), index("cijfer")
        # Per domain: its chip cells (position, perspective, board field) and priority.
        # Only the domains the file has a column for: the others are never chosen.
        self.chip_cells = {
            d.key: [
                (index(f"{d.key}_{c}"), p, f"chip-{p}-{d.key}")
                for c, p in PERSPECTIVE_COLUMNS.items()
            ]
            for d in domains
            if any(f"{d.key}_{c}" in at for c in PERSPECTIVE_COLUMNS)
        }
        self.priority_at = {key: index(f"{key}_prioriteit") for key in self.chip_cells}
        # Per domain with columns: the positions of its chips in the order resident,
        # professional, carer (PERSPECTIVE_COLUMNS) and of its priority.
        self.domain_cells: list[tuple[str, int, int, int, int]] = []
        for key, chips in self.chip_cells.items():
            resident, professional, carer = (position for position, _p, _n in chips)
            self.domain_cells.append((key, resident, professional, carer, self.priority_at[key]))
        self.goal_numbers = sorted(
            int(c[5:]) for c in columns if c.startswith("doel_") and c[5:].isdigit()
        )
        self.goal_cells = [
            (n, index(f"doel_{n}"), index(f"doel_{n}_leefgebieden")) for n in self.goal_numbers
        ]
        self._numbers: dict[str, tuple[int | None, str | None]] = {}
        self._chips: dict[tuple[int, str], str | None] = {}
        # Per domain its cells (resident, professional, carer, priority) seen before
        # without a problem, and what they make.
        self._known: dict[str, dict[tuple[str, str, str, str], Choice]] = {
            key: {} for key in self.chip_cells
        }
        self._days: dict[str, tuple[dt.date | None, str | None]] = {}
        self._verdicts: dict[tuple[object, ...], dict[str, str]] = {}

    def cells(self, line: list[str]) -> list[str]:
        """A file's line as `check` reads it: one stripped cell per column (a short line
        filled up, cells past the last column left out), then a blank cell for the
        columns the file lacks."""
        width = self.width
        if len(line) < width:
            line = line + [""] * (width - len(line))
        cells = list(map(str.strip, line[:width]))
        cells.append("")
        return cells

    def check(self, cells: list[str], place: Place) -> Prepared:
        errors: dict[str, str] = {}
        goals = self._goals(cells, errors)
        if errors:  # a goal without words: named first, as in the row path
            raise ValidationError(errors)
        measured_on = self._measured_on(cells[self.date_at], errors)
        grade = self._whole(cells[self.grade_at], "quality_of_life", errors)
        if grade is not None and (problem := rules.grade_problem(grade)):
            errors["quality_of_life"] = problem
            grade = None
        choices, unplaced = self._choices(cells, errors)
        if errors:
            raise ValidationError(errors)
        if place.ended_on is not None:
            raise ValidationError(rules.closed_problem(place.ended_on))
        assert measured_on is not None
        problem = rules.measured_on_problem(measured_on, self.today, place.started_on, None)
        if problem:
            raise ValidationError({"measured_on": problem})
        missing = self._incomplete(choices, unplaced, grade, goals)
        if missing:
            raise ValidationError(dict(missing))
        assert grade is not None
        return Prepared(place, measured_on, grade, choices, goals)

    def _incomplete(
        self,
        choices: dict[str, Choice],
        unplaced: list[str],
        grade: int | None,
        goals: list[tuple[str, tuple[str, ...]]],
    ) -> dict[str, str]:
        """The completeness rule's verdict (`rules.completeness_problems`), remembered per
        what it depends on here: the chosen domains, those without the resident's chip,
        whether there is a grade and each goal's life domains (a goal of this path has
        words: `_goals` keeps no goal without them). A file repeats few of these."""
        signature = (tuple(choices), tuple(unplaced), grade is None, tuple([k for _w, k in goals]))
        verdict = self._verdicts.get(signature)
        if verdict is None:
            cards = self.cards
            verdict = rules.completeness_problems(
                {cards[k]: c.chips[0] for k, c in choices.items()},
                grade,
                [(words, {cards[k] for k in keys}) for words, keys in goals],
            )
            if len(self._verdicts) < self.KNOWN_MAX:
                self._verdicts[signature] = verdict
        return verdict

    def _whole(self, raw: str, name: str, errors: dict[str, str]) -> int | None:
        known = self._numbers.get(raw)
        if known is None:
            known = self._numbers[raw] = rules.whole_number(raw)
        value, problem = known
        if problem:
            errors[name] = problem
        return value

    def _measured_on(self, raw: str, errors: dict[str, str]) -> dt.date | None:
        if not raw:
            return self.today  # the board's default: measured today
        known = self._days.get(raw)
        if known is None:
            known = self._days[raw] = self._day(raw)
        day, problem = known
        if problem:
            errors["measured_on"] = problem
        return day

    def _day(self, raw: str) -> tuple[dt.date | None, str | None]:
        day = parse_date(raw)
        if day is None:
            return None, _("“%(value)s” is not a date (use dd-mm-yyyy).") % {"value": shown(raw)}
        message = implausible_date(
            day, self.date_label, years_back=YEARS_BACK, years_ahead=YEARS_AHEAD
        )
        return (None, message) if message else (day, None)

    def _choices(
        self, cells: list[str], errors: dict[str, str]
    ) -> tuple[dict[str, Choice], list[str]]:
        """The chosen domains' chips, and the chosen domains without the resident's."""
        choices: dict[str, Choice] = {}
        unplaced: list[str] = []
        for key, resident, professional, carer, priority in self.domain_cells:
            own = cells[resident]
            if not (own or cells[professional] or cells[carer]):
                continue  # not chosen: a file has columns for more domains than a row uses
            placed = (own, cells[professional], cells[carer], cells[priority])
            known = self._known[key]
            choice = known.get(placed)
            if choice is None:
                before = len(errors)
                choice = Choice(self._choice(cells, key, errors))
                if len(errors) == before and len(known) < self.KNOWN_MAX:
                    known[placed] = choice
            choices[key] = choice
            if not own:  # the resident's cell blank: no chip, or a problem named
                unplaced.append(key)
        return choices, unplaced

    def _choice(self, cells: list[str], key: str, errors: dict[str, str]) -> Chips:
        """One domain's chips and priority, every problem named."""
        chips: dict[str, int | None] = {}
        for position, perspective, name in self.chip_cells[key]:
            value = cells[position]
            placed = perspective == "resident" or value != ""
            if not placed:
                continue
            if refused := self.refused[perspective]:
                errors[name] = refused
                continue
            chip = self._whole(value, name, errors)
            if chip is not None:
                problem = self._chips.get((chip, key), "")
                if problem == "":
                    problem = self._chips[(chip, key)] = rules.chip_problem(chip, self.domains[key])
                if problem:
                    errors[name] = problem
                    chip = None
            chips[perspective] = chip
        prioritised = cells[self.priority_at[key]].lower() in YES
        return (
            chips.get("resident"),
            chips.get("professional"),
            chips.get("carer"),
            prioritised,
        )

    def _goals(self, cells: list[str], errors: dict[str, str]) -> list[tuple[str, tuple[str, ...]]]:
        goals: list[tuple[str, tuple[str, ...]]] = []
        numbers = self.goal_numbers
        if len(numbers) > MAX_GOALS:
            errors[NON_FIELD_ERRORS] = _("A measurement has at most %(max)s goals.") % {
                "max": MAX_GOALS
            }
            return []
        for n, words_at, keys_at in self.goal_cells:
            words = cells[words_at]
            keys = cells[keys_at].replace(",", " ").split()
            if keys and not words:
                errors[f"goal-{n - 1}-own_words"] = _(
                    "Goal %(n)s: write the goal in the resident's own words."
                ) % {"n": n}
                return goals
            unknown = [k for k in keys if k not in self.domains]
            if unknown:
                errors[f"goal-{n - 1}-domains"] = _("Unknown life domain: %(keys)s.") % {
                    "keys": shown(", ".join(unknown))
                }
            if not words:
                continue
            long = too_long(words, TEXT_MAX_LENGTH)
            if long:
                label = goal_label(len(goals) + 1, "own_words")
                errors[f"goal-{n - 1}-own_words"] = f"{label}: {long}"
            goals.append((words[:TEXT_MAX_LENGTH], tuple([k for k in keys if k in self.domains])))
        return goals
