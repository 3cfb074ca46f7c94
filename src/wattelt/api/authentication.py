"""Who is calling: the bearer token's client, as the principal the door knows."""

from __future__ import annotations

from typing import Any

from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from rest_framework.request import Request

from .models import ApiClient, ClientPrincipal


class ClientCredentials(OAuth2Authentication):
    """A valid, unexpired token of an active client: the request acts as that client's
    principal (`ClientPrincipal`); anything else is anonymous (401)."""

    def authenticate(self, request: Request) -> tuple[ClientPrincipal, Any] | None:
        found = super().authenticate(request)
        if found is None:
            return None
        _user, token = found
        client = (
            ApiClient.objects.filter(application_id=token.application_id, revoked_at=None)
            .select_related("organisation", "team")
            .first()
        )
        if client is None:
            return None
        return ClientPrincipal.of(client), token
