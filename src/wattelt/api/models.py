"""API clients (an OAuth 2.0 application registered by an organisation admin, for the
organisation or one team, with scopes), the principal a client acts as, and stored
answers to idempotent writes."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wattelt.organisations.models import Membership, Organisation, Staff, Team

SCOPES = ("measurements:read", "measurements:write", "figures:read")
"""What a client may be given (docs/api.md): reading the file, recording confirmed
measurements, reading the published monitoring figures."""


class ApiClient(models.Model):
    """A system (a dossier system, a municipality's dashboard) that calls the API."""

    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        on_delete=models.CASCADE,
        related_name="api_client",
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
        help_text=_("Empty: the client acts for every team of the organisation."),
    )
    name = models.CharField(_("name"), max_length=120)
    scopes = models.CharField(_("scopes"), max_length=200)
    # The account the client acts as: measurements it records name it as their author,
    # and the access log names it. It has no password and no memberships.
    principal = models.OneToOneField(Staff, on_delete=models.PROTECT, related_name="api_client")
    registered_by = models.ForeignKey(Staff, on_delete=models.SET_NULL, null=True, related_name="+")
    registered_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def team_ids(self) -> models.QuerySet[Team, Any]:
        """The teams the client acts for, as a subquery of ids."""
        teams = Team.objects.filter(organisation_id=self.organisation_id)
        if self.team_id is not None:
            teams = teams.filter(pk=self.team_id)
        return teams.values("pk")


class ClientPrincipal(Staff):
    """An API client as the door sees it: a professional of each team the client acts
    for, with no organisation-wide role. The door's rules (`visible_to`, `access_to`)
    apply unchanged; only `acting_team_ids` and the team roles come from the client."""

    client: ApiClient

    class Meta:
        proxy = True

    @classmethod
    def of(cls, client: ApiClient) -> ClientPrincipal:
        principal = cls.objects.select_related("organisation").get(pk=client.principal_id)
        principal.client = client
        return principal

    def acting_team_ids(self, role: str | None = None) -> models.QuerySet[Any, Any]:
        if role not in (None, Membership.Role.PROFESSIONAL):
            return Team.objects.none().values("pk")
        return self.client.team_ids()

    @cached_property
    def _teams(self) -> list[tuple[int, str, int]]:
        teams = Team.objects.filter(pk__in=self.client.team_ids())
        return [
            (team_id, Membership.Role.PROFESSIONAL, organisation_id)
            for team_id, organisation_id in teams.values_list("pk", "organisation_id")
        ]

    @cached_property
    def organisation_roles(self) -> frozenset[str]:
        return frozenset()

    @cached_property
    def role_names(self) -> str:
        return "api_client"


class IdempotentRequest(models.Model):
    """A write made with an Idempotency-Key: a retry with the same key and body gets the
    stored answer; the same key with another body is refused."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    location = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="idempotency_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.client_id}: {self.key}"
