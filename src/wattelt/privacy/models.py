"""Erasure requests and retention periods: the resident's right to be forgotten and how
long a file is kept when nobody asks."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wattelt.organisations.models import Organisation, Staff
from wattelt.residents.models import Resident

from .access import privacy_organisation_id

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

# The AVG gives a controller one month to answer a data-subject request.
ANSWER_WITHIN_DAYS = 30
ADULT_RETENTION_YEARS = 15
YOUTH_RETENTION_YEARS = 20


def new_reference() -> str:
    """An anonymous reference for the request, to quote in letters and the register."""
    return f"AVG-{secrets.token_hex(4).upper()}"


class ErasureRequestQuerySet(models.QuerySet["ErasureRequest"]):
    def handled_by(self, user: Staff | AnonymousUser) -> ErasureRequestQuerySet:
        """The requests of the privacy officer's own organisation; none for anyone else."""
        organisation_id = privacy_organisation_id(user)
        if organisation_id is None:
            return self.none()
        return self.filter(organisation_id=organisation_id)

    def pending(self) -> ErasureRequestQuerySet:
        return self.filter(decision=ErasureRequest.Decision.PENDING)

    def awaiting_execution(self) -> ErasureRequestQuerySet:
        return self.filter(decision=ErasureRequest.Decision.GRANTED, executed_at__isnull=True)

    def executed(self) -> ErasureRequestQuerySet:
        return self.filter(executed_at__isnull=False)


class ErasureRequest(models.Model):
    """A resident's request to erase their data (AVG art. 17), the decision on it and its
    execution. Also records an anonymisation at the end of the retention period. Holds no
    personal data itself: the resident is named by id and an anonymous reference."""

    class Source(models.TextChoices):
        RESIDENT = "resident", _("request by the resident")
        RETENTION = "retention", _("end of the retention period")

    class Decision(models.TextChoices):
        PENDING = "pending", _("pending")
        GRANTED = "granted", _("granted")
        REFUSED = "refused", _("refused")

    class LegalHold(models.TextChoices):
        YOUTH_CARE = "youth_care", _("youth care: records are kept for 20 years")
        LEGAL_PROCEDURE = "legal_procedure", _("an ongoing legal procedure")
        OTHER = "other", _("another legal obligation (explain in the reason)")

    reference = models.CharField(
        _("reference"), max_length=20, unique=True, default=new_reference, editable=False
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    resident = models.ForeignKey(
        Resident,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="erasure_requests",
    )
    # The plain id, as in the access log: it survives when the resident row is deleted.
    resident_number = models.BigIntegerField(_("resident number"), db_index=True)
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.RESIDENT
    )
    received_on = models.DateField(_("request received on"), default=timezone.localdate)
    requested_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(
        Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    legal_hold = models.CharField(
        _("legal obligation to keep the data"),
        max_length=20,
        choices=LegalHold.choices,
        blank=True,
    )
    decided_by = models.ForeignKey(
        Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    executed_by = models.ForeignKey(
        Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    executed_at = models.DateTimeField(null=True, blank=True)

    objects = ErasureRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(decision="granted") | models.Q(legal_hold=""),
                name="erasure_granted_without_legal_hold",
            ),
            models.CheckConstraint(
                condition=models.Q(executed_at__isnull=True) | models.Q(decision="granted"),
                name="erasure_executed_only_when_granted",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def answer_due_on(self) -> dt.date:
        return self.received_on + dt.timedelta(days=ANSWER_WITHIN_DAYS)

    @property
    def is_pending(self) -> bool:
        return self.decision == self.Decision.PENDING

    @property
    def is_executable(self) -> bool:
        return (
            self.decision == self.Decision.GRANTED
            and not self.legal_hold
            and self.executed_at is None
            and self.resident_id is not None
        )


class RetentionPolicy(models.Model):
    """How long an organisation keeps a file after the resident's last trajectory closed.
    Organisations without one use the defaults."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="retention_policy"
    )
    years = models.PositiveSmallIntegerField(_("retention (years)"), default=ADULT_RETENTION_YEARS)
    youth_years = models.PositiveSmallIntegerField(
        _("retention when the resident was under 18 (years)"),
        default=YOUTH_RETENTION_YEARS,
        help_text=_("Youth care records are kept 20 years (Jeugdwet)."),
    )

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.years}/{self.youth_years}"

    def years_for(self, young: bool) -> int:
        return self.youth_years if young else self.years
