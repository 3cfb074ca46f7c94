"""Conversation mode: the board handed to the resident on the professional's tablet, full
screen, without staff menus, search, other residents or staff-only fields. The session is
locked to this measurement's pages (`organisations.handover`, the feedback tablet's lock)
until the professional hands back with password and code. The pages are compressed: a
tablet on a weak connection loads the board within the 60 KB budget (`make bench`).
Confirming shows the resident a summary first and ends on the "what changed" screen. All
of it speaks the resident's language (residents/language.py), switchable on the way."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_POST

from wattelt.audit.services import log_access
from wattelt.organisations import handover
from wattelt.organisations.forms import ReauthenticateForm
from wattelt.residents.language import speaking
from wattelt.web import StaffRequest

from . import services
from .access import measurement_access, preparation_access
from .board import build_board, stored_input
from .changes import what_changed
from .models import Measurement
from .preparation import open_together
from .views import (
    CONVERSATION_LOCK,
    CONVERSATION_TEMPLATE,
    locked_to_measurement,
    render_board,
    resident_screen,
)


def _pages(measurement: Measurement) -> list[str]:
    """What the handed-over session reaches: this board's pages and the resident's own
    language switch."""
    names = ("conversation", "board", "summary", "what_changed", "conversation_return")
    pages = [reverse(f"instrument:{name}", args=[measurement.pk]) for name in names]
    resident = measurement.trajectory.resident_id
    return [*pages, reverse("residents:set_language", args=[resident])]


@gzip_page  # with Heal-the-BREACH padding: see docs/security.md
@login_required
def conversation(request: StaffRequest, pk: int) -> HttpResponse:
    """GET: the board for the resident. POST (the professional): hand the tablet over."""
    door = measurement_access(request.user, pk, for_edit=True if request.method == "POST" else None)
    measurement = door.measurement
    resident_id = measurement.trajectory.resident_id
    if request.method == "POST":
        return _hand_over(request, measurement)
    if not measurement.is_draft:
        return redirect("instrument:what_changed", measurement.pk)
    log_access(request, "read", "measurement", measurement.pk, resident_id)
    with speaking(measurement.trajectory.resident.language):
        return render_board(request, build_board(measurement), template=CONVERSATION_TEMPLATE)


def _hand_over(request: StaffRequest, measurement: Measurement) -> HttpResponse:
    """Lock the session to this board's pages and show the resident the board."""
    handover.lock(
        request,
        [CONVERSATION_LOCK, measurement.pk],
        _pages(measurement),
        back=reverse("instrument:board", args=[measurement.pk]),
    )
    log_access(request, "change", "measurement", measurement.pk, measurement.trajectory.resident_id)
    return redirect("instrument:conversation", measurement.pk)


@login_required
@require_POST
def open_preparation(request: StaffRequest, pk: int) -> HttpResponse:
    """ "Open together": the next measurement starts from the resident's preparation and
    the tablet goes to the resident in conversation mode (the topics on top)."""
    preparation = preparation_access(request.user, pk, for_edit=True)
    trajectory = preparation.trajectory
    try:
        measurement = open_together(preparation, request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("instrument:progress", trajectory.pk)
    log_access(request, "read", "preparation", preparation.pk, trajectory.resident_id)
    log_access(request, "create", "measurement", measurement.pk, trajectory.resident_id)
    return _hand_over(request, measurement)


@gzip_page  # with Heal-the-BREACH padding: see docs/security.md
@login_required
def summary(request: StaffRequest, pk: int) -> HttpResponse:
    """What will be confirmed, for the resident to see first; POST confirms it."""
    door = measurement_access(request.user, pk, for_edit=True)
    measurement = door.measurement
    resident_id = measurement.trajectory.resident_id
    if not measurement.is_draft:
        return redirect("instrument:what_changed", measurement.pk)
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = stored_input(measurement)
        try:
            data.revision = int(request.POST.get("revision", ""))
        except ValueError:
            data.revision = -1
        try:
            with speaking(measurement.trajectory.resident.language):
                services.confirm_measurement(measurement, request.user, data)
        except services.MeasurementConflict as conflict:
            errors = {"general": str(conflict)}
        except ValidationError as error:
            errors = {"general": " ".join(error.messages)}
        else:
            log_access(request, "change", "measurement", measurement.pk, resident_id)
            return redirect("instrument:what_changed", measurement.pk)
        measurement.refresh_from_db()
    else:
        log_access(request, "read", "measurement", measurement.pk, resident_id)
    board = build_board(measurement)
    context = {
        "board": board,
        "chosen": [row for row in board.rows if row.chosen],
        "errors": errors,
        "measurement_pk": measurement.pk,
        "locked": handover.is_locked(request),
        **resident_screen(request, measurement),
    }
    with speaking(measurement.trajectory.resident.language):
        return render(request, "instrument/summary.html", context, status=409 if errors else 200)


@gzip_page  # with Heal-the-BREACH padding: see docs/security.md
@login_required
def changed(request: StaffRequest, pk: int) -> HttpResponse:
    """After confirming: per domain a face then and now and an arrow; the grade then and
    now. For a start measurement, the faces and grade of today."""
    measurement = measurement_access(request.user, pk).measurement
    if measurement.status == Measurement.Status.DRAFT:
        return redirect("instrument:conversation", measurement.pk)
    log_access(request, "read", "measurement", measurement.pk, measurement.trajectory.resident_id)
    context = {
        "changes": what_changed(measurement),
        "measurement": measurement,
        "measurement_pk": measurement.pk,
        "locked": handover.is_locked(request),
        **resident_screen(request, measurement),
    }
    with speaking(measurement.trajectory.resident.language):
        return render(request, "instrument/what_changed.html", context)


@gzip_page  # with Heal-the-BREACH padding: see docs/security.md
@login_required
def conversation_return(request: StaffRequest, pk: int) -> HttpResponse:
    """The professional takes the tablet back with password and code."""
    measurement_access(request.user, pk, for_edit=True)
    board_url = reverse("instrument:board", args=[pk])
    if locked_to_measurement(request) != pk:
        return redirect(board_url)
    form = ReauthenticateForm(request.POST if request.method == "POST" else None)
    done = handover.take_back(request, request.user, form, board_url)
    if done is not None:
        return done
    return render(
        request,
        "instrument/conversation_return.html",
        {"form": form, "pk": pk, "measurement_pk": pk, "locked": True},
    )
