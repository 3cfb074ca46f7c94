from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .services import INTERVAL_MONTHS, RETENTION_YEARS, YOUTH_RETENTION


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
