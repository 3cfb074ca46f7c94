"""Registering, re-keying and revoking API clients. The secret is made here, returned
once to show, and stored only hashed (django-oauth-toolkit hashes it on save)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AccessToken, Application

from wattelt.organisations.models import Organisation, Staff, Team

from .models import SCOPES, ApiClient


@dataclass(frozen=True)
class Registered:
    client: ApiClient
    secret: str
    """Shown once; only its hash is stored."""


def _check(organisation: Organisation, team: Team | None, name: str, scopes: list[str]) -> None:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("Give the client a name, such as the dossier system's.")
    if not scopes:
        errors["scopes"] = _("Choose at least one scope.")
    elif not set(scopes) <= set(SCOPES):
        errors["scopes"] = _("Unknown scope.")
    if team is not None and team.organisation_id != organisation.pk:
        errors["team"] = _("The team is not one of this organisation's.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def register_client(
    by: Staff | None,
    organisation: Organisation,
    name: str,
    scopes: list[str],
    team: Team | None = None,
) -> Registered:
    """A client for the organisation (every team) or one team, with these scopes."""
    _check(organisation, team, name, scopes)
    secret = generate_client_secret()
    application = Application.objects.create(
        name=name.strip()[:120],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret=secret,
        hash_client_secret=True,
    )
    principal = Staff.objects.create(
        username=f"api:{application.client_id}",
        first_name=name.strip()[:150],
        last_name="(API)",
        organisation=organisation,
        is_active=False,  # never logs in; acts only through tokens of its client
    )
    principal.set_unusable_password()
    principal.save(update_fields=["password"])
    client = ApiClient.objects.create(
        application=application,
        organisation=organisation,
        team=team,
        name=name.strip()[:120],
        scopes=" ".join(s for s in SCOPES if s in scopes),
        principal=principal,
        registered_by=by,
    )
    return Registered(client, secret)


@transaction.atomic
def new_secret(client: ApiClient) -> str:
    """A new secret (the old one stops working, and so do its tokens)."""
    secret = generate_client_secret()
    application = client.application
    application.client_secret = secret
    application.save(update_fields=["client_secret"])
    AccessToken.objects.filter(application=application).delete()
    return secret


@transaction.atomic
def revoke_client(client: ApiClient) -> None:
    """The client and its tokens stop working at once (its secret is replaced by one
    nobody knows, so it gets no new token); its records stay."""
    client.revoked_at = timezone.now()
    client.save(update_fields=["revoked_at"])
    new_secret(client)
