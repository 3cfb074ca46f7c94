"""The board, measurements, corrections, the progress page and the resident's plan."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wattelt.audit.services import log_access
from wattelt.organisations import handover
from wattelt.organisations.policy import offered_perspectives
from wattelt.residents.access import TrajectoryAccess, access_to, trajectory_access
from wattelt.residents.forms import AppointmentForm, LanguageForm
from wattelt.residents.language import language, safe_next, speaking, template_context
from wattelt.residents.services import due_state
from wattelt.web import StaffRequest

from . import services
from .access import goal_for_progress, measurement_access, preparation_access
from .board import Board, build_board, same_content, stored_input
from .forms import REVIEW_STATUSES, BoardInput, BoardParser
from .models import GRADE_MAX, GRADE_MIN, Goal, Measurement, NotFilledIn, Preparation
from .plan import PLAN_PARTS, render_plan_pdf, resident_plan
from .progress import trajectory_progress
from .wording import choose_wording

CONVERSATION_LOCK = "conversation"
"""The hand-over lock of conversation mode: [CONVERSATION_LOCK, measurement id]."""
CONVERSATION_TEMPLATE = "instrument/conversation.html"


def locked_to_measurement(request: StaffRequest) -> int | None:
    """The measurement whose conversation mode this session is locked to, if any."""
    what = handover.locked_to(request)
    if isinstance(what, list) and len(what) == 2 and what[0] == CONVERSATION_LOCK:
        return int(what[1])
    return None


def _wants_json(request: StaffRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _error_messages(error: ValidationError) -> dict[str, str]:
    """Field name to message; messages about the whole measurement under "general"."""
    if hasattr(error, "error_dict"):
        return {
            "general" if field == NON_FIELD_ERRORS else field: " ".join(messages)
            for field, messages in error.message_dict.items()
        }
    return {"general": " ".join(error.messages)}


@login_required
@require_POST
def new_measurement(request: StaffRequest, trajectory_pk: int) -> HttpResponse:
    trajectory = trajectory_access(request.user, trajectory_pk, for_edit=True).trajectory
    try:
        measurement = services.start_measurement(
            trajectory, request.user, request.POST.get("kind", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("instrument:progress", trajectory.pk)
    log_access(request, "create", "measurement", measurement.pk, trajectory.resident_id)
    return redirect("instrument:board", measurement.pk)


@login_required
def board(request: StaffRequest, pk: int) -> HttpResponse:
    door = measurement_access(request.user, pk)
    measurement, trajectory = door.measurement, door.measurement.trajectory
    if request.method != "POST" and locked_to_measurement(request) == measurement.pk:
        return redirect("instrument:conversation", measurement.pk)  # the resident holds it
    if not measurement.is_draft:
        return _confirmed_measurement(request, measurement, door.access)
    if request.method != "POST":
        log_access(request, "read", "measurement", measurement.pk, trajectory.resident_id)
        return render_board(request, build_board(measurement))
    if in_conversation(request, measurement):
        # The resident holds the tablet: what the board answers speaks their language.
        with speaking(trajectory.resident.language):
            return _post_board(request, measurement)
    return _post_board(request, measurement)


def in_conversation(request: StaffRequest, measurement: Measurement) -> bool:
    """The board is in conversation mode: the session is locked to it, or it was posted
    from conversation mode."""
    return (
        request.POST.get("mode") == "conversation"
        or locked_to_measurement(request) == measurement.pk
    )


def resident_screen(request: StaffRequest, measurement: Measurement) -> dict[str, object]:
    """What resident_base.html needs: the resident's language and its switch, which
    stores the language on the resident and comes back to this page."""
    resident = measurement.trajectory.resident
    action = reverse("residents:set_language", args=[resident.pk])
    return template_context(resident.language, action, request.path)


def _post_board(request: StaffRequest, measurement: Measurement) -> HttpResponse:
    domains = list(measurement.catalogue.domains.all())
    action = request.POST.get("action", "save")
    parser = BoardParser(request.POST, domains, _perspectives(measurement))
    data: BoardInput | None = None
    try:
        data = parser.parse()
        if action == "confirm":
            services.confirm_measurement(measurement, request.user, data)
        else:
            measurement = services.save_draft(measurement, request.user, data)
        if action == "review":
            return _to_summary(request, measurement, data)
    except services.MeasurementConflict as conflict:
        current = conflict.measurement
        if data is not None and action == "save" and same_content(data, stored_input(current)):
            return _saved_already(request, current, data)
        if _wants_json(request):
            return JsonResponse(
                {"conflict": True, "message": str(conflict), "revision": current.revision},
                status=409,
            )
        if data is not None:
            data.revision = current.revision  # saving again now overwrites, on purpose
        return render_board(request, build_board(current, data, {"general": str(conflict)}), 409)
    except ValidationError as error:
        errors = _error_messages(error)
        if _wants_json(request):
            return JsonResponse({"errors": errors}, status=400)
        return render_board(request, build_board(measurement, parser.board, errors), 400)
    trajectory = measurement.trajectory
    log_access(request, "change", "measurement", measurement.pk, trajectory.resident_id)
    if action == "confirm":
        done_url = reverse("instrument:progress", args=[trajectory.pk])
        messages.success(request, _("The measurement is confirmed and registered."))
        if _wants_json(request):
            return JsonResponse({"redirect": done_url})
        return redirect(done_url)
    if _wants_json(request):
        return JsonResponse(_saved(measurement, data))
    if action != "add_goal":
        messages.success(request, _("The draft is saved."))
    return render_board(request, build_board(measurement))


def _saved(measurement: Measurement, data: BoardInput | None) -> dict[str, object]:
    """What the board's script needs after a save: the new revision and goal ids."""
    return {
        "revision": measurement.revision,
        "goal_ids": {g.index: g.id for g in data.goals} if data else {},
        "saved_at": timezone.localtime(measurement.updated_at).strftime("%H:%M:%S"),
    }


