"""The filters of "Vandaag", parsed by a form: bad values fall back to the default."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from .selectors import ALL, DUE, MINE, OVERDUE, TEAM


@dataclass(frozen=True)
class Chosen:
    show: str
    scope: str

    @property
    def query(self) -> str:
        """For the pagination links: the filters to keep."""
        return urlencode({"toon": self.show, "van": self.scope})


class TodayFilter(forms.Form):
    toon = forms.ChoiceField(
        choices=[(ALL, _("all")), (OVERDUE, _("overdue")), (DUE, _("due"))], required=False
    )
    van = forms.ChoiceField(choices=[(MINE, _("mine")), (TEAM, _("team"))], required=False)

    def chosen(self) -> Chosen:
        self.is_valid()  # invalid values are left out of cleaned_data: the default
        data = self.cleaned_data
        return Chosen(show=data.get("toon") or ALL, scope=data.get("van") or MINE)
