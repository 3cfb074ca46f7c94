"""Recording a confirmed measurement through the API: the JSON body becomes the board's
own input and goes through the board's parser and services (`BoardParser`,
`start_measurement`, `confirm_measurement`): the same validation (chip 0-100, grade 1-10,
a goal in the resident's own words, known domains, plausible dates), one transaction."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.http import QueryDict
from django.utils.translation import gettext as _
from rest_framework import serializers

from wattelt.instrument import services
from wattelt.instrument.forms import BoardParser
from wattelt.instrument.models import Catalogue, Goal, Measurement
from wattelt.organisations.policy import offered_perspectives
from wattelt.residents.access import trajectory_access

from .models import ClientPrincipal
from .problems import Conflict
from .serializers import GOAL_FIELDS

MAX_ITEMS = 50
PERSPECTIVES = {"inwoner": "resident", "professional": "professional", "naaste": "carer"}
KINDS = {
    Measurement.Kind.FOLLOW_UP: Measurement.Kind.FOLLOW_UP,
    Measurement.Kind.END: Measurement.Kind.END,
}


class ScoreInput(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=40)
    inwoner = serializers.IntegerField(allow_null=True, required=False)
    professional = serializers.IntegerField(allow_null=True, required=False)
    naaste = serializers.IntegerField(allow_null=True, required=False)
    prioriteit = serializers.BooleanField(default=False)


class GoalInput(serializers.Serializer[Any]):
    eigenWoorden = serializers.CharField(allow_blank=True, trim_whitespace=False)
    watVerandert = serializers.CharField(required=False, allow_blank=True, default="")
    eersteStap = serializers.CharField(required=False, allow_blank=True, default="")
    doorInwoner = serializers.CharField(required=False, allow_blank=True, default="")
    doorNetwerk = serializers.CharField(required=False, allow_blank=True, default="")
    doorProfessional = serializers.CharField(required=False, allow_blank=True, default="")
    doorSpecialist = serializers.CharField(required=False, allow_blank=True, default="")
    hoeWeWetenHet = serializers.CharField(required=False, allow_blank=True, default="")
    streefdatum = serializers.DateField(required=False, allow_null=True, default=None)
    leefgebieden = serializers.ListField(
        child=serializers.CharField(max_length=40), max_length=MAX_ITEMS
    )


class ReviewInput(serializers.Serializer[Any]):
    doel = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    status = serializers.ChoiceField(choices=[s for s in Goal.Status.values if s != "open"])
    toelichting = serializers.CharField(required=False, allow_blank=True, default="")


class MetingInput(serializers.Serializer[Any]):
    """A measurement as the dossier system recorded it with the resident."""

    traject = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    soort = serializers.ChoiceField(
        choices=list(KINDS),
        required=False,
        help_text="follow_up or end; the first measurement of a trajectory is always the start.",
    )
    gemetenOp = serializers.DateField()
    kwaliteitVanLeven = serializers.IntegerField()
    naaste = serializers.CharField(required=False, allow_blank=True, default="", max_length=80)
    leefgebieden = ScoreInput(many=True, max_length=MAX_ITEMS)
    doelen = GoalInput(many=True, required=False, default=list, max_length=MAX_ITEMS)
    beoordelingen = ReviewInput(many=True, required=False, default=list, max_length=MAX_ITEMS)


def board_post(data: dict[str, Any]) -> QueryDict:
    """The body as the board would have posted it."""
    post = QueryDict(mutable=True)
    post["measured_on"] = data["gemetenOp"].isoformat()
    post["quality_of_life"] = str(data["kwaliteitVanLeven"])
    post["carer_relation"] = data["naaste"]
    post.setlist("chosen", [s["code"] for s in data["leefgebieden"]])
    post.setlist("priority", [s["code"] for s in data["leefgebieden"] if s["prioriteit"]])
    for score in data["leefgebieden"]:
        for api_name, perspective in PERSPECTIVES.items():
            value = score.get(api_name)
            if value is not None:
                post[f"chip-{perspective}-{score['code']}"] = str(value)
                post[f"placed-{perspective}-{score['code']}"] = "1"
    for n, goal in enumerate(data["doelen"]):
        for name, api_name in GOAL_FIELDS.items():
            post[f"goal-{n}-{name}"] = goal[api_name]
        post.setlist(f"goal-{n}-domains", goal["leefgebieden"])
        if goal["streefdatum"] is not None:
            post[f"goal-{n}-due_on"] = goal["streefdatum"].isoformat()
    for review in data["beoordelingen"]:
        post[f"review-{review['doel']}-status"] = review["status"]
        post[f"review-{review['doel']}-note"] = review["toelichting"]
    return post


_CHIP = re.compile(r"chip-(\w+)-(.+)")
_GOAL = re.compile(r"goal-(\d+)-(\w+)")
_REVIEW = re.compile(r"review-(\d+)-(\w+)")
_PLAIN = {
    "measured_on": "gemetenOp",
    "quality_of_life": "kwaliteitVanLeven",
    "chosen": "leefgebieden",
    "priority": "leefgebieden",
    "carer_relation": "naaste",
    NON_FIELD_ERRORS: "nonFieldErrors",
}


def api_name(board_name: str, data: dict[str, Any]) -> str:
    """The API's name of a field the board named."""
    if board_name in _PLAIN:
        return _PLAIN[board_name]
    if match := _CHIP.fullmatch(board_name):
        codes = [s["code"] for s in data["leefgebieden"]]
        perspective = {v: k for k, v in PERSPECTIVES.items()}.get(match[1], match[1])
        index = codes.index(match[2]) if match[2] in codes else 0
        return f"leefgebieden.{index}.{perspective}"
    if match := _GOAL.fullmatch(board_name):
        field = {**GOAL_FIELDS, "domains": "leefgebieden", "due_on": "streefdatum"}
        return f"doelen.{match[1]}.{field.get(match[2], match[2])}"
    if match := _REVIEW.fullmatch(board_name):
        ids = [r["doel"] for r in data["beoordelingen"]]
        goal_id = int(match[1])
        index = ids.index(goal_id) if goal_id in ids else 0
        return f"beoordelingen.{index}.{'toelichting' if match[2] == 'note' else 'status'}"
    return board_name


