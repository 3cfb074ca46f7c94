"""The professional's side of Mijn Wat telt, on the resident's page: invite the resident
(a code to read out, a QR code and link to hand over or print), see whether they have
access, and revoke it. Only the resident's team professionals (write rights through the
door); every step is in the access log."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from wattelt.audit.refusals import NotVisible, ReadOnly
from wattelt.audit.services import log_access
from wattelt.instrument.plan import PLAN_PARTS, render_plan_pdf, resident_plan
from wattelt.residents.access import resident_access, trajectory_access
from wattelt.residents.language import speaking
from wattelt.residents.models import Resident, Trajectory
from wattelt.web import StaffRequest

from . import invitations
from .models import Invitation


def may_manage_access(user: object, resident: Resident) -> bool:
    """The resident's team professionals: those who may record in one of the resident's
    trajectories."""
    return Trajectory.objects.editable_by(user).filter(resident=resident).exists()  # type: ignore[arg-type]


def _managed_resident(request: StaffRequest, pk: int) -> Resident:
    resident = resident_access(request.user, pk, for_edit=True).resident
    if not may_manage_access(request.user, resident):
        raise ReadOnly(
            "portal_access",
            resident.pk,
            resident.pk,
            "change",
            message=_("Only a professional of the resident's team can do this."),
        )
    return resident


@login_required
@require_POST
@never_cache
def invite(request: StaffRequest, pk: int) -> HttpResponse:
    """Make an invitation and show it once: the code to read out, and the QR code and
    link (on screen and on the printed handout, in the resident's language)."""
    resident = _managed_resident(request, pk)
    try:
        made = invitations.invite(resident, request.user)
    except invitations.InvitationRefused as refused:
        messages.error(request, str(refused))
        return redirect("residents:detail", resident.pk)
    log_access(request, "create", "portal_invitation", made.invitation.pk, resident.pk)
    link, handout = _handout(request, resident, made.token, made.invitation)
    response = render(
        request,
        "portal/staff_invitation.html",
        {
            "resident": resident,
            "invitation": made.invitation,
            "code": f"{made.code[:3]} {made.code[3:]}",
            "link": link,
            "token": made.token,
            "handout": handout,
        },
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _handout(
    request: StaffRequest, resident: Resident, token: str, invitation: Invitation
) -> tuple[str, str]:
    """The link and the printed invitation (QR code, link, steps; never the code), in
    the resident's language: shown on the invitation screen and printed with the plan."""
    link = request.build_absolute_uri(reverse("portal:invitation", args=[token]))
    qr = segno.make(link, error="m").svg_inline(scale=5, dark="#111827", omitsize=True)
    with speaking(resident.language) as language:
        handout = render_to_string(
            "portal/_invitation_handout.html",
            {
                "link": link,
                "qr": qr,
                "resident": resident,
                "language": language,
                "invitation_expires": invitation.expires_at,
            },
        )
    return link, handout


@lru_cache(maxsize=1)
def _handout_pdf_css() -> str:
    path = finders.find("portal/invitation_pdf.css")
    return Path(str(path)).read_text(encoding="utf-8") if path else ""


def _plan_trajectory(request: StaffRequest, resident: Resident) -> int:
    """The trajectory whose plan is printed: the professional's latest open one with
    the resident (else their latest)."""
    trajectory = (
        Trajectory.objects.editable_by(request.user)
        .filter(resident=resident)
        .order_by(F("ended_on").asc(nulls_first=True), "-started_on", "-pk")  # open first
        .first()
    )
    assert trajectory is not None  # _managed_resident checked there is one
    return trajectory.pk


@login_required
@require_POST
@never_cache
def invitation_plan_pdf(request: StaffRequest, pk: int) -> HttpResponse:
    """The resident's plan PDF with the invitation on its last page: the QR code, the
    link and the steps, in the resident's language (never the code). The invitation
    screen posts the token back; only an open invitation of this resident is printed."""
    resident = _managed_resident(request, pk)
    try:
        invitation = invitations.open_invitation_of(resident, request.POST.get("token", ""))
    except invitations.NotTheirs as other:
        raise NotVisible(
            "portal_invitation", other.invitation.pk, other.invitation.resident_id, "print"
        ) from None
    except invitations.InvitationRefused as refused:
        messages.error(request, str(refused))
        return redirect("residents:detail", resident.pk)
    access = trajectory_access(request.user, _plan_trajectory(request, resident), need=PLAN_PARTS)
    log_access(request, "print", "plan", access.trajectory.pk, resident.pk)
    _link, handout = _handout(request, resident, request.POST["token"], invitation)
    with speaking(resident.language):
        pdf = render_plan_pdf(
            request, resident_plan(access), appendix=handout, appendix_css=_handout_pdf_css()
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="plan-{access.trajectory.pk}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def revoke(request: StaffRequest, pk: int) -> HttpResponse:
    """End the resident's access: their passkeys and open invitations stop working."""
    resident = _managed_resident(request, pk)
    revoked = invitations.revoke_access(resident)
    log_access(request, "delete", "portal_access", resident.pk, resident.pk)
    messages.success(
        request,
        _("Access to Mijn Wat telt ended: %(n)s passkey(s) no longer work.") % {"n": revoked},
    )
    return redirect("residents:detail", resident.pk)
