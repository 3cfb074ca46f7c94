"""What the board shows: one row per domain with the chips of each perspective, the
earlier measurement's chips as ghosts, goals and goal reviews. Built from the stored
draft, or from what the user just posted when it could not be saved (so nothing is lost).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .forms import BoardInput, ChoiceInput, GoalInput, ReviewInput
from .models import GOAL_TEXT_FIELDS, Domain, Goal, Measurement, Preparation
from .services import goals_to_review
from .wording import ADULT, DomainText, current_language, domain_text, in_wording_order, wording_for

BANDS = [(33, "niet-goed"), (66, "redelijk"), (100, "goed")]


def band(position: int | None) -> str:
    """The face for a chip position: niet-goed (0-33), redelijk (34-66), goed (67-100)."""
    if position is None:
        return ""
    return next(name for upper, name in BANDS if position <= upper)


@dataclass
class Row:
    domain: Domain
    choice: ChoiceInput | None
    ghost: int | None = None
    ghost_chosen: bool = False
    wording: str = ADULT
    texts: dict[str, DomainText] = field(default_factory=dict, repr=False, compare=False)
    """The domain's words per language, once each: a board shows them in three places."""

    @property
    def text(self) -> DomainText:
        """The domain's label and explanation in the language being rendered, in the
        board's wording."""
        language = current_language()
        if language not in self.texts:
            self.texts[language] = domain_text(self.domain, language, self.wording)
        return self.texts[language]

    @property
    def chosen(self) -> bool:
        return self.choice is not None

    def chip(self, perspective: str) -> int | None:
        return getattr(self.choice, perspective) if self.choice else None

    @property
    def resident(self) -> int | None:
        return self.chip("resident")

    @property
    def professional(self) -> int | None:
        return self.chip("professional")

    @property
    def carer(self) -> int | None:
        return self.chip("carer")


@dataclass
class GoalRow:
    index: int
    goal: GoalInput


@dataclass
class ReviewRow:
    goal: Goal
    review: ReviewInput


@dataclass
class Board:
    measurement: Measurement
    data: BoardInput
    rows: list[Row]
    goals: list[GoalRow]
    reviews: list[ReviewRow]
    previous: Measurement | None
    errors: dict[str, str] = field(default_factory=dict)
    wording: str = "adult"
    """The catalogue's wording (adult or youth): templates/catalogue.py's domain_text."""
    preparation: Preparation | None = None
    """The resident's preparation this measurement was opened from, if any."""


def stored_input(measurement: Measurement) -> BoardInput:
    """The draft as stored, in the shape the form posts."""
    goals = list(measurement.goals.prefetch_related("domains").order_by("position", "id"))
    return BoardInput(
        measured_on=measurement.measured_on,
        revision=measurement.revision,
        quality_of_life=measurement.quality_of_life,
        carer_relation=measurement.carer_relation,
        choices={
            c.domain.key: ChoiceInput(
                c.resident_chip, c.professional_chip, c.carer_chip, c.prioritised
            )
            for c in measurement.choices.select_related("domain")
        },
        goals=[
            GoalInput(
                index=i,
                id=g.pk,
                texts={f: getattr(g, f) for f in GOAL_TEXT_FIELDS},
                domain_keys=[d.key for d in g.domains.all()],
                due_on=g.due_on,
            )
            for i, g in enumerate(goals)
        ],
        reviews={r.goal_id: ReviewInput(r.status, r.note) for r in measurement.reviews.all()},
    )


def same_content(posted: BoardInput, stored: BoardInput) -> bool:
    """Whether a save brings nothing the stored draft does not hold already: the same
    save sent again (a page's last beacon and the copy kept in the browser, an answer
    lost on the way). Revisions and goal ids do not count; a date not sent keeps it."""

    def goals(data: BoardInput) -> list[tuple[object, ...]]:
        return [(g.texts, sorted(g.domain_keys), g.due_on) for g in data.goals]

    return (
        posted.measured_on in (None, stored.measured_on)
        and posted.quality_of_life == stored.quality_of_life
        and posted.carer_relation == stored.carer_relation
        and posted.choices == stored.choices
        and goals(posted) == goals(stored)
        and posted.reviews == stored.reviews
    )


def previous_measurement(measurement: Measurement) -> Measurement | None:
    """The latest confirmed measurement before this one: its chips are the ghosts."""
    earlier = Measurement.objects.confirmed().filter(trajectory_id=measurement.trajectory_id)
    if measurement.corrects_id:
        earlier = earlier.exclude(pk=measurement.corrects_id)
    if measurement.status != Measurement.Status.DRAFT:
        earlier = earlier.filter(measured_on__lte=measurement.measured_on).exclude(
            pk=measurement.pk
        )
    return earlier.order_by("-measured_on", "-id").first()


def build_board(
    measurement: Measurement, data: BoardInput | None = None, errors: dict[str, str] | None = None
) -> Board:
    stored = data is None
    data = data or stored_input(measurement)
    previous = previous_measurement(measurement)
    wording = wording_for(measurement)
    ghosts = (
        {c.domain.key: c.resident_chip for c in previous.choices.select_related("domain")}
        if previous
        else {}
    )
    rows = [
        Row(
            domain=d,
            choice=data.choices.get(d.key),
            ghost=ghosts.get(d.key),
            ghost_chosen=d.key in ghosts,
            wording=wording,
        )
        for d in in_wording_order(measurement.catalogue.domains.all(), wording)
    ]
    goals = [GoalRow(g.index, g) for g in data.goals]
    # Always one empty goal to write in, so the plain form needs no extra round trip.
    goals.append(empty_goal(max((g.index for g in data.goals), default=-1) + 1))
    reviews = [
        ReviewRow(goal, data.reviews.get(goal.pk, ReviewInput("", "")))
        # The stored draft's reviews are those of the measurement: not read again.
        for goal in goals_to_review(measurement, set(data.reviews) if stored else None)
    ]
    # The preparation of a saved measurement (reached through it, so through its door).
    preparation = (
        Preparation.objects.filter(measurement_id=measurement.pk).first()
        if measurement.pk
        else None
    )
    return Board(
        measurement, data, rows, goals, reviews, previous, errors or {}, wording, preparation
    )


def empty_goal(index: int) -> GoalRow:
    return GoalRow(
        index,
        GoalInput(index=index, id=None, texts={f: "" for f in GOAL_TEXT_FIELDS}, domain_keys=[]),
    )
