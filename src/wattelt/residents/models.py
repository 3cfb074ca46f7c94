"""Residents and their support trajectories."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wattelt.organisations.models import District, Membership, Organisation, Staff, Team

from .bsn import mask_bsn

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

ADULT_AGE = 18


class TrajectoryQuerySet(models.QuerySet["Trajectory"]):
    def visible_to(self, user: Staff | AnonymousUser) -> TrajectoryQuerySet:
        """The one access rule for trajectories: the user's teams, or assigned to them."""
        if not user.is_authenticated:
            return self.none()
        teams = Membership.objects.filter(staff=user).values("team_id")
        return self.filter(Q(team_id__in=teams) | Q(responsible=user))

    def editable_by(self, user: Staff | AnonymousUser) -> TrajectoryQuerySet:
        """Who may record: the team's professionals and the responsible professional.
        Team coaches read along."""
        if not user.is_authenticated:
            return self.none()
        teams = Membership.objects.filter(staff=user, role=Membership.Role.PROFESSIONAL)
        return self.filter(Q(team_id__in=teams.values("team_id")) | Q(responsible=user))

    def open(self) -> TrajectoryQuerySet:
        return self.filter(ended_on__isnull=True)


class ResidentQuerySet(models.QuerySet["Resident"]):
    def visible_to(self, user: Staff | AnonymousUser) -> ResidentQuerySet:
        """The one access rule for residents: through a visible trajectory, or registered
        by the user and not yet in a trajectory."""
        if not user.is_authenticated:
            return self.none()
        visible = Trajectory.objects.visible_to(user).filter(resident=OuterRef("pk"))
        return self.filter(Exists(visible) | Q(registered_by=user))


class Resident(models.Model):
    """An inwoner."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=120)
    date_of_birth = models.DateField(_("date of birth"))
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="residents", verbose_name=_("district")
    )
    bsn = models.CharField(_("BSN"), max_length=9, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    registered_by = models.ForeignKey(Staff, on_delete=models.SET_NULL, null=True, related_name="+")
    registered_at = models.DateTimeField(default=timezone.now)

    objects = ResidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        indexes = [models.Index(fields=["last_name", "first_name"])]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def masked_bsn(self) -> str:
        return mask_bsn(self.bsn)

    def age_on(self, day: dt.date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def is_young_on(self, day: dt.date) -> bool:
        return self.age_on(day) < ADULT_AGE


class Trajectory(models.Model):
    """A resident's period of support by a team."""

    class ClosingReason(models.TextChoices):
        GOALS_REACHED = "goals_reached", _("goals reached")
        REFERRED = "referred", _("referred to other support")
        RESIDENT_STOPPED = "resident_stopped", _("resident ended the support")
        MOVED = "moved", _("moved away")
        NO_CONTACT = "no_contact", _("no contact possible")
        OTHER = "other", _("other")

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="trajectories")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="trajectories")
    responsible = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        related_name="trajectories",
        verbose_name=_("responsible professional"),
    )
    started_on = models.DateField(_("start date"))
    ended_on = models.DateField(_("end date"), null=True, blank=True)
    closing_reason = models.CharField(
        _("closing reason"), max_length=30, choices=ClosingReason.choices, blank=True
    )
    closing_note = models.TextField(_("closing note"), blank=True)
    # Kept up to date by the services so the start page needs no per-row queries.
    measurement_due_on = models.DateField(null=True, blank=True)
    last_activity_at = models.DateTimeField(default=timezone.now)
    next_appointment = models.CharField(_("next appointment"), max_length=200, blank=True)

    objects = TrajectoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("trajectory")
        verbose_name_plural = _("trajectories")
        indexes = [
            models.Index(fields=["responsible", "ended_on", "-last_activity_at"]),
            models.Index(fields=["team", "ended_on", "-last_activity_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.resident} ({self.started_on:%d-%m-%Y})"

    @property
    def is_open(self) -> bool:
        return self.ended_on is None

    def is_editable_by(self, user: Staff | AnonymousUser) -> bool:
        return Trajectory.objects.editable_by(user).filter(pk=self.pk).exists()
