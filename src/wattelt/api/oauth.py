"""OAuth 2.0 client credentials (django-oauth-toolkit): a client gets a token for the
scopes it was registered with, never more."""

from __future__ import annotations

from typing import Any

from oauth2_provider.scopes import SettingsScopes

from .models import ApiClient


class RegisteredScopes(SettingsScopes):
    """The scopes a token may carry: those of the client's registration (none once the
    client is revoked). Asking for no scope gives all of them."""

    def get_available_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        client = ApiClient.objects.filter(application=application, revoked_at=None).first()
        return client.scope_list if client else []

    def get_default_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        return self.get_available_scopes(application, request)
