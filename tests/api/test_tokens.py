"""OAuth 2.0 client credentials: a registered client gets a short-lived token for its
own scopes only; a revoked client or a new secret ends the old tokens at once."""

from __future__ import annotations

import base64
from typing import Any

from django.test import Client

from wattelt.api.services import new_secret, register_client, revoke_client


def _token(client_id: str, secret: str, **data: str) -> Any:
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return Client().post(
        "/oauth/token",
        {"grant_type": "client_credentials", **data},
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )


def test_a_client_gets_a_ten_minute_token_for_its_own_scopes(
    organisation: Any, team: Any, trajectory: Any
) -> None:
    registered = register_client(None, organisation, "Dossier", ["measurements:read"], team)
    client_id = registered.client.application.client_id
    assert registered.client.application.client_secret != registered.secret  # stored hashed
    response = _token(client_id, registered.secret)
    assert response.status_code == 200, response.content
    token = response.json()
    assert token["expires_in"] == 600
    assert token["scope"] == "measurements:read"
    bearer: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {token['access_token']}"}
    assert Client().get("/api/v1/trajecten", **bearer).status_code == 200
    assert Client().get("/api/v1/cijfers", **bearer).status_code == 403
    refused = _token(client_id, registered.secret, scope="figures:read")
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_scope"
    assert _token(client_id, "wrong").status_code == 401


def test_a_new_secret_and_revoking_end_the_tokens(organisation: Any, team: Any) -> None:
    registered = register_client(None, organisation, "Dossier", ["measurements:read"], team)
    client = registered.client
    first = _token(client.application.client_id, registered.secret).json()["access_token"]
    secret = new_secret(client)
    assert _token(client.application.client_id, registered.secret).status_code == 401
    bearer: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {first}"}
    assert Client().get("/api/v1/trajecten", **bearer).status_code == 401
    second = _token(client.application.client_id, secret).json()["access_token"]
    revoke_client(client)
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {second}"}
    assert Client().get("/api/v1/trajecten", **bearer).status_code == 401
    assert _token(client.application.client_id, secret).status_code in (400, 401)


def test_registration_checks_its_input(organisation: Any, charlie: Any) -> None:
    import pytest
    from django.core.exceptions import ValidationError

    other_team = charlie.teams.get()
    with pytest.raises(ValidationError) as raised:
        register_client(None, organisation, " ", ["everything"], other_team)
    assert set(raised.value.message_dict) == {"name", "scopes", "team"}
