"""The instrument's rules: start, save, confirm and correct measurements; record a
measurement that was not filled in. Views and the API call these, never the models."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wattelt.bounds import NOTE_MAX_LENGTH, check_length, shown
from wattelt.organisations.models import Staff
from wattelt.residents.models import Trajectory
from wattelt.residents.services import touch

from . import rules
from .forms import BoardInput, GoalInput
from .models import (
    GOAL_TEXT_FIELDS,
    Catalogue,
    ChosenDomain,
    Domain,
    Goal,
    GoalProgress,
    GoalReview,
    Measurement,
    NotFilledIn,
)
from .schedule import refresh_due_date
from .signals import goal_status_set, measurement_confirmed, measurement_corrected, not_filled_in


class MeasurementConflict(Exception):
    """Someone else saved the draft since this user loaded it."""

    def __init__(self, measurement: Measurement) -> None:
        self.measurement = measurement
        who = measurement.updated_by
        super().__init__(
            _(
                "%(who)s changed this measurement at %(when)s, after you opened it. "
                "Your input is still on the screen: save it again to keep yours, or load theirs."
            )
            % {
                "who": who,
                "when": timezone.localtime(measurement.updated_at).strftime("%d-%m-%Y %H:%M"),
            }
        )


def _check_open(trajectory: Trajectory) -> None:
    if trajectory.ended_on is not None:
        raise ValidationError(rules.closed_problem(trajectory.ended_on))


def confirmed_measurements(trajectory: Trajectory) -> list[Measurement]:
    return list(
        trajectory.measurements.filter(status=Measurement.Status.CONFIRMED).order_by(
            "measured_on", "id"
        )
    )


def start_measurement(trajectory: Trajectory, by: Staff, kind: str = "") -> Measurement:
    """Open the draft for the next measurement, or return the draft already open."""
    with transaction.atomic():
        trajectory = Trajectory.objects.select_for_update().get(pk=trajectory.pk)
        _check_open(trajectory)
        draft = trajectory.measurements.filter(status=Measurement.Status.DRAFT).first()
        if draft is not None:
            return draft
        has_start = trajectory.measurements.filter(status=Measurement.Status.CONFIRMED).exists()
        if not has_start:
            kind = Measurement.Kind.START
        elif kind not in (Measurement.Kind.FOLLOW_UP, Measurement.Kind.END):
            kind = Measurement.Kind.FOLLOW_UP
        catalogue = Catalogue.objects.current_for(trajectory.team.organisation)
        measurement = Measurement.objects.create(
            trajectory=trajectory,
            kind=kind,
            status=Measurement.Status.DRAFT,
            catalogue=catalogue,
            created_by=by,
            updated_by=by,
        )
        if kind != Measurement.Kind.START:
            _start_from_last_time(measurement)
        touch(trajectory)
        return measurement


def _start_from_last_time(measurement: Measurement) -> None:
    """A follow-up starts where the last conversation ended: last time's domains are
    chosen already (without chips: the resident places them anew beside the ghosts) and
    the carer is the same person. The resident can remove or add domains."""
    last = (
        Measurement.objects.confirmed()
        .filter(trajectory_id=measurement.trajectory_id)
        .order_by("-measured_on", "-id")
        .first()
    )
    if last is None:
        return
    domains = {d.key: d for d in measurement.catalogue.domains.all()}
    keys = [c.domain.key for c in last.choices.select_related("domain")]
    ChosenDomain.objects.bulk_create(
        ChosenDomain(measurement=measurement, domain=domains[key]) for key in keys if key in domains
    )
    measurement.carer_relation = last.carer_relation
    measurement.save(update_fields=["carer_relation"])


def goals_to_review(
    measurement: Measurement, reviewed: Collection[int] | None = None
) -> list[Goal]:
    """Goals stated in earlier confirmed measurements of the trajectory, still unfinished
    or reviewed in this very measurement (`reviewed`: the goal ids of its stored reviews,
    when the caller read them already)."""
    goals = (
        Goal.objects.filter(
            trajectory_id=measurement.trajectory_id,
            stated_in__status=Measurement.Status.CONFIRMED,
            stated_in__measured_on__lte=measurement.measured_on,
        )
        .exclude(stated_in=measurement)
        .exclude(stated_in__corrected_by=measurement)
        .prefetch_related("domains")
        .order_by("stated_in__measured_on", "position", "id")
    )
    if reviewed is None:
        reviewed = (
            set(measurement.reviews.values_list("goal_id", flat=True)) if measurement.pk else set()
        )
    finished = {Goal.Status.ACHIEVED, Goal.Status.NOT_APPLICABLE}
    return [g for g in goals if g.status not in finished or g.pk in reviewed]


def _apply(measurement: Measurement, by: Staff, data: BoardInput) -> None:
    """Write the board's content into the measurement's rows (inside a transaction)."""
    domains = {d.key: d for d in measurement.catalogue.domains.all()}
    if data.measured_on is not None:
        measurement.measured_on = data.measured_on
    _check_measured_on(measurement)
    measurement.quality_of_life = data.quality_of_life
    measurement.carer_relation = data.carer_relation
    measurement.choices.all().delete()
    ChosenDomain.objects.bulk_create(
        ChosenDomain(
            measurement=measurement,
            domain=domains[key],
            resident_chip=c.resident,
            professional_chip=c.professional,
            carer_chip=c.carer,
            prioritised=c.prioritised,
        )
        for key, c in data.choices.items()
    )
    _apply_goals(measurement, data.goals, domains)
    _apply_reviews(measurement, data)
    measurement.updated_by = by
    measurement.updated_at = timezone.now()


def _check_measured_on(measurement: Measurement) -> None:
    """A measurement lies within its trajectory, and a follow-up or end measurement not
    before the start measurement: otherwise its goal reviews would silently not count."""
    trajectory = measurement.trajectory
    start = None
    if measurement.kind != Measurement.Kind.START:
        start = (
            trajectory.measurements.filter(
                status=Measurement.Status.CONFIRMED, kind=Measurement.Kind.START
            )
            .exclude(pk=measurement.pk)
            .order_by("measured_on")
            .values_list("measured_on", flat=True)
            .first()
        )
    problem = rules.measured_on_problem(
        measurement.measured_on, timezone.localdate(), trajectory.started_on, start
    )
    if problem:
        raise ValidationError({"measured_on": problem})


def _apply_goals(
    measurement: Measurement, goals: list[GoalInput], domains: dict[str, Domain]
) -> None:
    existing = {g.pk: g for g in measurement.goals.all()}
    kept = set()
    for position, item in enumerate(goals):
        goal = existing.get(item.id) if item.id is not None else None
        if item.id is not None and goal is None:
            raise ValidationError(
                _("Goal %(n)s no longer exists in this measurement; reload the page.")
                % {"n": position + 1}
            )
        if goal is None:
            goal = Goal(trajectory_id=measurement.trajectory_id, stated_in=measurement)
        for name, value in item.texts.items():
            setattr(goal, name, value)
        goal.due_on = item.due_on
        goal.position = position
        goal.save()
        goal.domains.set([domains[k] for k in item.domain_keys])
        kept.add(goal.pk)
        item.id = goal.pk
    # The measurement is locked: its goals are those read above. Most saves drop none
    # (no query then).
    dropped_ids = set(existing) - kept
    if not dropped_ids:
        return
    dropped = Goal.objects.filter(pk__in=dropped_ids)
    with_history = dropped.filter(Q(reviews__isnull=False) | Q(progress__isnull=False))
    if with_history.exists():
        raise ValidationError(
            _(
                "A goal that was already reviewed or has progress notes cannot be removed; "
                "give it the status “no longer applicable” instead."
            )
        )
    dropped.delete()


def _apply_reviews(measurement: Measurement, data: BoardInput) -> None:
    reviewable = {g.pk for g in goals_to_review(measurement)}
    unknown = set(data.reviews) - reviewable
    if unknown:
        raise ValidationError(_("A goal status refers to a goal that is not in this plan."))
    measurement.reviews.all().delete()
    GoalReview.objects.bulk_create(
        GoalReview(measurement=measurement, goal_id=goal_id, status=r.status, note=r.note)
        for goal_id, r in data.reviews.items()
        if r.status or r.note
    )


def _locked_draft(measurement: Measurement, revision: int | None) -> Measurement:
    locked = (
        Measurement.objects.select_for_update(of=("self",))
        .select_related("trajectory", "updated_by", "catalogue")
        .get(pk=measurement.pk)
    )
    if locked.status != Measurement.Status.DRAFT:
        raise ValidationError(_("This measurement has already been confirmed."))
    _check_open(locked.trajectory)
    if revision is not None and revision != locked.revision:
        raise MeasurementConflict(locked)
    return locked


def save_draft(measurement: Measurement, by: Staff, data: BoardInput) -> Measurement:
    """Save the board as it stands; incomplete is fine, invalid is not."""
    with transaction.atomic():
        draft = _locked_draft(measurement, data.revision)
        _apply(draft, by, data)
        draft.revision += 1
        draft.save()
        touch(draft.trajectory)
        return draft


def completeness_errors(measurement: Measurement) -> dict[str, str]:
    """What still has to be filled in before a measurement can be confirmed."""
    choices = list(measurement.choices.select_related("domain"))
    errors = rules.completeness_problems(
        {c.domain: c.resident_chip for c in choices},
        measurement.quality_of_life,
        [
            (goal.own_words, set(goal.domains.all()))
            for goal in measurement.goals.prefetch_related("domains")
        ],
    )
    reviewed = {r.goal_id: r for r in measurement.reviews.all()}
    for goal in goals_to_review(measurement):
        review = reviewed.get(goal.pk)
        if review is None or not review.status:
            errors[f"review-{goal.pk}-status"] = _("Give the status of the goal “%(goal)s”.") % {
                "goal": goal.own_words[:60]
            }
    return errors


def _snapshot(measurement: Measurement) -> dict[str, object]:
    choices = measurement.choices.select_related("domain").order_by("domain__position")
    return {
        "kind": measurement.kind,
        "version": measurement.version,
        "measured_on": measurement.measured_on.isoformat(),
        "quality_of_life": measurement.quality_of_life,
        "carer_relation": measurement.carer_relation,
        "correction_reason": measurement.correction_reason,
        "choices": [
            {
                "domain": c.domain.key,
                "label": c.domain.labels.get("nl", c.domain.key),
                "resident": c.resident_chip,
                "professional": c.professional_chip,
                "carer": c.carer_chip,
                "prioritised": c.prioritised,
            }
            for c in choices
        ],
        "goals": [
            {
                "id": g.pk,
                "domains": sorted(d.key for d in g.domains.all()),
                "due_on": g.due_on.isoformat() if g.due_on else None,
                **{name: getattr(g, name) for name in GOAL_TEXT_FIELDS},
            }
            for g in measurement.goals.prefetch_related("domains")
        ],
        "reviews": [
            {"goal": r.goal_id, "own_words": r.goal.own_words, "status": r.status, "note": r.note}
            for r in measurement.reviews.select_related("goal")
        ],
    }


def _finish_confirmation(measurement: Measurement, by: Staff) -> None:
    errors = completeness_errors(measurement)
    if errors:
        raise ValidationError(errors)
    for review in measurement.reviews.all():
        # A correction of an older measurement must not undo a later status.
        later = GoalReview.objects.filter(
            goal_id=review.goal_id,
            measurement__status=Measurement.Status.CONFIRMED,
            measurement__measured_on__gt=measurement.measured_on,
        )
        if not later.exists():
            Goal.objects.filter(pk=review.goal_id).update(status=review.status)
    measurement.status = Measurement.Status.CONFIRMED
    measurement.confirmed_by = by
    measurement.confirmed_at = timezone.now()
    measurement.snapshot = _snapshot(measurement)
    measurement.save()
    refresh_due_date(measurement.trajectory)
    measurement_confirmed.send(sender=Measurement, measurement=measurement)


def confirm_measurement(measurement: Measurement, by: Staff, data: BoardInput) -> Measurement:
    """Save the board and confirm it in one step; from then on it is immutable."""
    with transaction.atomic():
        draft = _locked_draft(measurement, data.revision)
        _apply(draft, by, data)
        draft.revision += 1
        _finish_confirmation(draft, by)
        return draft


def discard_draft(measurement: Measurement, by: Staff) -> None:
    with transaction.atomic():
        draft = _locked_draft(measurement, None)
        draft.delete()


@dataclass
class CorrectionInput:
    board: BoardInput
    reason: str


def correct_measurement(measurement: Measurement, by: Staff, data: CorrectionInput) -> Measurement:
    """Replace a confirmed measurement by a new version with a reason; the old version
    and its snapshot stay as history."""
    if not data.reason.strip():
        raise ValidationError({"correction_reason": _("Give the reason for the correction.")})
    errors: dict[str, str] = {}
    check_length(errors, "correction_reason", data.reason.strip(), NOTE_MAX_LENGTH)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        old = (
            Measurement.objects.select_for_update(of=("self",))
            .select_related("trajectory")
            .get(pk=measurement.pk)
        )
        if old.status != Measurement.Status.CONFIRMED:
            raise ValidationError(_("Only the current confirmed version can be corrected."))
        _check_open(old.trajectory)
        new = Measurement.objects.create(
            trajectory=old.trajectory,
            kind=old.kind,
            # Confirmed from the start and checked before this transaction ends: the
            # trajectory may have an open draft, and it may have one draft at most.
            status=Measurement.Status.CONFIRMED,
            catalogue=old.catalogue,
            measured_on=old.measured_on,
            created_by=by,
            updated_by=by,
            version=old.version + 1,
            corrects=old,
            correction_reason=data.reason.strip(),
        )
        old.status = Measurement.Status.SUPERSEDED
        old.save(update_fields=["status"])
        # The goals are the plan's: they move to the new version, keeping their identity.
        old.goals.update(stated_in=new)
        old.reviews.update(measurement=new)
        _apply(new, by, data.board)
        _finish_confirmation(new, by)
        measurement_corrected.send(sender=Measurement, measurement=new)
        touch(new.trajectory)
        return new


def record_not_filled_in(
    trajectory: Trajectory, by: Staff, kind: str, reason: str, note: str = ""
) -> NotFilledIn:
    """Record that a measurement was not done, and why."""
    errors = {}
    if kind not in Measurement.Kind.values:
        errors["kind"] = _("Choose which measurement was not filled in.")
    if reason not in NotFilledIn.Reason.values:
        errors["reason"] = _("Choose why the measurement was not filled in.")
    if reason == NotFilledIn.Reason.OTHER and not note.strip():
        errors["note"] = _("Explain the reason “other” in the note.")
    check_length(errors, "note", note.strip(), NOTE_MAX_LENGTH)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        trajectory = Trajectory.objects.select_for_update().get(pk=trajectory.pk)
        _check_open(trajectory)
        record = NotFilledIn.objects.create(
            trajectory=trajectory, kind=kind, reason=reason, note=note.strip(), recorded_by=by
        )
        refresh_due_date(trajectory)
        not_filled_in.send(sender=NotFilledIn, record=record)
        return record


def add_goal_progress(goal: Goal, by: Staff, note: str, status: str = "") -> GoalProgress:
    """Add a note (and optionally a new status) to a goal of the shared plan."""
    errors = {}
    if not note.strip():
        errors["note"] = _("Write what happened.")
    if status and status not in Goal.Status.values:
        errors["status"] = _("Unknown goal status “%(value)s”.") % {"value": shown(status)}
    check_length(errors, "note", note.strip(), NOTE_MAX_LENGTH)
    if errors:
        raise ValidationError(errors)
    if by.organisation_id is None:
        raise ValidationError(_("Your account is not linked to an organisation."))
    with transaction.atomic():
        trajectory = Trajectory.objects.select_for_update().get(pk=goal.trajectory_id)
        _check_open(trajectory)
        progress = GoalProgress.objects.create(
            goal=goal,
            author=by,
            organisation_id=by.organisation_id,
            note=note.strip(),
            status=status,
        )
        if status:
            Goal.objects.filter(pk=goal.pk).update(status=status)
            goal_status_set.send(sender=GoalProgress, goal=goal, status=status)
        touch(trajectory)
        return progress