def _saved_already(request: StaffRequest, current: Measurement, posted: BoardInput) -> HttpResponse:
    """The same save arrived twice: the second is no conflict and changes nothing."""
    if not _wants_json(request):
        return render_board(request, build_board(current))
    stored = stored_input(current).goals
    return JsonResponse(
        {
            **_saved(current, None),
            "goal_ids": {p.index: s.id for p, s in zip(posted.goals, stored, strict=False)},
        }
    )


def _to_summary(request: StaffRequest, measurement: Measurement, data: BoardInput) -> HttpResponse:
    """Conversation mode's "done": the draft is saved; complete, it goes to the summary
    the resident sees before confirming; else the first missing answers, draft kept."""
    log_access(request, "change", "measurement", measurement.pk, measurement.trajectory.resident_id)
    errors = services.completeness_errors(measurement)
    summary_url = reverse("instrument:summary", args=[measurement.pk])
    if _wants_json(request):
        if errors:
            return JsonResponse({"errors": errors, **_saved(measurement, data)}, status=400)
        return JsonResponse({"redirect": summary_url, **_saved(measurement, data)})
    if errors:
        state = build_board(measurement, errors=errors)
        return render_board(request, state, 400, template=CONVERSATION_TEMPLATE)
    return redirect(summary_url)


def _perspectives(measurement: Measurement) -> list[str]:
    return offered_perspectives(measurement.trajectory.team.organisation)


def render_board(
    request: StaffRequest,
    state: Board,
    status: int = 200,
    template: str = "",
    **extra: object,
) -> HttpResponse:
    """The board; in conversation mode (the session locked to it, or posted from it) the
    resident's full-screen version, in the resident's language."""
    conversation = template == CONVERSATION_TEMPLATE or (
        not template and in_conversation(request, state.measurement)
    )
    template = CONVERSATION_TEMPLATE if conversation else (template or "instrument/board.html")
    if conversation:
        extra = {**resident_screen(request, state.measurement), **extra}
    context = {
        "board": state,
        "perspectives": _perspectives(state.measurement),
        "grades": range(GRADE_MIN, GRADE_MAX + 1),
        "review_statuses": [(v, label) for v, label in Goal.Status.choices if v in REVIEW_STATUSES],
        "measurement_pk": state.measurement.pk,
        "locked": handover.is_locked(request),
        **extra,
    }
    return render(request, template, context, status=status)


