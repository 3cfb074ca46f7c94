"""The implementation plan on screen and as PDF. Organisation admins and quality officers
edit the draft and publish; team coaches read the draft too; professionals read the
published versions; everyone else gets 404 (see models.plan_rights)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wattelt.organisations.models import Organisation
from wattelt.web import StaffRequest

from . import forms, services
from .models import ImplementationPlan, PlanRights, PlanVersion, plan_rights
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


def _revision(request: StaffRequest) -> int:
    try:
        return int(request.POST.get("revision", ""))
    except ValueError:
        return 0  # never matches: the user is told the draft changed, and keeps the input


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


def _posted_draft(request: StaffRequest) -> PlanVersion | None:
    """The draft the form was opened on (it may have been published since); None when
    it is gone (discarded meanwhile)."""
    try:
        pk = int(request.POST.get("draft", ""))
    except ValueError:
        return None
    return PlanVersion.objects.visible_to(request.user).filter(pk=pk).first()


class SectionEditor:
    """The form(s) of one section, bound to a draft, and how to save them."""

    def __init__(self, section: str, draft: PlanVersion, data: Any = None) -> None:
        self.section = section
        self.draft = draft
        self.data = data
        self.form: Any = None
        self.matrix: list | None = None
        organisation = draft.plan.organisation

        def rows(related: str) -> list[Any]:
            # A version not stored (the first draft, discarded meanwhile) has no rows.
            return list(getattr(draft, related).all()) if draft.pk else []

        if section == "projectgroep":
            initial = [{"key": m.key, "name": m.name, "role": m.role} for m in rows("members")]
            self.form = forms.MemberFormSet(data, initial=initial, prefix="rows")
        elif section == "doelen":
            initial = [
                {
                    "key": g.key,
                    "description": g.description,
                    "indicator_key": g.indicator_key,
                    "target": _plain_number(g.target),
                    "target_date": g.target_date,
                }
                for g in rows("goals")
            ]
            allowed = services.allowed_indicator_keys(draft) if draft.pk else set()
            allowed |= set(services.progress.available_indicators())
            self.form = forms.GoalFormSet(
                data,
                initial=initial,
                prefix="rows",
                form_kwargs={
                    "organisation": organisation,
                    "allowed": allowed,
                    "figures": services.progress.Figures(organisation),
                },
            )
        elif section == "doelgroepen":
            initial = [{"key": g.key, "name": g.name} for g in rows("target_groups")]
            self.form = forms.TargetGroupFormSet(data, initial=initial, prefix="rows")
        elif section == "planning":
            initial = [
                {
                    "key": r.key,
                    "year": r.year,
                    "quarter": str(r.quarter),
                    "activity": r.activity,
                    "owner": r.owner,
                    "cost": _plain_number(r.cost),
                }
                for r in rows("planning")
            ]
            self.form = forms.PlanningFormSet(data, initial=initial, prefix="rows")
        elif section in services.TEXT_FIELDS:
            texts = {name: getattr(draft, name) for name in services.TEXT_FIELDS[section]}
            self.form = forms.TextForm(section, data, initial=texts)
        else:  # the matrix
            self.matrix = forms.matrix_rows(draft, data) if draft.pk else []

    def is_valid(self) -> bool:
        return self.form is None or bool(self.form.is_valid())

    def save(self, by: Any, revision: int) -> PlanVersion:
        if self.section == "activiteiten":
            return services.save_matrix(self.draft, by, forms.parse_matrix(self.data), revision)
        if self.section in services.TEXT_FIELDS:
            return services.save_texts(
                self.draft, by, self.section, self.form.cleaned_data, revision
            )
        save = {
            "projectgroep": services.save_members,
            "doelen": services.save_goals,
            "doelgroepen": services.save_target_groups,
            "planning": services.save_planning,
        }[self.section]
        return save(self.draft, by, self.form.rows(), revision)  # type: ignore[operator]


def _plain_number(value: object) -> str:
    if value is None:
        return ""
    text = f"{value:f}" if hasattr(value, "as_tuple") else str(value)
    return text.rstrip("0").rstrip(".") if "." in text else text


NEW_DRAFT = "new"
"""The posted "draft" when there was no draft to save into: saving then starts one."""


def _save_target(organisation: Organisation, section: str) -> tuple[PlanVersion, str, int]:
    """Where saving again goes after a conflict: the current draft (whoever started it)
    at its revision of the section, or, when there is none, a new draft that is started
    only when the user saves again (`NEW_DRAFT`; what it would hold is the latest
    published version). Returns (the version shown, the "draft" field, the revision)."""
    current = services.current_draft(organisation.pk)
    if current is not None:
        return current, str(current.pk), current.section_revision(section)
    base = services.latest_published(organisation.pk)
    if base is None:
        plan = ImplementationPlan.objects.filter(organisation=organisation).first()
        base = PlanVersion(plan=plan or ImplementationPlan(organisation=organisation))
    return base, NEW_DRAFT, PlanVersion(plan=base.plan).section_revision(section)


@login_required
def edit_section(request: StaffRequest, section: str) -> HttpResponse:
    """Save one section. A save that stores nothing (a conflict, bad input) never
    starts a draft: coaches keep seeing what they saw."""
    rights = _editor_rights(request)
    if section not in services.SECTIONS:
        raise Http404
    status = 200
    conflict = ""
    errors: list[str] = []
    if request.method == "POST":
        organisation = request.user.organisation
        assert organisation is not None
        into_new = request.POST.get("draft") == NEW_DRAFT
        posted = None if into_new else _posted_draft(request)
        revision = _revision(request)
        if posted is not None:
            draft, draft_field = posted, str(posted.pk)
        else:
            draft, draft_field, _unused = _save_target(organisation, section)
        editor = SectionEditor(section, draft, request.POST)
        if posted is None and not into_new:
            editor.is_valid()  # show what is wrong with the input as well
            conflict = _(
                "The draft you edited was discarded meanwhile. Your input was not saved; it "
                "is still below: save again to put it in a new draft."
            )
            status = 409
        elif editor.is_valid():
            try:
                with transaction.atomic():  # the new draft only with what is saved in it
                    if into_new:
                        editor.draft = services.start_draft(organisation, request.user)
                    editor.save(request.user, revision)
            except services.PlanConflict as problem:
                conflict = str(problem)
                status = 409
            except ValidationError as error:
                errors = error.messages
                status = 400
            else:
                messages.success(
                    request,
                    _("%(section)s is saved in the draft.")
                    % {"section": services.SECTIONS[section]},
                )
                return redirect(reverse("implementation_plan:plan") + f"#{section}")
        else:
            status = 400
        if conflict:
            # Saving again now means: my version, on purpose, into the current draft.
            draft, draft_field, revision = _save_target(organisation, section)
            editor.draft = draft
    else:
        current = services.current_draft(rights.organisation_id)
        if current is None:
            messages.info(request, _("Start a new draft first; the published version stays."))
            return redirect("implementation_plan:plan")
        draft, draft_field = current, str(current.pk)
        editor = SectionEditor(section, draft)
        revision = draft.section_revision(section)
    context = {
        "section": section,
        "title": services.SECTIONS[section],
        "editor": editor,
        "draft": draft,
        "draft_field": draft_field,
        "revision": revision,
        "conflict": conflict,
        "errors": errors,
        "current": (
            services.plan_contents(draft, with_progress=False) if conflict and draft.pk else None
        ),
    }
    return render(request, "implementation_plan/edit.html", context, status=status)


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
            version = services.publish(draft, request.user, _revision(request), note)
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
        services.discard_draft(draft, request.user, _revision(request))
    except services.PlanConflict as conflict:
        messages.error(request, str(conflict))
    else:
        messages.success(request, _("The draft is discarded."))
    return redirect("implementation_plan:plan")


@login_required
def versions(request: StaffRequest) -> HttpResponse:
    rights = _rights(request)
    published = list(
        PlanVersion.objects.visible_to(request.user)
        .published()
        .filter(plan__organisation_id=rights.organisation_id)
        .select_related("published_by")
        .order_by("-number")
    )
    rows = [(v, services.describe_changes(v.changes)) for v in published]
    return render(request, "implementation_plan/versions.html", {"rows": rows})


def _published_version(request: StaffRequest, number: int) -> PlanVersion:
    _rights(request)
    version = (
        PlanVersion.objects.visible_to(request.user)
        .published()
        .select_related("published_by", "plan__organisation")
        .filter(number=number)
        .first()
    )
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
