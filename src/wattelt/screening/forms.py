"""The draw form, the screening form and the discussion form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wattelt.organisations.models import Organisation, Team
from wattelt.web import DateInput

from .models import QUESTION_LABELS, Answer
from .services import ALLOWED_ANSWERS, MAX_SAMPLE, SEED_MAX


class SampleForm(forms.Form):
    start = forms.DateField(
        label=_("Period from"),
        widget=DateInput(),
        error_messages={"required": _("Give the first day of the period.")},
    )
    end = forms.DateField(
        label=_("Period until"),
        widget=DateInput(),
        error_messages={"required": _("Give the last day of the period.")},
    )
    size = forms.IntegerField(
        label=_("Number of dossiers"),
        widget=forms.NumberInput(),
        help_text=_("Divided over the teams in proportion to their number of trajectories."),
        max_value=MAX_SAMPLE,
        error_messages={
            "required": _("Give the number of dossiers to draw."),
            "invalid": _("The sample size is a whole number."),
            "max_value": _("Draw at most %(limit_value)s dossiers per round."),
        },
    )
    teams = forms.TypedMultipleChoiceField(
        label=_("Teams"),
        help_text=_("Leave empty to draw from all teams."),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Unknown team: choose a team of your organisation.")},
    )
    seed = forms.IntegerField(
        label=_("Seed (optional)"),
        widget=forms.NumberInput(),
        help_text=_(
            "Only to repeat an earlier round (same period and number); "
            "otherwise a new seed is chosen."
        ),
        required=False,
        min_value=0,
        max_value=SEED_MAX,
        error_messages={
            "invalid": _("The seed is a whole number."),
            "min_value": _("The seed is a whole number from 0."),
            "max_value": _("The seed is too large."),
        },
    )

    def __init__(self, data: Any, organisation: Organisation) -> None:
        super().__init__(data)
        self.team_objects = {t.pk: t for t in Team.objects.filter(organisation=organisation)}
        field = self.fields["teams"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(t.pk, t.name) for t in self.team_objects.values()]

    def chosen_teams(self) -> list[Team]:
        return [self.team_objects[pk] for pk in self.cleaned_data.get("teams", [])]


def _answer_field(name: str) -> forms.ChoiceField:
    label = QUESTION_LABELS[name]
    choices = [(v, label) for v, label in Answer.choices if v in ALLOWED_ANSWERS[name]]
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Answer this question."),
            "invalid_choice": _("Choose one of the answers."),
        },
    )


class ReviewForm(forms.Form):
    start_registered = _answer_field("start_registered")
    follow_up_registered = _answer_field("follow_up_registered")
    goals_own_words = _answer_field("goals_own_words")
    goals_match_priorities = _answer_field("goals_match_priorities")
    follow_up_on_time = _answer_field("follow_up_on_time")
    notes = forms.CharField(
        label=_("Notes for the conversation with the professional"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class DiscussionForm(forms.Form):
    note = forms.CharField(
        label=_("What did you agree? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
