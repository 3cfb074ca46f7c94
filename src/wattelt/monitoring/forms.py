"""The monitoring filters (a calendar year or quarter, a district or a team, an age group)
and the research export's form."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wattelt.organisations.models import District, Team

from .cube import ALL, YEAR, Area, Period, quarters_so_far
from .report import AGE_LABELS, Choice

YEARS_BACK = 5
"""How many earlier years the period list offers."""


def available_periods(today: dt.date) -> list[Period]:
    """This year and the years before it, each followed by its quarters that have begun."""
    periods = []
    for year in range(today.year, today.year - YEARS_BACK - 1, -1):
        periods.append(Period(year))
        periods += [Period(year, q) for q in quarters_so_far(year, today)]
    return periods


class DashboardFilter(forms.Form):
    period = forms.CharField(label=_("Period"), widget=forms.Select)
    district = forms.TypedChoiceField(
        label=_("District"), required=False, coerce=int, empty_value=None
    )
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    age_group = forms.ChoiceField(label=_("Age group"), choices=list(AGE_LABELS.items()))

    def __init__(
        self,
        data: dict[str, str],
        districts: Iterable[District],
        teams: Iterable[Team],
        today: dt.date | None = None,
    ) -> None:
        super().__init__(data)
        self.today = today or timezone.localdate()
        self.periods = available_periods(self.today)
        period_field = self.fields["period"]
        period_field.widget.choices = [(p.value, p.label) for p in self.periods]  # type: ignore[attr-defined]
        district_field = self.fields["district"]
        team_field = self.fields["team"]
        assert isinstance(district_field, forms.ChoiceField)
        assert isinstance(team_field, forms.ChoiceField)
        district_field.choices = [("", _("All districts")), *((d.pk, d.name) for d in districts)]
        team_field.choices = [("", _("All teams")), *((t.pk, t.name) for t in teams)]

    @staticmethod
    def defaults(today: dt.date | None = None) -> dict[str, str]:
        today = today or timezone.localdate()
        return {"period": Period(today.year).value, "age_group": "all"}

    def clean_period(self) -> Period:
        value = self.cleaned_data["period"]
        period = Period.parse(value)
        if period is None:
            raise forms.ValidationError(
                _(
                    "“%(value)s” is not a period: choose a calendar year or a quarter, such as "
                    "2026 or 2026-Q1."
                )
                % {"value": value[:20]}
            )
        if period.start > self.today:
            raise forms.ValidationError(
                _("The period lies in the future: there are no figures for it yet.")
            )
        if period not in self.periods:
            raise forms.ValidationError(
                _("Figures are available for the last %(years)s years only.")
                % {"years": YEARS_BACK}
            )
        return period

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("district") is not None and data.get("team") is not None:
            raise forms.ValidationError(
                _(
                    "Choose a district or a team, not both: figures for one team in one "
                    "district could give away figures about too few residents."
                )
            )
        return data

    @property
    def choice(self) -> Choice:
        data = self.cleaned_data
        area: Area = ALL
        if data.get("district") is not None:
            area = ("d", data["district"])
        elif data.get("team") is not None:
            area = ("t", data["team"])
        period: Period = data["period"]
        return Choice(period=period, area=area, age=data["age_group"])

    @property
    def query(self) -> str:
        """The chosen filters as a query string, for links to the other views."""
        from urllib.parse import urlencode

        return urlencode({k: v for k, v in self.data.items() if k in self.fields and v})


class ResearchExportForm(forms.Form):
    purpose = forms.CharField(
        label=_("Purpose of the export"),
        max_length=80,
        help_text=_("Which research this data set is for; it is written in the access log."),
    )
    year = forms.TypedChoiceField(
        label=_("Measurements in"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        today = timezone.localdate()
        year_field = self.fields["year"]
        assert isinstance(year_field, forms.ChoiceField)
        year_field.choices = [
            ("", _("All years")),
            *((y, str(y)) for y in range(today.year, today.year - YEARS_BACK - 1, -1)),
        ]

    def clean_purpose(self) -> str:
        purpose: str = self.cleaned_data["purpose"].strip()
        if len(purpose) < 5:
            raise forms.ValidationError(_("Describe the purpose in a few words."))
        return purpose


__all__ = ["YEAR", "DashboardFilter", "ResearchExportForm", "available_periods"]
