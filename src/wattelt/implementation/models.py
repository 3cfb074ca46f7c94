"""Implementation support: the record of reminder digests sent. (The organisation's Wat
telt policy and its history live with the organisations, `organisations/models.py`.)"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wattelt.organisations.models import Staff


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
