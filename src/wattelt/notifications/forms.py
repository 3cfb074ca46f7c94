from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Channel, Delivery


class SubscriptionForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the receiving system"),
        max_length=120,
        help_text=_("For example the name of your case-management system."),
    )
    callback_url = forms.URLField(
        label=_("Callback URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Wat telt posts each notification here, signed with the secret."),
    )
    channels = forms.MultipleChoiceField(
        label=_("Channels"),
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
    )


class DeliveryFilter(forms.Form):
    status = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("", _("all deliveries")), *Delivery.Status.choices],
    )
