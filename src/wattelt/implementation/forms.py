from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import adoption
from .services import INTERVAL_MONTHS, PORTAL_AGES, RETENTION_YEARS, YOUTH_RETENTION


class PolicyForm(forms.Form):
    mandatory = forms.BooleanField(
        label=_("Wat telt is mandatory"),
        required=False,
        help_text=_(
            "Closing a trajectory then needs a start and an end measurement, or a recorded "
            "reason why one was not filled in."
        ),
    )
    follow_up_interval_months = forms.IntegerField(
        label=_("Follow-up interval (months)"),
        min_value=INTERVAL_MONTHS[0],
        max_value=INTERVAL_MONTHS[1],
        help_text=_(
            "After each measurement the next one is due after this many months. A change "
            "moves the due date of every open trajectory."
        ),
    )
    professional_view = forms.BooleanField(
        label=_("The professional may place their own chip"), required=False
    )
    carer_view = forms.BooleanField(
        label=_("A carer (naaste) may place their own chip"), required=False
    )
    retention_years = forms.IntegerField(
        label=_("Retention (years)"),
        min_value=RETENTION_YEARS[0],
        max_value=RETENTION_YEARS[1],
        help_text=_("How long a file is kept after the resident's last trajectory closed."),
    )
    youth_retention_years = forms.IntegerField(
        label=_("Retention when the resident was under 18 (years)"),
        min_value=YOUTH_RETENTION[0],
        max_value=YOUTH_RETENTION[1],
        help_text=_("Youth care records are kept 20 years (Jeugdwet)."),
    )
    portal_minimum_age = forms.IntegerField(
        label=_("Minimum age for Mijn Wat telt"),
        min_value=PORTAL_AGES[0],
        max_value=PORTAL_AGES[1],
        help_text=_("Residents younger than this cannot be invited to Mijn Wat telt."),
    )


FIRST_YEAR = 2000
"""The adoption page shows no month before this year."""
SHOWN_CHARS = 20
"""A value that cannot be shown is quoted in the message up to this many characters."""
_ID = re.compile(r"[0-9]{1,18}")
"""A team's or a professional's number: ASCII digits only (int() also reads "²" and
"٣", and refuses more than 4,300 digits), at most 18 (a 64-bit id)."""
_MONTH = re.compile(r"([0-9]{4})-(1[0-2]|0[1-9]|[1-9])")


def _quoted(raw: str) -> str:
    return raw if len(raw) <= SHOWN_CHARS else raw[:SHOWN_CHARS] + "…"


def _id(raw: str) -> int | None:
    return int(raw) if _ID.fullmatch(raw) else None


class _RawText(forms.Field):
    """The text as given, stripped; whatever it holds is judged by the form's clean_
    methods, so every problem gets the page's own message."""

    def to_python(self, value: Any) -> str:
        return str(value or "").strip()


@dataclass
class AdoptionFilter:
    """What the adoption page shows: the twelve months up to `end`, all the user's teams
    or one, all professionals or one (of `people`, those whose own figures the user may
    see); `problems` names what was asked for but cannot be shown."""

    end: adoption.Month
    team_id: int | None = None
    professional_id: int | None = None
    people: list[tuple[int, str]] = dataclasses.field(default_factory=list)
    problems: list[str] = dataclasses.field(default_factory=list)


class AdoptionFilterForm(forms.Form):
    """The adoption page's filters (?maand=2026-03&team=4&medewerker=17). What cannot be
    shown is named in a message and left out, never an error page: `chosen()` always
    answers. Finding the professionals of the chosen teams takes one query."""

    maand = _RawText(required=False)
    team = _RawText(required=False)
    medewerker = _RawText(required=False)

    def __init__(
        self, data: Mapping[str, Any], *, access: adoption.AdoptionAccess, today: dt.date
    ) -> None:
        super().__init__(data)
        self.access = access
        self.current = adoption.Month.of(today)
        self.people: list[tuple[int, str]] = []

    def clean_maand(self) -> adoption.Month:
        raw = self.cleaned_data["maand"]
        if not raw:
            return self.current
        match = _MONTH.fullmatch(raw)
        month = adoption.Month.of(dt.date(int(match[1]), int(match[2]), 1)) if match else None
        if month is None or month.year < FIRST_YEAR:
            raise ValidationError(
                gettext(
                    "“%(value)s” is not a month we can show: write it as year-month, e.g. "
                    "%(example)s. Showing the twelve months up to this month."
                )
                % {"value": _quoted(raw), "example": self.current.key}
            )
        if month > self.current:
            raise ValidationError(
                gettext("%(value)s lies in the future. Showing the twelve months up to this month.")
                % {"value": raw}
            )
        return month

    def clean_team(self) -> int | None:
        raw = self.cleaned_data["team"]
        if not raw:
            return None
        team_id = _id(raw)
        if team_id not in self.access.team_ids:
            raise ValidationError(
                gettext(
                    "There is no team “%(value)s” among the teams whose figures you may "
                    "see. Showing all of them."
                )
                % {"value": _quoted(raw)}
            )
        return team_id

    def clean_medewerker(self) -> int | None:
        if self.access.per_professional:
            teams = adoption.detail_teams(self.access, self.cleaned_data.get("team"))
            self.people = adoption.professionals_of(teams)
        raw = self.cleaned_data["medewerker"]
        if not raw:
            return None
        professional_id = _id(raw)
        if professional_id not in {pk for pk, _name in self.people}:
            raise ValidationError(
                gettext(
                    "There is no professional “%(value)s” whose own figures you may see "
                    "(in this team). Showing the team figures."
                )
                % {"value": _quoted(raw)}
            )
        return professional_id

    def chosen(self) -> AdoptionFilter:
        self.is_valid()
        return AdoptionFilter(
            end=self.cleaned_data.get("maand", self.current),
            team_id=self.cleaned_data.get("team"),
            professional_id=self.cleaned_data.get("medewerker"),
            people=self.people,
            problems=[str(problem) for errors in self.errors.values() for problem in errors],
        )
