"""Preparing the next conversation at home (Mijn Wat telt), and opening the preparation
together in the conversation.

The resident chooses domains (last time's are chosen already), places their own chip on
each and writes what they want to talk about. That is a `Preparation`, never a
`Measurement`: monitoring, adoption, the registration rate, the API and the exports read
confirmed measurements only, so a preparation counts nowhere. A trajectory has one open
preparation at a time: saving again edits it. Once the professional opens it together
with the resident (`open_together`), it is frozen as the resident made it and linked to
the new measurement; preparing again starts a new one, for the conversation after.
No notification is sent for a preparation: the professional sees it on the progress page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from wattelt.bounds import NOTE_MAX_LENGTH, check_length
from wattelt.organisations.models import Staff
from wattelt.residents.models import Resident, Trajectory

from . import services
from .board import Row
from .forms import BoardInput, BoardParser, ChoiceInput
from .models import (
    Catalogue,
    ChosenDomain,
    Measurement,
    Preparation,
    PreparedDomain,
)
from .wording import in_wording_order, wording_by_age

TOPICS_MAX_LENGTH = NOTE_MAX_LENGTH
"""What the resident wants to talk about: a page at most, as a note."""
SAVE, SEND = "save", "send"


@dataclass
class PreparationInput:
    choices: dict[str, ChoiceInput]
    topics: str


@dataclass
class PreparationBoard:
    """What the board template needs in preparing mode (duck-typed like board.Board)."""

    trajectory: Trajectory
    preparation: Preparation | None
    data: BoardInput
    rows: list[Row]
    topics: str
    wording: str
    errors: dict[str, str] = field(default_factory=dict)
    previous: Measurement | None = None


def open_trajectory(resident: Resident) -> Trajectory | None:
    """The resident's current trajectory: the open one that started last."""
    return (
        Trajectory.objects.owned_by(resident)
        .filter(ended_on__isnull=True)
        .select_related("team__organisation", "resident")
        .order_by("-started_on", "-id")
        .first()
    )


def open_preparation(trajectory: Trajectory) -> Preparation | None:
    return (
        Preparation.objects.owned_by(trajectory.resident)
        .open()
        .filter(trajectory=trajectory)
        .first()
    )


def last_measurement(trajectory: Trajectory) -> Measurement | None:
    return (
        Measurement.objects.owned_by(trajectory.resident)
        .filter(trajectory=trajectory)
        .order_by("-measured_on", "-id")
        .first()
    )


def _catalogue(trajectory: Trajectory, preparation: Preparation | None) -> Catalogue:
    if preparation is not None:
        return preparation.catalogue
    return Catalogue.objects.current_for(trajectory.team.organisation)


def stored_choices(preparation: Preparation) -> dict[str, ChoiceInput]:
    return {
        c.domain.key: ChoiceInput(resident=c.resident_chip)
        for c in preparation.choices.select_related("domain")
    }


def _starting_choices(previous: Measurement | None) -> dict[str, ChoiceInput]:
    """A new preparation starts with last time's domains chosen, without chips: the
    resident places them anew beside last time's (the ghosts)."""
    if previous is None:
        return {}
    return {c.domain.key: ChoiceInput() for c in previous.choices.select_related("domain")}


def preparation_board(
    trajectory: Trajectory,
    posted: PreparationInput | None = None,
    errors: dict[str, str] | None = None,
) -> PreparationBoard:
    """The board in preparing mode: the open preparation, what was just posted when it
    could not be saved, or a new one starting from last time's domains."""
    preparation = open_preparation(trajectory)
    previous = last_measurement(trajectory)
    if posted is not None:
        choices, topics = posted.choices, posted.topics
    elif preparation is not None:
        choices, topics = stored_choices(preparation), preparation.topics
    else:
        choices, topics = _starting_choices(previous), ""
    ghosts = (
        {c.domain.key: c.resident_chip for c in previous.choices.select_related("domain")}
        if previous
        else {}
    )
    wording = wording_by_age(trajectory.resident, timezone.localdate())
    catalogue = _catalogue(trajectory, preparation)
    rows = [
        Row(
            domain=d,
            choice=choices.get(d.key),
            ghost=ghosts.get(d.key),
            ghost_chosen=d.key in ghosts,
            wording=wording,
        )
        for d in in_wording_order(catalogue.domains.all(), wording)
    ]
    return PreparationBoard(
        trajectory=trajectory,
        preparation=preparation,
        data=BoardInput(choices=choices),
        rows=rows,
        topics=topics,
        wording=wording,
        errors=errors or {},
        previous=previous,
    )


