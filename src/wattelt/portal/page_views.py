"""The resident's own pages in Mijn Wat telt: home, plan (and its PDF), progress, who
looked, consents (and withdrawing one), the privacy statement. Each reads only through
the `owned_by(resident)` rules (own_file.py, looked.py) and logs every read of the
resident's data with the resident as actor (purpose OWN_VIEW)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wattelt.audit.refusals import NotVisible
from wattelt.audit.services import log_access
from wattelt.instrument.plan import render_plan_pdf
from wattelt.privacy.models import RetentionPolicy
from wattelt.residents import services as residents
from wattelt.residents.models import Trajectory

from . import looked
from .own_file import (
    own_consent,
    own_consents,
    own_plan,
    own_progress,
    own_trajectories,
    own_trajectory,
)
from .session import PortalRequest, resident_required
from .views import OWN_VIEW, portal_context

LOOKS_PER_PAGE = 20

T = TypeVar("T")

TILES = (
    # (section, URL name, label, pictogram); a tile whose URL does not exist yet is left out.
    ("plan", "portal:plan", gettext_lazy("My plan"), "plan"),
    ("progress", "portal:progress", gettext_lazy("How it is going"), "progress"),
    ("prepare", "portal:prepare", gettext_lazy("Prepare our next talk"), "prepare"),
    ("looked", "portal:looked", gettext_lazy("Who looked at my file"), "looked"),
    ("consents", "portal:consents", gettext_lazy("Sharing my data"), "consents"),
    ("feedback", "portal:feedback", gettext_lazy("What did you think?"), "feedback"),
    ("privacy", "portal:privacy", gettext_lazy("My privacy"), "privacy"),
)


def _tiles() -> list[dict[str, object]]:
    tiles: list[dict[str, object]] = []
    for section, name, label, icon in TILES:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue  # a part that has not landed yet (prepare, feedback)
        tiles.append({"section": section, "url": url, "label": str(label), "icon": icon})
    return tiles


def _per_trajectory(
    request: PortalRequest, kind: str, build: Callable[[Trajectory], T]
) -> tuple[list[T], list[T]]:
    """What the page shows of each of the resident's own trajectories (`build`), each
    read logged as `kind`: those of the open trajectories, then of the closed ones."""
    resident = request.portal_resident
    open_ones: list[T] = []
    closed_ones: list[T] = []
    for trajectory in own_trajectories(resident):
        log_access(request, "read", kind, trajectory.pk, resident.pk, purpose=OWN_VIEW)
        (open_ones if trajectory.is_open else closed_ones).append(build(trajectory))
    return open_ones, closed_ones


@resident_required
def home(request: PortalRequest) -> HttpResponse:
    resident = request.portal_resident
    log_access(request, "read", "resident", resident.pk, resident.pk, purpose=OWN_VIEW)
    open_ones = [t for t in own_trajectories(resident) if t.is_open]
    for trajectory in open_ones:
        log_access(request, "read", "trajectory", trajectory.pk, resident.pk, purpose=OWN_VIEW)
    return render(
        request,
        "portal/home.html",
        portal_context(request, portal_section="home", tiles=_tiles(), trajectories=open_ones),
    )


@resident_required
def plan(request: PortalRequest) -> HttpResponse:
    open_plans, closed_plans = _per_trajectory(request, "plan", own_plan)
    return render(
        request,
        "portal/plan.html",
        portal_context(
            request, portal_section="plan", open_plans=open_plans, closed_plans=closed_plans
        ),
    )


@resident_required
def plan_pdf(request: PortalRequest, trajectory_pk: int) -> HttpResponse:
    resident = request.portal_resident
    trajectory = own_trajectory(resident, trajectory_pk)
    if trajectory is None:
        # Someone else's (or no) trajectory: refused and on the record, without looking
        # up whose it would be.
        raise NotVisible("trajectory", trajectory_pk, action="print", purpose=OWN_VIEW)
    log_access(request, "print", "plan", trajectory.pk, resident.pk, purpose=OWN_VIEW)
    pdf = render_plan_pdf(request, own_plan(trajectory))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="plan-{trajectory.pk}.pdf"'
    return response


@resident_required
def progress(request: PortalRequest) -> HttpResponse:
    resident = request.portal_resident
    open_progress, closed_progress = _per_trajectory(
        request, "trajectory", lambda trajectory: own_progress(resident, trajectory)
    )
    return render(
        request,
        "portal/progress.html",
        portal_context(
            request,
            portal_section="progress",
            open_progress=open_progress,
            closed_progress=closed_progress,
        ),
    )


@resident_required
def looked_at(request: PortalRequest) -> HttpResponse:
    resident = request.portal_resident
    log_access(request, "read", "access_log", resident.pk, resident.pk, purpose=OWN_VIEW)
    page = Paginator(looked.others_looks(resident), LOOKS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "portal/looked.html",
        portal_context(
            request,
            portal_section="looked",
            page=page,
            looks=looked.in_words(list(page.object_list)),
            own_looks=looked.own_look_count(resident),
        ),
    )


@resident_required
def consents(request: PortalRequest) -> HttpResponse:
    resident = request.portal_resident
    given = own_consents(resident)
    for consent in given:
        log_access(request, "read", "consent", consent.pk, resident.pk, purpose=OWN_VIEW)
    return render(
        request,
        "portal/consents.html",
        portal_context(request, portal_section="consents", consents=given),
    )


@resident_required
def withdraw(request: PortalRequest, consent_pk: int) -> HttpResponse:
    """GET: are you sure? POST: the consent ends at once (and the specialist's access)."""
    resident = request.portal_resident
    consent = own_consent(resident, consent_pk)
    if consent is None:
        raise NotVisible("consent", consent_pk, purpose=OWN_VIEW)
    if request.method == "POST":
        try:
            residents.withdraw_consent_by_resident(consent, resident)
        except ValidationError:
            messages.info(request, _("This permission had already ended."))
        else:
            log_access(request, "change", "consent", consent.pk, resident.pk, purpose=OWN_VIEW)
            messages.success(
                request,
                _("You withdrew your permission. %(organisation)s can no longer see your data.")
                % {"organisation": consent.organisation},
            )
        return redirect("portal:consents")
    log_access(request, "read", "consent", consent.pk, resident.pk, purpose=OWN_VIEW)
    if not consent.is_active:
        return redirect("portal:consents")
    return render(
        request,
        "portal/withdraw.html",
        portal_context(request, portal_section="consents", consent=consent),
    )


@resident_required
def privacy_statement(request: PortalRequest) -> HttpResponse:
    resident = request.portal_resident
    trajectories = own_trajectories(resident)
    log_access(request, "read", "trajectories", "", resident.pk, purpose=OWN_VIEW)
    policy = (
        RetentionPolicy.objects.filter(organisation_id=resident.organisation_id).first()
        or RetentionPolicy()
    )
    keepers = sorted({t.team.organisation.name for t in trajectories})
    return render(
        request,
        "portal/privacy.html",
        portal_context(request, portal_section="privacy", policy=policy, keepers=keepers),
    )
