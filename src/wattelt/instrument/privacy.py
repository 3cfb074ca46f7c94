"""What the instrument holds about one resident, for the privacy app: measurements, goals,
records of measurements not filled in and the resident's preparations, in the access
request (inzage), and blanking the resident's words on erasure (preparations are deleted).
Registered in `apps.py`."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Prefetch

from wattelt.privacy.registry import JSON, PersonalData, iso, moment, name_of

from .models import (
    GOAL_TEXT_FIELDS,
    ChosenDomain,
    Goal,
    GoalProgress,
    GoalReview,
    Measurement,
    NotFilledIn,
    Preparation,
    PreparedDomain,
)

# Snapshot keys whose text is part of the catalogue or a code, never the resident's words.
ANONYMOUS_SNAPSHOT_TEXT = frozenset(
    {"kind", "measured_on", "due_on", "domain", "domains", "label", "status"}
)


def _choice_facts(choice: ChosenDomain) -> JSON:
    return {
        "domain": choice.domain.key,
        "label": choice.domain.label,
        "resident_chip": choice.resident_chip,
        "professional_chip": choice.professional_chip,
        "carer_chip": choice.carer_chip,
        "prioritised": choice.prioritised,
    }


def _measurement_facts(measurement: Measurement) -> JSON:
    return {
        "id": measurement.pk,
        "kind": measurement.kind,
        "kind_label": measurement.get_kind_display(),
        "status": measurement.status,
        "status_label": measurement.get_status_display(),
        "measured_on": iso(measurement.measured_on),
        "version": measurement.version,
        "corrects": measurement.corrects_id,
        "correction_reason": measurement.correction_reason,
        "quality_of_life": measurement.quality_of_life,
        "carer_relation": measurement.carer_relation,
        "created_by": name_of(measurement.created_by),
        "confirmed_by": name_of(measurement.confirmed_by),
        "confirmed_at": moment(measurement.confirmed_at),
        "choices": [_choice_facts(c) for c in measurement.choices.all()],
        "snapshot": measurement.snapshot,
    }


def _goal_facts(goal: Goal) -> JSON:
    return {
        "id": goal.pk,
        "stated_in_measurement": goal.stated_in_id,
        "stated_on": iso(goal.stated_in.measured_on),
        "domains": sorted(d.label for d in goal.domains.all()),
        **{name: getattr(goal, name) for name in GOAL_TEXT_FIELDS},
        "due_on": iso(goal.due_on),
        "status": goal.status,
        "status_label": goal.get_status_display(),
        "reviews": [
            {
                "measurement": r.measurement_id,
                "measured_on": iso(r.measurement.measured_on),
                "status": r.status,
                "status_label": r.get_status_display(),
                "note": r.note,
            }
            for r in goal.reviews.all()
        ],
        "progress": [
            {
                "at": moment(p.created_at),
                "author": name_of(p.author),
                "organisation": str(p.organisation),
                "status": p.status,
                "status_label": p.get_status_display(),
                "note": p.note,
            }
            for p in goal.progress.all()
        ],
    }


def _not_filled_in_facts(record: NotFilledIn) -> JSON:
    return {
        "id": record.pk,
        "kind": record.kind,
        "kind_label": record.get_kind_display(),
        "reason": record.reason,
        "reason_label": record.get_reason_display(),
        "note": record.note,
        "recorded_on": iso(record.recorded_on),
        "recorded_by": name_of(record.recorded_by),
    }


def _preparation_facts(preparation: Preparation) -> JSON:
    return {
        "id": preparation.pk,
        "created_at": moment(preparation.created_at),
        "updated_at": moment(preparation.updated_at),
        "submitted_at": moment(preparation.submitted_at),
        "opened_in_measurement": preparation.measurement_id,
        "topics": preparation.topics,
        "choices": [
            {"domain": c.domain.key, "label": c.domain.label, "resident_chip": c.resident_chip}
            for c in preparation.choices.all()
        ],
    }


def trajectory_facts(trajectory_ids: list[int]) -> dict[int, JSON]:
    """Measurements, goals and records not filled in of each trajectory, in a fixed number
    of queries whatever the size of the file."""
    measurements = (
        Measurement.objects.filter(trajectory_id__in=trajectory_ids)
        .select_related("created_by", "confirmed_by")
        .prefetch_related(
            Prefetch(
                "choices",
                ChosenDomain.objects.select_related("domain").order_by("domain__position"),
            )
        )
    )
    goals = (
        Goal.objects.filter(trajectory_id__in=trajectory_ids)
        .select_related("stated_in")
        .prefetch_related(
            "domains",
            Prefetch("reviews", GoalReview.objects.select_related("measurement").order_by("id")),
            Prefetch("progress", GoalProgress.objects.select_related("author", "organisation")),
        )
    )
    not_filled_in = NotFilledIn.objects.filter(trajectory_id__in=trajectory_ids).select_related(
        "recorded_by"
    )
    preparations = Preparation.objects.filter(trajectory_id__in=trajectory_ids).prefetch_related(
        Prefetch("choices", PreparedDomain.objects.select_related("domain"))
    )
    facts: dict[int, JSON] = {
        pk: {"measurements": [], "goals": [], "not_filled_in": [], "preparations": []}
        for pk in trajectory_ids
    }
    for measurement in measurements:
        facts[measurement.trajectory_id]["measurements"].append(_measurement_facts(measurement))
    for goal in goals:
        facts[goal.trajectory_id]["goals"].append(_goal_facts(goal))
    for record in not_filled_in:
        facts[record.trajectory_id]["not_filled_in"].append(_not_filled_in_facts(record))
    for preparation in preparations.order_by("created_at", "id"):
        facts[preparation.trajectory_id]["preparations"].append(_preparation_facts(preparation))
    return facts


def anonymised_snapshot(snapshot: Any, key: str = "") -> Any:
    """The snapshot with every text blanked except codes, dates and catalogue labels;
    numbers (chips, grades) and flags stay. Unknown keys count as free text."""
    if isinstance(snapshot, dict):
        return {k: anonymised_snapshot(v, k) for k, v in snapshot.items()}
    if isinstance(snapshot, list):
        return [anonymised_snapshot(item, key) for item in snapshot]
    if isinstance(snapshot, str) and key not in ANONYMOUS_SNAPSHOT_TEXT:
        return ""
    return snapshot


def _anonymise_measurements(trajectory_ids: list[int]) -> list[int]:
    measurements = Measurement.objects.filter(trajectory_id__in=trajectory_ids)
    for measurement in measurements.filter(snapshot__isnull=False).only("pk", "snapshot"):
        measurement.snapshot = anonymised_snapshot(measurement.snapshot)
        measurement.save(update_fields=["snapshot"])
    measurements.update(carer_relation="", correction_reason="")
    return list(measurements.values_list("pk", flat=True))


def _anonymise_plan(trajectory_ids: list[int]) -> list[int]:
    goals = Goal.objects.filter(trajectory_id__in=trajectory_ids)
    goals.update(**dict.fromkeys(GOAL_TEXT_FIELDS, ""))
    GoalReview.objects.filter(goal__in=goals).update(note="")
    GoalProgress.objects.filter(goal__in=goals).update(note="")
    return list(goals.values_list("pk", flat=True))


def erase(trajectory_ids: list[int]) -> dict[type[models.Model], list[int]]:
    """Blank the resident's words; chip positions, grades, chosen domains, statuses and
    dates stay, so published figures do not shift."""
    NotFilledIn.objects.filter(trajectory_id__in=trajectory_ids).update(note="")
    # A preparation counts nowhere: it goes entirely (its chips live on, where they were
    # confirmed, in the measurement).
    Preparation.objects.filter(trajectory_id__in=trajectory_ids).delete()
    measurement_ids = _anonymise_measurements(trajectory_ids)
    goal_ids = _anonymise_plan(trajectory_ids)
    return {Measurement: measurement_ids, Goal: goal_ids}


PERSONAL_DATA = PersonalData(app="instrument", trajectory_facts=trajectory_facts, erase=erase)
