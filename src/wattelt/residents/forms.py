"""Forms for registering residents and opening and closing trajectories."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wattelt.bounds import NOTE_MAX_LENGTH
from wattelt.organisations import roles
from wattelt.organisations.models import District, Membership, Organisation, Staff, Team
from wattelt.web import DateInput

from .language import DEFAULT as DEFAULT_LANGUAGE
from .language import RESIDENT_LANGUAGES
from .models import Resident, Trajectory
from .selectors import teams_to_open_in


class ResidentForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=80)
    last_name = forms.CharField(label=_("Last name"), max_length=120)
    date_of_birth = forms.DateField(label=_("Date of birth"), widget=DateInput())
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.none())
    bsn = forms.CharField(
        label=_("BSN (optional)"),
        max_length=11,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    language = forms.ChoiceField(
        label=_("Language of the resident's screens"),
        choices=RESIDENT_LANGUAGES,
        initial=DEFAULT_LANGUAGE,
        required=False,
        help_text=_("Conversation mode, the plan and feedback speak this language."),
    )
    team = forms.ModelChoiceField(
        label=_("Start a trajectory in team"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("(not now)"),
    )

    def __init__(self, *args: Any, user: Staff, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation = user.organisation
        district_field = self.fields["district"]
        team_field = self.fields["team"]
        assert isinstance(district_field, forms.ModelChoiceField)
        assert isinstance(team_field, forms.ModelChoiceField)
        if organisation is not None:
            district_field.queryset = District.objects.filter(
                municipality_id=organisation.municipality_id
            )
        team_field.queryset = professional_teams(user)
        team_field.initial = team_field.queryset.first()


def professional_teams(user: Staff) -> Any:
    return Team.objects.filter(pk__in=roles.professional_team_ids(user))


class ResponsibleForm(forms.Form):
    responsible = forms.ModelChoiceField(
        label=_("Responsible professional"),
        queryset=Staff.objects.none(),
    )

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["responsible"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Staff.objects.filter(
            memberships__team=team, memberships__role=Membership.Role.PROFESSIONAL
        ).order_by("first_name", "last_name")


class OpenTrajectoryForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())
    started_on = forms.DateField(
        label=_("Start date"), widget=DateInput(), initial=timezone.localdate
    )

    def __init__(self, *args: Any, user: Staff, resident: Resident, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team_field = self.fields["team"]
        assert isinstance(team_field, forms.ModelChoiceField)
        # Not offered where the resident has an open trajectory; a stale page that still
        # posts such a team gets the service's refusal with a link to the open one.
        team_field.queryset = (
            professional_teams(user) if self.is_bound else teams_to_open_in(user, resident)
        )
        # One query: the teams are read here and the page asks the same (evaluated)
        # queryset whether there are any; the first in the teams' order is chosen.
        teams = team_field.queryset
        team_field.initial = teams[0] if teams else None


class CloseTrajectoryForm(forms.Form):
    closing_reason = forms.ChoiceField(
        label=_("Reason for closing"),
        choices=Trajectory.ClosingReason.choices,
        widget=forms.RadioSelect,
    )
    closing_note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=NOTE_MAX_LENGTH,
    )
    ended_on = forms.DateField(label=_("End date"), widget=DateInput(), initial=timezone.localdate)


class AppointmentForm(forms.Form):
    next_appointment = forms.CharField(
        label=_("Next appointment"),
        max_length=200,
        required=False,
        help_text=_("For example: Tuesday 14 March, 10:00, at home"),
    )


class ConsentForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Share with organisation"), queryset=Organisation.objects.none()
    )
    share_plan = forms.BooleanField(label=_("The plan"), required=False, initial=True)
    share_goals = forms.BooleanField(
        label=_("Goals and their progress"), required=False, initial=True
    )
    share_measurements = forms.BooleanField(label=_("Measurements (the board)"), required=False)
    valid_from = forms.DateField(label=_("From"), widget=DateInput(), initial=timezone.localdate)
    valid_until = forms.DateField(label=_("Until (optional)"), widget=DateInput(), required=False)
    note = forms.CharField(
        label=_("Note (how the resident gave consent)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, trajectory: Trajectory, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        own = trajectory.team.organisation
        field.queryset = Organisation.objects.filter(municipality_id=own.municipality_id).exclude(
            pk=own.pk
        )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language of the resident's screens"), choices=RESIDENT_LANGUAGES
    )
