"""The organisation admin registers API clients (the secret shown once) and revokes
them; nobody else reaches the screen."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from tests.conftest import client_for, staff_with_role
from wattelt.api.models import ApiClient
from wattelt.organisations.models import Role

CLIENTS = reverse("api_clients:clients")


def test_the_admin_registers_a_client_and_sees_the_secret_once(
    organisation: Any, team: Any, alice: Any
) -> None:
    admin = staff_with_role("olga", organisation, Role.Name.ORGANISATION_ADMIN)
    browser = client_for(admin, sudo=True)
    assert browser.get(CLIENTS).status_code == 200
    response = browser.post(
        CLIENTS, {"name": "Dossier", "team": team.pk, "scopes": ["measurements:read"]}
    )
    assert response.status_code == 200
    client = ApiClient.objects.get()
    assert client.team == team and client.scope_list == ["measurements:read"]
    secret = response.context["registered"].secret
    assert secret in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    listing = browser.get(CLIENTS).content.decode()
    assert client.application.client_id in listing and secret not in listing
    browser.post(reverse("api_clients:revoke", args=[client.pk]))
    client.refresh_from_db()
    assert client.revoked_at is not None


def test_bad_input_is_named_and_nothing_is_made(organisation: Any, team: Any) -> None:
    admin = staff_with_role("olga", organisation, Role.Name.ORGANISATION_ADMIN)
    response = client_for(admin, sudo=True).post(CLIENTS, {"name": "", "scopes": []})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "scopes"}
    assert not ApiClient.objects.exists()


def test_only_the_organisation_admin_gets_the_screen(
    alice: Any, bob: Any, charlie: Any, privacy_officer: Any
) -> None:
    for user in (alice, bob, charlie, privacy_officer):
        assert client_for(user, sudo=True).get(CLIENTS).status_code == 404
