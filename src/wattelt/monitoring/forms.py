"""The dashboard's filters: a period, a district, a team and an age group."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wattelt.organisations.models import District, Team
from wattelt.residents.forms import DateInput

from .indicators import AgeGroup


def last_twelve_months(today: dt.date) -> tuple[dt.date, dt.date]:
    """The default period: the twelve months up to and including today."""
    try:
        year_ago = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        year_ago = today.replace(year=today.year - 1, day=28)
    return year_ago + dt.timedelta(days=1), today


class DashboardFilter(forms.Form):
    start = forms.DateField(label=_("From"), widget=DateInput())
    end = forms.DateField(label=_("Until"), widget=DateInput())
    district = forms.TypedChoiceField(
        label=_("District"), required=False, coerce=int, empty_value=None
    )
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    age_group = forms.ChoiceField(
        label=_("Age group"),
        choices=[
            ("all", _("All ages")),
            ("adult", _("Adults (18 and over)")),
            ("young", _("Young people (under 18)")),
        ],
    )

    def __init__(
        self, data: dict[str, str], districts: Iterable[District], teams: Iterable[Team]
    ) -> None:
        super().__init__(data)
        district_field = self.fields["district"]
        team_field = self.fields["team"]
        assert isinstance(district_field, forms.ChoiceField)
        assert isinstance(team_field, forms.ChoiceField)
        district_field.choices = [("", _("All districts")), *((d.pk, d.name) for d in districts)]
        team_field.choices = [("", _("All teams")), *((t.pk, t.name) for t in teams)]

    @staticmethod
    def defaults(today: dt.date | None = None) -> dict[str, str]:
        start, end = last_twelve_months(today or timezone.localdate())
        return {"start": start.isoformat(), "end": end.isoformat(), "age_group": "all"}

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if isinstance(start, dt.date) and start > timezone.localdate():
            raise forms.ValidationError(
                _("The period lies in the future: there are no figures for it yet.")
            )
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            raise forms.ValidationError(_("The end date lies before the start date."))
        return data

    @property
    def chosen_age_group(self) -> AgeGroup:
        value: AgeGroup = self.cleaned_data["age_group"]
        return value
