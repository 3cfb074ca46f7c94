"""Forms for the login, the second factor and re-authentication."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
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


class LoginForm(AuthenticationForm):
    """Django's login form, with the username's length checked before anyone looks it up:
    Django sets the field's max_length without its validator, so a 5,000-character
    name reached django-axes, whose attempt record refused it (a server error on
    PostgreSQL). A name or password beyond the bounds is an ordinary failed login."""

    PASSWORD_MAX_LENGTH = 1024  # hashing a megabyte with Argon2 is a denial of service

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password") or ""
        max_username = getattr(self.fields["username"], "max_length", None) or 150
        if len(username) > max_username or len(password) > self.PASSWORD_MAX_LENGTH:
            raise self.get_invalid_login_error()
        return super().clean()
