"""Mijn Wat telt: preparing the next conversation at home. The resident fills in the
board of their open trajectory (conversation mode's board in preparing mode: choosing,
their own chip, what they want to talk about); the rules are instrument/preparation.py's.
Every read and write is logged with the resident as actor."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from wattelt.audit.services import log_access
from wattelt.instrument.preparation import (
    SEND,
    TOPICS_MAX_LENGTH,
    PreparationBoard,
    PreparationInvalid,
    open_trajectory,
    parse_preparation,
    preparation_board,
    save_preparation,
)

from .session import PortalRequest, resident_required
from .views import OWN_VIEW, portal_context

DONE = {"saved", "sent"}


@resident_required
def prepare(request: PortalRequest) -> HttpResponse:
    """GET: the board to prepare on. POST: save it (action "save") or send it to the
    professional (action "send"); bad input shows the board again with the messages."""
    resident = request.portal_resident
    trajectory = open_trajectory(resident)
    if trajectory is None:
        log_access(request, "read", "trajectories", "", resident.pk, purpose=OWN_VIEW)
        return _render(request, None)
    if request.method == "POST":
        send = request.POST.get("action") == SEND
        try:
            posted = parse_preparation(trajectory, request.POST)
            preparation = save_preparation(trajectory, posted, send)
        except PreparationInvalid as invalid:
            board = preparation_board(trajectory, invalid.posted, invalid.errors)
            return _render(request, board, status=400)
        log_access(request, "change", "preparation", preparation.pk, resident.pk, purpose=OWN_VIEW)
        done = "sent" if send else "saved"
        return redirect(f"{reverse('portal:prepare')}?{urlencode({'done': done})}")
    board = preparation_board(trajectory)
    if board.preparation is not None:
        log_access(
            request, "read", "preparation", board.preparation.pk, resident.pk, purpose=OWN_VIEW
        )
    if board.previous is not None:  # last time's chips are the ghosts
        log_access(request, "read", "measurement", board.previous.pk, resident.pk, purpose=OWN_VIEW)
    return _render(request, board)


def _render(
    request: PortalRequest, board: PreparationBoard | None, status: int = 200
) -> HttpResponse:
    done = request.GET.get("done", "")
    context = portal_context(
        request,
        portal_section="prepare",
        board=board,
        data=board.data if board else None,
        perspectives=["resident"],
        form_action=reverse("portal:prepare"),
        topics_max_length=TOPICS_MAX_LENGTH,
        done=done if done in DONE and status == 200 else "",
    )
    return render(request, "portal/prepare.html", context, status=status)