def _confirmed_measurement(
    request: StaffRequest, measurement: Measurement, access: TrajectoryAccess
) -> HttpResponse:
    trajectory = measurement.trajectory
    versions = []
    current: Measurement | None = measurement
    # Walk back through the chain of corrections; the chain is short (a few versions).
    while current is not None:
        versions.append(current)
        current = current.corrects
    newer = Measurement.objects.visible_to(request.user).filter(corrects=measurement).first()
    log_access(request, "read", "measurement", measurement.pk, trajectory.resident_id)
    return render(
        request,
        "instrument/measurement.html",
        {
            "measurement": measurement,
            "trajectory": trajectory,
            "versions": versions,
            "newer": newer,
            "can_edit": access.can_edit,
            "parts": access.parts,
        },
    )


@login_required
def correct(request: StaffRequest, pk: int) -> HttpResponse:
    measurement = measurement_access(request.user, pk, for_edit=True).measurement
    trajectory = measurement.trajectory
    if measurement.status != Measurement.Status.CONFIRMED:
        messages.error(request, _("Only the current confirmed version can be corrected."))
        return redirect("instrument:board", measurement.pk)
    errors: dict[str, str] = {}
    parser = BoardParser(
        request.POST, list(measurement.catalogue.domains.all()), _perspectives(measurement)
    )
    reason = request.POST.get("correction_reason", "")
    if request.method == "POST":
        try:
            data = parser.parse()
            new = services.correct_measurement(
                measurement, request.user, services.CorrectionInput(data, reason)
            )
        except ValidationError as error:
            errors = _error_messages(error)
        else:
            log_access(request, "change", "measurement", new.pk, trajectory.resident_id)
            messages.success(
                request, _("The correction is saved as version %(v)s.") % {"v": new.version}
            )
            return redirect("instrument:board", new.pk)
    else:
        log_access(request, "read", "measurement", measurement.pk, trajectory.resident_id)
    state = build_board(measurement, parser.board if request.method == "POST" else None, errors)
    return render_board(
        request, state, 400 if errors else 200, correcting=True, correction_reason=reason
    )


