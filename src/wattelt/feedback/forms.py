from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SCALE, Question, Questionnaire
from .services import OPEN_ANSWER_MAX, QuestionInput, QuestionnaireInput


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class QuestionnaireForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=160)
    introduction = forms.CharField(
        label=_("Introduction"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown above the questions. Ask people not to write names."),
    )
    audience = forms.ChoiceField(
        label=_("For"), choices=Questionnaire.Audience.choices, widget=forms.RadioSelect
    )
    anonymous = forms.BooleanField(
        label=_("Anonymous"),
        required=False,
        help_text=_(
            "Anonymous: nobody can see who answered, not even which trajectory. Otherwise "
            "the answers are linked to the professional or the resident's trajectory."
        ),
    )
    repeat = forms.ChoiceField(
        label=_("A professional answers"),
        choices=Questionnaire.Repeat.choices,
        help_text=_("Residents answer once per link or tablet hand-over."),
    )
    opens_on = forms.DateField(label=_("Open from"), widget=DateInput())
    closes_on = forms.DateField(label=_("Open until"), required=False, widget=DateInput())

    def __init__(self, *args: Any, locked: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if locked:
            for name in ("audience", "anonymous"):
                self.fields[name].disabled = True

    def to_input(self) -> QuestionnaireInput:
        data = self.cleaned_data
        return QuestionnaireInput(
            title=data["title"],
            introduction=data["introduction"],
            audience=data["audience"],
            anonymous=data["anonymous"],
            repeat=data["repeat"],
            opens_on=data["opens_on"],
            closes_on=data["closes_on"],
        )


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("Question"), max_length=300, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=Question.Kind.choices, initial=Question.Kind.SCALE
    )
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)


# absolute_max: a posted form count (even "٢٠٢٦", which Django reads as 2026) never
# makes more forms than a questionnaire may have; Django's default allows 1,030.
QuestionFormSet = forms.formset_factory(
    QuestionForm,
    extra=3,
    can_order=True,
    can_delete=True,
    max_num=30,
    validate_max=True,
    absolute_max=30,
)


def questions_from(formset: Any) -> list[QuestionInput]:
    """The questions in the chosen order, without the deleted and the empty rows."""
    return [
        QuestionInput(
            text=form.cleaned_data["text"],
            kind=form.cleaned_data["kind"],
            required=form.cleaned_data["required"],
        )
        for form in formset.ordered_forms
        if form.cleaned_data.get("text", "").strip()
    ]


def question_initial(questions: Sequence[Question]) -> list[dict[str, object]]:
    return [
        {"text": q.text, "kind": q.kind, "required": q.required, "ORDER": n}
        for n, q in enumerate(questions, start=1)
    ]


SCALE_LABELS = {
    1: _("not at all"),
    2: _("a little"),
    3: _("partly"),
    4: _("mostly"),
    5: _("completely"),
}
"""The faces scale's words: each face has its word (feedback/_face.html draws the faces)."""


class AnswerForm(forms.Form):
    """One field per question ("q<id>"). All checks are the service's, which names the
    question in its message; the fields here only draw the form."""

    def __init__(self, questions: Sequence[Question], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scale = [(str(v), SCALE_LABELS[v]) for v in range(SCALE[0], SCALE[1] + 1)]
        for number, question in enumerate(questions, start=1):
            label = f"{number}. {question.text}"
            if not question.required:
                label += " " + str(_("(optional)"))
            field: forms.Field
            if question.kind == Question.Kind.SCALE:
                field = forms.CharField(
                    label=label,
                    required=False,
                    widget=forms.RadioSelect(choices=scale, attrs={"class": "scale"}),
                )
            else:
                field = forms.CharField(
                    label=label,
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 3, "maxlength": OPEN_ANSWER_MAX}),
                )
            self.fields[f"q{question.pk}"] = field
