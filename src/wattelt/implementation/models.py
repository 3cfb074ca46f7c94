"""Implementation support: the organisation's Wat telt policy and its history, and the
record of reminder digests sent."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wattelt.organisations.models import Organisation, Staff


class OrganisationPolicy(models.Model):
    """How an organisation uses Wat telt. Organisations without a row use the defaults:
    optional, with both the professional's and the carer's view on offer. The follow-up
    interval lives on the organisation itself, the retention period in the privacy app."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="wattelt_policy"
    )
    mandatory = models.BooleanField(
        _("Wat telt is mandatory"),
        default=False,
        help_text=_(
            "Closing a trajectory then needs a start and an end measurement, or a recorded "
            "reason why one was not filled in."
        ),
    )
    professional_view = models.BooleanField(_("professional's view on offer"), default=True)
    carer_view = models.BooleanField(_("carer's view on offer"), default=True)

    class Meta:
        verbose_name = _("Wat telt policy")
        verbose_name_plural = _("Wat telt policies")

    def __str__(self) -> str:
        return str(self.organisation)


class PolicyChange(models.Model):
    """One changed setting: who, when, from what to what. Append-only history."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="policy_changes"
    )
    changed_by = models.ForeignKey(
        Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    field = models.CharField(_("setting"), max_length=40)
    old = models.CharField(_("old value"), max_length=40, blank=True)
    new = models.CharField(_("new value"), max_length=40)

    class Meta:
        verbose_name = _("policy change")
        verbose_name_plural = _("policy changes")
        ordering = ["-changed_at", "id"]
        indexes = [models.Index(fields=["organisation", "-changed_at"])]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.field} {self.old} → {self.new}"


class DigestSent(models.Model):
    """A reminder digest mailed to a professional on a day: at most one per day."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    trajectories = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("reminder digest sent")
        verbose_name_plural = _("reminder digests sent")
        constraints = [models.UniqueConstraint(fields=["staff", "day"], name="digest_once_per_day")]

    def __str__(self) -> str:
        return f"{self.staff} {self.day:%d-%m-%Y}"