def as_invalid(error: ValidationError, data: dict[str, Any]) -> serializers.ValidationError:
    """A service's ValidationError as the API's, under the API's field names."""
    if not hasattr(error, "error_dict"):
        return serializers.ValidationError({"nonFieldErrors": error.messages})
    named: dict[str, list[str]] = {}
    for name, errors in error.error_dict.items():
        for item in errors:
            named.setdefault(api_name(name, data), []).extend(item.messages)
    return serializers.ValidationError(named)


def record_confirmed_measurement(principal: ClientPrincipal, data: dict[str, Any]) -> Measurement:
    """Start and confirm a measurement in one transaction, as the board does in two
    steps. A trajectory with a draft open on the board is refused (409): the API never
    overwrites someone's unfinished board."""
    access = trajectory_access(
        principal, data["traject"], need=("measurements",), for_edit=True, purpose="care"
    )
    trajectory = access.trajectory
    if trajectory.measurements.filter(status=Measurement.Status.DRAFT).exists():
        raise Conflict(
            _(
                "A measurement of this trajectory is open as a draft on the board; confirm "
                "or discard it there first."
            )
        )
    catalogue = Catalogue.objects.current_for(trajectory.team.organisation)
    parser = BoardParser(
        board_post(data),
        list(catalogue.domains.all()),
        offered_perspectives(trajectory.team.organisation),
    )
    try:
        board = parser.parse()
        with transaction.atomic():
            draft = services.start_measurement(trajectory, principal, data.get("soort", ""))
            board.revision = draft.revision
            return services.confirm_measurement(draft, principal, board)
    except ValidationError as error:
        raise as_invalid(error, data) from error
