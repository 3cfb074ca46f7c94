"""The professional's side of Mijn Wat telt, on the resident's page: invite the resident
(a code to read out, a QR code and link to hand over or print), see whether they have
access, and revoke it. Only the resident's team professionals (write rights through the
door); every step is in the access log."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from wattelt.audit.refusals import ReadOnly
from wattelt.audit.services import log_access
from wattelt.residents.access import resident_access
from wattelt.residents.language import speaking
from wattelt.residents.models import Resident, Trajectory
from wattelt.web import StaffRequest

from . import invitations


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
    link = request.build_absolute_uri(reverse("portal:invitation", args=[made.token]))
    qr = segno.make(link, error="m").svg_inline(scale=5, dark="#111827", omitsize=True)
    with speaking(resident.language) as language:
        handout = render_to_string(
            "portal/_invitation_handout.html",
            {
                "link": link,
                "qr": qr,
                "resident": resident,
                "language": language,
                "invitation_expires": made.invitation.expires_at,
            },
        )
    response = render(
        request,
        "portal/staff_invitation.html",
        {
            "resident": resident,
            "invitation": made.invitation,
            "code": f"{made.code[:3]} {made.code[3:]}",
            "link": link,
            "qr": qr,
            "handout": handout,
        },
    )
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
