"""Editing one section of the plan: the section's form(s) bound to a draft, how to save
them, and what the edit page shows when saving stores nothing (a conflict, bad input).
A save that stores nothing never starts a draft: coaches keep seeing what they saw."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from wattelt.organisations.models import Organisation, Staff

from . import forms, services
from .models import ImplementationPlan, PlanVersion

NEW_DRAFT = "new"
"""The posted "draft" when there was no draft to save into: saving then starts one."""


def _plain_number(value: object) -> str:
    if value is None:
        return ""
    text = f"{value:f}" if hasattr(value, "as_tuple") else str(value)
    return text.rstrip("0").rstrip(".") if "." in text else text


def _rows(draft: PlanVersion, related: str) -> list[Any]:
    # A version not stored (the first draft, discarded meanwhile) has no rows.
    return list(getattr(draft, related).all()) if draft.pk else []


def _members_form(draft: PlanVersion, data: Any) -> Any:
    initial = [{"key": m.key, "name": m.name, "role": m.role} for m in _rows(draft, "members")]
    return forms.MemberFormSet(data, initial=initial, prefix="rows")


def _goals_form(draft: PlanVersion, data: Any) -> Any:
    organisation = draft.plan.organisation
    initial = [
        {
            "key": g.key,
            "description": g.description,
            "indicator_key": g.indicator_key,
            "target": _plain_number(g.target),
            "target_date": g.target_date,
        }
        for g in _rows(draft, "goals")
    ]
    allowed = services.allowed_indicator_keys(draft) if draft.pk else set()
    allowed |= set(services.progress.available_indicators())
    return forms.GoalFormSet(
        data,
        initial=initial,
        prefix="rows",
        form_kwargs={
            "organisation": organisation,
            "allowed": allowed,
            "figures": services.progress.Figures(organisation),
        },
    )


def _target_groups_form(draft: PlanVersion, data: Any) -> Any:
    initial = [{"key": g.key, "name": g.name} for g in _rows(draft, "target_groups")]
    return forms.TargetGroupFormSet(data, initial=initial, prefix="rows")


def _planning_form(draft: PlanVersion, data: Any) -> Any:
    initial = [
        {
            "key": r.key,
            "year": r.year,
            "quarter": str(r.quarter),
            "activity": r.activity,
            "owner": r.owner,
            "cost": _plain_number(r.cost),
        }
        for r in _rows(draft, "planning")
    ]
    return forms.PlanningFormSet(data, initial=initial, prefix="rows")


ROW_FORMS: dict[str, Callable[[PlanVersion, Any], Any]] = {
    "projectgroep": _members_form,
    "doelen": _goals_form,
    "doelgroepen": _target_groups_form,
    "planning": _planning_form,
}
ROW_SAVES: dict[str, Callable[..., PlanVersion]] = {
    "projectgroep": services.save_members,
    "doelen": services.save_goals,
    "doelgroepen": services.save_target_groups,
    "planning": services.save_planning,
}


class SectionEditor:
    """The form(s) of one section, bound to a draft, and how to save them."""

    def __init__(self, section: str, draft: PlanVersion, data: Any = None) -> None:
        self.section = section
        self.draft = draft
        self.data = data
        self.form: Any = None
        self.matrix: list | None = None
        if section in ROW_FORMS:
            self.form = ROW_FORMS[section](draft, data)
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
        return ROW_SAVES[self.section](self.draft, by, self.form.rows(), revision)


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


def posted_revision(data: Mapping[str, Any]) -> int:
    """The revision the form was opened at; 0 for anything else, which never matches:
    the user is told the draft changed, and keeps the input."""
    try:
        return int(data.get("revision", ""))
    except ValueError:
        return 0


def _posted_draft(data: Mapping[str, Any], user: Staff) -> PlanVersion | None:
    """The draft the form was opened on (it may have been published since); None when
    it is gone (discarded meanwhile)."""
    try:
        pk = int(data.get("draft", ""))
    except ValueError:
        return None
    return PlanVersion.objects.visible_to(user).filter(pk=pk).first()


@dataclass
class Edit:
    """The edit page of one section: the editor on a draft, the hidden fields that say
    where saving goes, and why the last save stored nothing (if it did not)."""

    section: str
    editor: SectionEditor
    draft: PlanVersion
    draft_field: str
    revision: int
    conflict: str = ""
    errors: list[str] = field(default_factory=list)
    status: int = 200
    saved: bool = False

    def context(self) -> dict[str, Any]:
        draft = self.draft
        return {
            "section": self.section,
            "title": services.SECTIONS[self.section],
            "editor": self.editor,
            "draft": draft,
            "draft_field": self.draft_field,
            "revision": self.revision,
            "conflict": self.conflict,
            "errors": self.errors,
            "current": (
                services.plan_contents(draft, with_progress=False)
                if self.conflict and draft.pk
                else None
            ),
        }


def open_section(section: str, draft: PlanVersion) -> Edit:
    """The section of the current draft, as stored."""
    editor = SectionEditor(section, draft)
    return Edit(section, editor, draft, str(draft.pk), draft.section_revision(section))


def save_section(
    section: str, data: Mapping[str, Any], organisation: Organisation, by: Staff
) -> Edit:
    """Save what was posted into the draft it was opened on (or into a new draft, when
    the form says so). `saved` tells whether it was stored; if not, the Edit says why and
    where saving again goes (after a conflict: my version, on purpose, into the current
    draft)."""
    into_new = data.get("draft") == NEW_DRAFT
    posted = None if into_new else _posted_draft(data, by)
    revision = posted_revision(data)
    if posted is not None:
        draft, draft_field = posted, str(posted.pk)
    else:
        draft, draft_field, _unused = _save_target(organisation, section)
    edit = Edit(section, SectionEditor(section, draft, data), draft, draft_field, revision)
    if posted is None and not into_new:
        edit.editor.is_valid()  # show what is wrong with the input as well
        edit.conflict = _(
            "The draft you edited was discarded meanwhile. Your input was not saved; it "
            "is still below: save again to put it in a new draft."
        )
        edit.status = 409
    elif edit.editor.is_valid():
        _store(edit, into_new, organisation, by)
    else:
        edit.status = 400
    if edit.conflict:
        edit.draft, edit.draft_field, edit.revision = _save_target(organisation, section)
        edit.editor.draft = edit.draft
    return edit


def _store(edit: Edit, into_new: bool, organisation: Organisation, by: Staff) -> None:
    try:
        with transaction.atomic():  # the new draft only with what is saved in it
            if into_new:
                edit.editor.draft = services.start_draft(organisation, by)
            edit.editor.save(by, edit.revision)
    except services.PlanConflict as problem:
        edit.conflict = str(problem)
        edit.status = 409
    except ValidationError as error:
        edit.errors = error.messages
        edit.status = 400
    else:
        edit.saved = True
