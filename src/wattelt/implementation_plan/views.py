"""The implementation plan on screen and as PDF. Organisation admins and quality officers
edit the draft and publish; team coaches read the draft too; professionals read the
published versions; everyone else gets 404 (see models.plan_rights)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wattelt.web import StaffRequest

from . import editor, services
from .models import PlanRights, PlanVersion, plan_rights
from .pdf import render_plan_pdf


def _rights(request: StaffRequest) -> PlanRights:
    rights = plan_rights(request.user)
    if rights is None:
        raise Http404
    return rights


def _editor_rights(request: StaffRequest) -> PlanRights:
    """Editors only: 403 for those who may read the draft, 404 for the rest."""
    rights = _rights(request)
    if not rights.edit:
        if rights.read_draft:
            raise PermissionDenied
        raise Http404
    return rights


def _version_context(version: PlanVersion) -> dict[str, Any]:
    return {
        "version": version,
        "contents": services.plan_contents(version),
        "changes": services.describe_changes(version.changes),
        "sections": services.SECTIONS,
    }


@login_required
def plan(request: StaffRequest) -> HttpResponse:
    """The plan as it stands: the draft for those who may read it, else the latest
    published version."""
    rights = _rights(request)
    draft = services.current_draft(rights.organisation_id) if rights.read_draft else None
    published = services.latest_published(rights.organisation_id)
    shown = draft or published
    context: dict[str, Any] = {
        "rights": rights,
        "draft": draft,
        "published": published,
        "editing": draft is not None and rights.edit,
    }
    if shown is not None:
        context.update(_version_context(shown))
    return render(request, "implementation_plan/plan.html", context)


@login_required
@require_POST
def start_draft(request: StaffRequest) -> HttpResponse:
    _editor_rights(request)
    services.start_draft(request.user.organisation, request.user)  # type: ignore[arg-type]
    return redirect("implementation_plan:plan")


@login_required
def edit_section(request: StaffRequest, section: str) -> HttpResponse:
    """Save one section. A save that stores nothing (a conflict, bad input) never
    starts a draft: coaches keep seeing what they saw."""
    rights = _editor_rights(request)
    if section not in services.SECTIONS:
        raise Http404
    if request.method == "POST":
        organisation = request.user.organisation
        assert organisation is not None
        edit = editor.save_section(section, request.POST, organisation, request.user)
        if edit.saved:
            messages.success(
                request,
                _("%(section)s is saved in the draft.") % {"section": services.SECTIONS[section]},
            )
            return redirect(reverse("implementation_plan:plan") + f"#{section}")
    else:
        current = services.current_draft(rights.organisation_id)
        if current is None:
            messages.info(request, _("Start a new draft first; the published version stays."))
            return redirect("implementation_plan:plan")
        edit = editor.open_section(section, current)
    return render(request, "implementation_plan/edit.html", edit.context(), status=edit.status)


@login_required
def publish(request: StaffRequest) -> HttpResponse:
    rights = _editor_rights(request)
    draft = services.current_draft(rights.organisation_id)
    if draft is None:
        messages.info(request, _("There is no draft to publish."))
        return redirect("implementation_plan:plan")
    status = 200
    error = ""
    note = ""
    if request.method == "POST":
        note = request.POST.get("note", "")[:2000]
        try:
            version = services.publish(
                draft, request.user, editor.posted_revision(request.POST), note
            )
        except services.PlanConflict as conflict:
            error = str(conflict)
            status = 409
            draft = services.current_draft(rights.organisation_id) or draft
        except ValidationError as problem:
            error = " ".join(problem.messages)
            status = 400
        else:
            messages.success(request, _("Version %(n)s is published.") % {"n": version.number})
            return redirect("implementation_plan:version", number=version.number)
    previous = services.latest_published(rights.organisation_id)
    context = {
        "draft": draft,
        "previous": previous,
        "changes": services.describe_changes(services.plan_changes(draft, previous)),
        "error": error,
        "note": note,
    }
    return render(request, "implementation_plan/publish.html", context, status=status)


@login_required
@require_POST
def discard(request: StaffRequest) -> HttpResponse:
    rights = _editor_rights(request)
    draft = services.current_draft(rights.organisation_id)
    if draft is None:
        return redirect("implementation_plan:plan")
    try:
        services.discard_draft(draft, request.user, editor.posted_revision(request.POST))
    except services.PlanConflict as conflict:
        messages.error(request, str(conflict))
    else:
        messages.success(request, _("The draft is discarded."))
    return redirect("implementation_plan:plan")


@login_required
def versions(request: StaffRequest) -> HttpResponse:
    rights = _rights(request)
    published = services.published_versions(request.user, rights.organisation_id)
    rows = [(v, services.describe_changes(v.changes)) for v in published]
    return render(request, "implementation_plan/versions.html", {"rows": rows})


def _published_version(request: StaffRequest, number: int) -> PlanVersion:
    _rights(request)
    version = services.published_version(request.user, number)
    if version is None:
        raise Http404
    return version


@login_required
def version(request: StaffRequest, number: int) -> HttpResponse:
    shown = _published_version(request, number)
    latest = services.latest_published(shown.plan.organisation_id)
    context = {**_version_context(shown), "latest": latest}
    return render(request, "implementation_plan/version.html", context)


@login_required
def version_pdf(request: StaffRequest, number: int) -> HttpResponse:
    shown = _published_version(request, number)
    pdf = render_plan_pdf(request, shown, services.plan_contents(shown))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="implementatieplan-v{number}.pdf"'
    return response