def parse_preparation(trajectory: Trajectory, data: QueryDict) -> PreparationInput:
    """The posted board as a preparation: chosen domains of the catalogue, the resident's
    own chip on each (0-100; no other perspective) and the topics. Raises ValidationError
    naming each bad field; the error carries what was valid, to show the form again."""
    preparation = open_preparation(trajectory)
    domains = list(_catalogue(trajectory, preparation).domains.all())
    parser = BoardParser(data, domains, ["resident"])
    errors: dict[str, str] = {}
    try:
        parser.parse()
    except ValidationError as error:
        errors.update({k: " ".join(v) for k, v in error.message_dict.items()})
    topics = data.get("topics", "").strip()
    check_length(errors, "topics", topics, TOPICS_MAX_LENGTH, _("What you want to talk about"))
    # Only what a preparation holds: the board's other parts (grade, goals, priorities)
    # belong to the conversation itself.
    choices = {k: ChoiceInput(resident=c.resident) for k, c in parser.board.choices.items()}
    posted = PreparationInput(choices, topics[:TOPICS_MAX_LENGTH])
    if errors:
        raise PreparationInvalid(posted, errors)
    return posted


class PreparationInvalid(ValidationError):
    def __init__(self, posted: PreparationInput, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.posted = posted
        self.errors = errors


def save_preparation(trajectory: Trajectory, data: PreparationInput, send: bool) -> Preparation:
    """Save the resident's preparation (a new one, or the open one edited). `send`: it
    goes to the professional, who sees it from now on; it needs something to talk about."""
    if send and not data.choices and not data.topics:
        raise PreparationInvalid(
            data,
            {"chosen": _("Choose at least one life domain, or write what you want to talk about.")},
        )
    with transaction.atomic():
        trajectory = Trajectory.objects.select_for_update().get(pk=trajectory.pk)
        if trajectory.ended_on is not None:
            raise PreparationInvalid(
                data,
                {"general": _("This support has ended: there is no next conversation to prepare.")},
            )
        now = timezone.now()
        preparation = open_preparation(trajectory)
        if preparation is None:
            preparation = Preparation(
                trajectory=trajectory,
                catalogue=Catalogue.objects.current_for(trajectory.team.organisation),
                created_at=now,
            )
        preparation.topics = data.topics
        preparation.updated_at = now
        if send:
            preparation.submitted_at = now
        preparation.save()
        domains = {d.key: d for d in preparation.catalogue.domains.all()}
        preparation.choices.all().delete()
        PreparedDomain.objects.bulk_create(
            PreparedDomain(preparation=preparation, domain=domains[key], resident_chip=c.resident)
            for key, c in data.choices.items()
            if key in domains
        )
        return preparation


def open_together(preparation: Preparation, by: Staff) -> Measurement:
    """The professional opens the resident's preparation in the conversation: the next
    measurement starts (follow-up, or start when there is none yet) with the resident's
    domains and chips; the preparation stays as it was, linked to the measurement. Opened
    before: the same draft again."""
    with transaction.atomic():
        preparation = Preparation.objects.select_for_update().get(pk=preparation.pk)
        if preparation.measurement_id is not None:
            measurement = preparation.measurement
            assert measurement is not None
            if measurement.is_draft:
                return measurement
            raise ValidationError(_("This preparation was already used in a measurement."))
        trajectory = preparation.trajectory
        if trajectory.measurements.filter(status=Measurement.Status.DRAFT).exists():
            raise ValidationError(
                _(
                    "There is already a draft measurement: continue or discard it before "
                    "opening the resident's preparation."
                )
            )
        measurement = services.start_measurement(trajectory, by, Measurement.Kind.FOLLOW_UP)
        domains = {d.key: d for d in measurement.catalogue.domains.all()}
        prepared = list(preparation.choices.select_related("domain"))
        measurement.choices.all().delete()
        ChosenDomain.objects.bulk_create(
            ChosenDomain(
                measurement=measurement,
                domain=domains[c.domain.key],
                resident_chip=c.resident_chip,
            )
            for c in prepared
            if c.domain.key in domains
        )
        measurement.revision += 1
        measurement.save(update_fields=["revision"])
        preparation.measurement = measurement
        preparation.opened_at = timezone.now()
        preparation.save(update_fields=["measurement", "opened_at"])
        return measurement