@login_required
@require_POST
def discard(request: StaffRequest, pk: int) -> HttpResponse:
    measurement = measurement_access(request.user, pk, for_edit=True).measurement
    trajectory = measurement.trajectory
    try:
        services.discard_draft(measurement, request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        log_access(request, "delete", "measurement", pk, trajectory.resident_id)
        messages.success(request, _("The draft is discarded."))
    return redirect("instrument:progress", trajectory.pk)


@login_required
def not_filled_in(request: StaffRequest, trajectory_pk: int) -> HttpResponse:
    trajectory = trajectory_access(request.user, trajectory_pk, for_edit=True).trajectory
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            record = services.record_not_filled_in(
                trajectory,
                request.user,
                request.POST.get("kind", ""),
                request.POST.get("reason", ""),
                request.POST.get("note", ""),
            )
        except ValidationError as error:
            errors = _error_messages(error)
        else:
            log_access(request, "create", "not_filled_in", record.pk, trajectory.resident_id)
            messages.success(request, _("Recorded that the measurement was not filled in."))
            return redirect("instrument:progress", trajectory.pk)
    has_start = (
        Measurement.objects.visible_to(request.user)
        .confirmed()
        .filter(trajectory=trajectory)
        .exists()
    )
    log_access(request, "read", "trajectory", trajectory.pk, trajectory.resident_id)
    return render(
        request,
        "instrument/not_filled_in.html",
        {
            "trajectory": trajectory,
            "errors": errors,
            "posted": request.POST,
            "kinds": Measurement.Kind.choices,
            "reasons": NotFilledIn.Reason.choices,
            "default_kind": "follow_up" if has_start else "start",
        },
        status=400 if errors else 200,
    )


@login_required
def progress(request: StaffRequest, trajectory_pk: int) -> HttpResponse:
    access = trajectory_access(request.user, trajectory_pk, need=("measurements",))
    trajectory = access.trajectory
    log_access(request, "read", "trajectory", trajectory.pk, trajectory.resident_id)
    progress = trajectory_progress(trajectory)
    return render(
        request,
        "instrument/progress.html",
        {
            "trajectory": trajectory,
            "parts": access.parts,
            "progress": progress,
            "draft": progress.draft,
            "skipped": list(trajectory.not_filled_in.all()),
            "can_edit": access.can_edit,
            "due": due_state(trajectory),
            # The resident's preparation sent from Mijn Wat telt, to open together.
            "preparation": Preparation.objects.visible_to(request.user)
            .open()
            .filter(trajectory=trajectory, submitted_at__isnull=False)
            .first(),
        },
    )


@login_required
def preparation(request: StaffRequest, pk: int) -> HttpResponse:
    """The resident's preparation as they made it at home: kept beside the measurement
    it was opened in."""
    prepared = preparation_access(request.user, pk)
    trajectory = prepared.trajectory
    log_access(request, "read", "preparation", prepared.pk, trajectory.resident_id)
    return render(
        request,
        "instrument/preparation.html",
        {
            "preparation": prepared,
            "choices": list(prepared.choices.select_related("domain")),
            "trajectory": trajectory,
            "can_open": access_to(request.user, trajectory).can_edit and trajectory.is_open,
        },
    )


@login_required
def plan(request: StaffRequest, trajectory_pk: int) -> HttpResponse:
    access = trajectory_access(request.user, trajectory_pk, need=PLAN_PARTS)
    trajectory = access.trajectory
    log_access(request, "read", "plan", trajectory.pk, trajectory.resident_id)
    return render(
        request,
        "instrument/plan.html",
        {
            "plan": resident_plan(access),
            "trajectory": trajectory,
            "appointment_form": AppointmentForm(
                initial={"next_appointment": trajectory.next_appointment}
            ),
            "can_edit": access.can_edit,
            "can_contribute": access.can_contribute,
            "goal_statuses": Goal.Status.choices,
            "resident_language": language(trajectory.resident.language),
            "language_form": LanguageForm(initial={"language": trajectory.resident.language}),
        },
    )


@login_required
@require_POST
def goal_progress(request: StaffRequest, trajectory_pk: int, goal_pk: int) -> HttpResponse:
    goal = goal_for_progress(request.user, trajectory_pk, goal_pk)
    try:
        services.add_goal_progress(
            goal, request.user, request.POST.get("note", ""), request.POST.get("status", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        log_access(request, "change", "goal", goal.pk, goal.trajectory.resident_id)
        messages.success(request, _("Your progress note is added to the plan."))
    return redirect("instrument:plan", goal.trajectory_id)


@login_required
def plan_pdf(request: StaffRequest, trajectory_pk: int) -> HttpResponse:
    access = trajectory_access(request.user, trajectory_pk, need=PLAN_PARTS)
    trajectory = access.trajectory
    log_access(request, "print", "plan", trajectory.pk, trajectory.resident_id)
    with speaking(trajectory.resident.language):
        pdf = render_plan_pdf(request, resident_plan(access))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="plan-{trajectory.pk}.pdf"'
    return response


@login_required
@require_POST
def set_wording(request: StaffRequest, pk: int) -> HttpResponse:
    """The professional switches a draft between the adult and the young people's
    wording of the catalogue ("" follows the resident's age again)."""
    measurement = measurement_access(request.user, pk, for_edit=True).measurement
    try:
        choose_wording(measurement, request.POST.get("wording", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        log_access(
            request, "change", "measurement", measurement.pk, measurement.trajectory.resident_id
        )
    return redirect(safe_next(request, reverse("instrument:board", args=[measurement.pk])))
