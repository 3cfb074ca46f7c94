"""The organisation admin's form for a new API client."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wattelt.organisations.models import Organisation, Team

SCOPE_LABELS = {
    "measurements:read": _("Read residents, trajectories, measurements, goals and consents"),
    "measurements:write": _("Record confirmed measurements"),
    "figures:read": _("Read the published monitoring figures"),
}


class ClientForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        help_text=_("Which system uses it, e.g. the name of your dossier system."),
    )
    team = forms.TypedChoiceField(label=_("For"), coerce=int, empty_value=None, required=False)
    scopes = forms.MultipleChoiceField(
        label=_("May"),
        choices=list(SCOPE_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, organisation: Organisation, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team_field = self.fields["team"]
        assert isinstance(team_field, forms.ChoiceField)
        teams = Team.objects.filter(organisation=organisation).order_by("name")
        team_field.choices = [
            ("", _("The whole organisation (every team)")),
            *((t.pk, t.name) for t in teams),
        ]
        self.teams = {t.pk: t for t in teams}

    def chosen_team(self) -> Team | None:
        team_id = self.cleaned_data.get("team")
        return self.teams.get(team_id) if team_id is not None else None
