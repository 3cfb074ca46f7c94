"""The editing screens of the plan: one form (or formset) per section. Rows are plain
formsets that work without JavaScript (two empty rows to fill in, a box to remove a
row); the checks are the service's, shown per field."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wattelt.organisations.models import Organisation

from . import progress, services
from .models import Phase, PlanVersion

EXTRA_ROWS = 2
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%y"]
_AMOUNT = re.compile(r"^\d+([.,]\d{1,2})?$")
_DUTCH_THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+(,\d{1,2})?$")


def parse_amount(text: str) -> Decimal:
    """An amount as people type it: 1250, 1250,50, 1.250,50, € 1250, -50."""
    cleaned = text.replace("€", "").replace(" ", "").replace("\u00a0", "").strip()
    negative = cleaned.startswith("-")
    cleaned = cleaned.lstrip("-")
    if _DUTCH_THOUSANDS.match(cleaned):
        cleaned = cleaned.replace(".", "")
    if not _AMOUNT.match(cleaned):
        raise ValueError(text)
    try:
        value = Decimal(cleaned.replace(",", "."))
    except InvalidOperation as error:  # pragma: no cover - the pattern rules it out
        raise ValueError(text) from error
    return -value if negative else value


class KeyMixin(forms.Form):
    key = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

    def clean_key(self) -> uuid.UUID | None:
        value: uuid.UUID | None = self.cleaned_data.get("key")
        return value


def _show_errors(form: forms.Form, errors: dict[str, str]) -> None:
    for name, message in errors.items():
        if name not in form.errors:
            form.add_error(name if name in form.fields else None, message)


class MemberForm(KeyMixin):
    name = forms.CharField(label=gettext_lazy("Name"), required=False, max_length=120)
    role = forms.CharField(
        label=gettext_lazy("Role in the project group"), required=False, max_length=160
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            _show_errors(self, services.member_errors(self.to_input()))
        return data

    def to_input(self) -> services.MemberInput:
        d = self.cleaned_data
        return services.MemberInput(d.get("name", ""), d.get("role", ""), d.get("key"))


class GoalForm(KeyMixin):
    description = forms.CharField(
        label=gettext_lazy("Goal"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("What do you want to reach, and when?"),
    )
    indicator_key = forms.ChoiceField(
        label=gettext_lazy("Measured by (optional)"), required=False, choices=()
    )
    target = forms.CharField(label=gettext_lazy("Target value"), required=False, max_length=20)
    target_date = forms.DateField(
        label=gettext_lazy("Target date"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "invalid": gettext_lazy("Give the date as day-month-year, for example 1-7-2027.")
        },
    )

    def __init__(
        self,
        *args: Any,
        organisation: Organisation,
        allowed: set[str],
        figures: progress.Figures | None = None,
        **kwargs: Any,
    ) -> None:
        """`figures`: shared by the rows of a formset, so each indicator's unit is
        asked of the API once, not once per goal."""
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.allowed = allowed
        self.figures = figures or progress.Figures(organisation)
        available = progress.available_indicators()
        choices = [("", _("— not linked to a figure —")), *available.items()]
        choices += [
            (key, _("%(key)s (no longer available)") % {"key": key})
            for key in sorted(allowed - set(available))
        ]
        field = self.fields["indicator_key"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices
        field.error_messages["invalid_choice"] = _("Choose an indicator from the list.")

    def clean_target(self) -> Decimal | None:
        text = self.cleaned_data.get("target", "").strip()
        if not text:
            return None
        try:
            return parse_amount(text.rstrip("%").strip())
        except ValueError:
            raise ValidationError(_("Give the target as a number, for example 80.")) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            key = data.get("indicator_key", "")
            unit = self.figures.unit(key) if key else None
            _show_errors(self, services.goal_errors(self.to_input(), unit, self.allowed))
        return data

    def to_input(self) -> services.GoalInput:
        d = self.cleaned_data
        return services.GoalInput(
            description=d.get("description", ""),
            indicator_key=d.get("indicator_key", ""),
            target=d.get("target"),
            target_date=d.get("target_date"),
            key=d.get("key"),
        )


class TargetGroupForm(KeyMixin):
    name = forms.CharField(label=gettext_lazy("Target group"), required=False, max_length=120)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            _show_errors(self, services.target_group_errors(self.to_input()))
        return data

    def to_input(self) -> services.TargetGroupInput:
        return services.TargetGroupInput(
            self.cleaned_data.get("name", ""), self.cleaned_data.get("key")
        )


QUARTERS = [("1", "K1"), ("2", "K2"), ("3", "K3"), ("4", "K4")]


class PlanningForm(KeyMixin):
    year = forms.IntegerField(
        label=gettext_lazy("Year"),
        required=False,
        error_messages={"invalid": gettext_lazy("Give the year as a number, for example 2027.")},
    )
    quarter = forms.ChoiceField(
        label=gettext_lazy("Quarter"),
        required=False,
        choices=[("", "—"), *QUARTERS],
        error_messages={"invalid_choice": gettext_lazy("Choose quarter 1, 2, 3 or 4.")},
    )
    activity = forms.CharField(label=gettext_lazy("Activity"), required=False, max_length=300)
    owner = forms.CharField(label=gettext_lazy("Who"), required=False, max_length=160)
    cost = forms.CharField(label=gettext_lazy("Cost (euro)"), required=False, max_length=20)

    def clean_cost(self) -> Decimal:
        text = self.cleaned_data.get("cost", "").strip()
        if not text:
            return Decimal(0)
        try:
            return parse_amount(text)
        except ValueError:
            raise ValidationError(
                _("Give the cost in euros, for example 1250 or 1.250,50.")
            ) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            if data.get("year") is None:
                self.add_error("year", _("Give the year."))
            if not data.get("quarter"):
                self.add_error("quarter", _("Choose quarter 1, 2, 3 or 4."))
            if not self.errors:
                _show_errors(self, services.planning_errors(self.to_input()))
        return data

    def to_input(self) -> services.PlanningInput:
        d = self.cleaned_data
        return services.PlanningInput(
            year=d.get("year") or 0,
            quarter=int(d.get("quarter") or 0),
            activity=d.get("activity", ""),
            owner=d.get("owner", ""),
            cost=d.get("cost") or Decimal(0),
            key=d.get("key"),
        )


class RowFormSet(forms.BaseFormSet):
    """Rows in order: the existing ones and the filled-in new ones; a row with the
    remove box ticked is left out."""

    def rows(self) -> list[Any]:
        return [
            form.to_input()  # type: ignore[attr-defined]
            for n, form in enumerate(self.forms)
            if (n < self.initial_form_count() or form.has_changed())
            and not self._should_delete_form(form)  # type: ignore[attr-defined]
        ]


def _formset(form: type[forms.Form]) -> Any:
    return forms.formset_factory(
        form, formset=RowFormSet, extra=EXTRA_ROWS, can_delete=True, max_num=200, absolute_max=250
    )


MemberFormSet = _formset(MemberForm)
GoalFormSet = _formset(GoalForm)
TargetGroupFormSet = _formset(TargetGroupForm)
PlanningFormSet = _formset(PlanningForm)


class TextForm(forms.Form):
    """The free-text parts: analysis, opportunities and threats, evaluation."""

    HELP = {
        "current_practice": gettext_lazy(
            "How do professionals talk with residents now, and how is progress followed? "
            "How does that differ from Wat telt, and what does that mean for the "
            "implementation?"
        ),
        "opportunities": gettext_lazy(
            "One per line: about the target groups, the instrument, the organisation and "
            "the local context."
        ),
        "threats": gettext_lazy("One per line."),
        "evaluation": gettext_lazy(
            "From whom do you collect information about how the implementation goes, with "
            "which questions, when, and how do you adjust the plan?"
        ),
    }

    def __init__(self, section: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in services.TEXT_FIELDS[section]:
            self.fields[name] = forms.CharField(
                label=services.TEXT_LABELS[name],
                required=False,
                max_length=20_000,
                help_text=self.HELP[name],
                widget=forms.Textarea(attrs={"rows": 8}),
            )


# --- The matrix: one text box per cell, one activity per line ------------------------

CELL_PREFIX = "cell-"


def cell_name(group_key: object, phase: str) -> str:
    return f"{CELL_PREFIX}{group_key}-{phase}"


def parse_matrix(post: QueryDict) -> dict[tuple[str, str], list[str]]:
    """(target group key, phase) -> activities, from the posted cells. Names that do not
    parse are kept as they are, so the service refuses them with a clear message."""
    cells: dict[tuple[str, str], list[str]] = {}
    for name in post:
        if not name.startswith(CELL_PREFIX):
            continue
        value = str(post.get(name, ""))
        group_key, _sep, phase = name[len(CELL_PREFIX) :].rpartition("-")
        lines = [line.strip().lstrip("-•*").strip() for line in value.splitlines()]
        cells[(group_key, phase)] = [line for line in lines if line]
    return cells


def matrix_rows(
    version: PlanVersion, posted: QueryDict | None = None
) -> list[tuple[Phase, list[tuple[str, str, str]]]]:
    """For the editing grid: per phase, per target group (name, field name, text)."""
    groups = list(version.target_groups.all())
    texts: dict[tuple[int, str], list[str]] = {}
    for activity in version.activities.all():
        texts.setdefault((activity.target_group_id, activity.phase), []).append(activity.text)
    rows = []
    for phase in Phase:
        cells = []
        for group in groups:
            name = cell_name(group.key, phase.value)
            if posted is not None:
                text = posted.get(name, "")
            else:
                text = "\n".join(texts.get((group.pk, phase.value), []))
            cells.append((group.name, name, text))
        rows.append((phase, cells))
    return rows
