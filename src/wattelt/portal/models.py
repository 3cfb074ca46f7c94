"""Signing in to Mijn Wat telt: invitations handed over in person and the resident's
passkeys. Neither holds a secret in plain text: the invitation's token and code are
stored hashed, a passkey is a public key."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wattelt.organisations.models import Staff
from wattelt.residents.models import Resident


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def open(self) -> InvitationQuerySet:
        """Not used, not voided, not expired."""
        return self.filter(used_at=None, voided_at=None, expires_at__gt=timezone.now())

    def owned_by(self, resident: Resident) -> InvitationQuerySet:
        return self.filter(resident=resident)


class Invitation(models.Model):
    """A single-use invitation to Mijn Wat telt: a link (the token) plus a 6-digit code
    the professional reads out. Used once to register a passkey."""

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    code_hash = models.CharField(max_length=128)
    created_by = models.ForeignKey(Staff, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    wrong_codes = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation to Mijn Wat telt")
        verbose_name_plural = _("invitations to Mijn Wat telt")

    def __str__(self) -> str:
        return f"{self.resident_id} {self.created_at:%Y-%m-%d}"


class PasskeyQuerySet(models.QuerySet["Passkey"]):
    def active(self) -> PasskeyQuerySet:
        return self.filter(revoked_at=None)

    def owned_by(self, resident: Resident) -> PasskeyQuerySet:
        return self.filter(resident=resident)


class Passkey(models.Model):
    """A WebAuthn credential the resident registered on their own device."""

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="+")
    credential_id = models.CharField(max_length=1400, unique=True)  # base64url
    public_key = models.BinaryField()
    sign_count = models.PositiveBigIntegerField(default=0)
    invitation = models.ForeignKey(
        Invitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = PasskeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("passkey")
        verbose_name_plural = _("passkeys")
        indexes = [
            models.Index(fields=["resident"], condition=Q(revoked_at=None), name="active_passkeys")
        ]

    def __str__(self) -> str:
        return f"{self.resident_id} {self.created_at:%Y-%m-%d}"


class LastSignIn(models.Model):
    """When the resident last signed in to Mijn Wat telt, and how: for the professional's
    overview of the resident's portal access."""

    resident = models.OneToOneField(
        Resident, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    method = models.CharField(max_length=10)  # "passkey" or "digid"

    class Meta:
        verbose_name = _("last sign-in to Mijn Wat telt")
        verbose_name_plural = _("last sign-ins to Mijn Wat telt")

    def __str__(self) -> str:
        return f"{self.resident_id} {self.at:%Y-%m-%d %H:%M}"
