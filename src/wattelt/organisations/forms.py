"""Forms for the second factor and re-authentication."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

CODE_ATTRS = {"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The 6 digits from your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class ReauthenticateForm(CodeForm):
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    field_order = ["password", "code"]
