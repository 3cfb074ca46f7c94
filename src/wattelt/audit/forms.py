"""Filters of the access log viewer."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from wattelt.web import DateInput

from .models import AccessLog, AccessLogQuerySet


class AccessLogFilter(forms.Form):
    resident = forms.IntegerField(
        label=_("Resident number"), required=False, min_value=1, max_value=2**62
    )
    username = forms.CharField(label=_("User"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", "—"), *AccessLog.Action.choices]
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), required=False, choices=[("", "—"), *AccessLog.Outcome.choices]
    )
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("Until"), required=False, widget=DateInput())

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:  # type: ignore[operator]
            raise forms.ValidationError(_("The end date lies before the start date."))
        return data

    def apply(self, records: AccessLogQuerySet) -> AccessLogQuerySet:
        if not self.is_valid():
            return records.none()
        data = self.cleaned_data
        if data["resident"]:
            records = records.filter(resident_id=data["resident"])
        if data["username"]:
            records = records.filter(username=data["username"])
        if data["action"]:
            records = records.filter(action=data["action"])
        if data["outcome"]:
            records = records.filter(outcome=data["outcome"])
        if data["since"]:
            records = records.filter(at__date__gte=data["since"])
        if data["until"]:
            records = records.filter(at__date__lte=data["until"])
        return records
