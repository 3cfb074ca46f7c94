"""Forms of the privacy officer: registering, deciding and carrying out erasure."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wattelt.web import DateInput

from .models import ErasureRequest


class ErasureRequestForm(forms.Form):
    received_on = forms.DateField(
        label=_("Request received on"),
        widget=DateInput(),
        initial=timezone.localdate,
        help_text=_("The answer is due within one month of this date."),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (ErasureRequest.Decision.GRANTED, _("Grant: erase the personal data")),
            (ErasureRequest.Decision.REFUSED, _("Refuse")),
        ],
        widget=forms.RadioSelect,
    )
    legal_hold = forms.ChoiceField(
        label=_("Legal obligation to keep the data"),
        choices=[("", _("(none)")), *ErasureRequest.LegalHold.choices],
        required=False,
        help_text=_("When one applies, the request can only be refused."),
    )
    decision_reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        help_text=_("Do not write the resident's name: this text is kept after erasure."),
    )


class ExecuteForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that the personal data are removed for good."),
        required=True,
    )
