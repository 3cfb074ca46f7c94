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


ALL_PARTS = frozenset({"plan", "goals", "measurements"})


class TrajectoryQuerySet(models.QuerySet["Trajectory"]):
    """The access rules for trajectories, in one place. Everything of a resident that a
    view, export or API shows is reached through `visible_to`."""

    def visible_to(self, user: Staff | AnonymousUser) -> TrajectoryQuerySet:
        """In the care of the user's teams or assigned to them, or shared with the
        user's organisation under the resident's active consent."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(_in_care_of(user) | _shared_with(user))

    def shared_with(self, user: Staff | AnonymousUser) -> TrajectoryQuerySet:
        """Trajectories of other organisations shared with this specialist."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(_shared_with(user)).exclude(_in_care_of(user))

    def in_care_of(self, user: Staff | AnonymousUser) -> TrajectoryQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(_in_care_of(user))

    def editable_by(self, user: Staff | AnonymousUser) -> TrajectoryQuerySet:
        """Who may record: the team's professionals and the responsible professional.
        Team coaches read along."""
        if not user.is_authenticated:
            return self.none()
        teams = Membership.objects.filter(staff=user, role=Membership.Role.PROFESSIONAL)
        return self.filter(Q(team_id__in=teams.values("team_id")) | Q(responsible=user))

    def open(self) -> TrajectoryQuerySet:
        return self.filter(ended_on__isnull=True)


def _in_care_of(user: Staff) -> Q:
    teams = Membership.objects.filter(staff=user).values("team_id")
    return Q(team_id__in=teams) | Q(responsible=user)


def _shared_with(user: Staff) -> Q:
    """Specialists: professionals of another organisation with the resident's consent."""
    specialist_of = Membership.objects.filter(staff=user, role=Membership.Role.PROFESSIONAL).values(
        "team__organisation_id"
    )
    active = Consent.objects.active().filter(organisation_id__in=specialist_of)
    return Q(pk__in=active.values("trajectory_id"))


class ResidentQuerySet(models.QuerySet["Resident"]):
    def visible_to(self, user: Staff | AnonymousUser) -> ResidentQuerySet:
        """The one access rule for residents: through a visible trajectory, or registered
        by the user and not yet in a trajectory."""
        if not user.is_authenticated:
            return self.none()
        visible = Trajectory.objects.visible_to(user).filter(resident=OuterRef("pk"))
        any_trajectory = Trajectory.objects.filter(resident=OuterRef("pk"))
        return self.filter(Exists(visible) | (Q(registered_by=user) & ~Exists(any_trajectory)))


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

    def parts_visible_to(self, user: Staff | AnonymousUser) -> frozenset[str]:
        """All parts for the team in charge; for a specialist, the parts the resident
        consented to share with their organisation."""
        if not user.is_authenticated:
            return frozenset()
        if Trajectory.objects.in_care_of(user).filter(pk=self.pk).exists():
            return ALL_PARTS
        specialist_of = Membership.objects.filter(
            staff_id=user.pk, role=Membership.Role.PROFESSIONAL
        ).values("team__organisation_id")
        consents = Consent.objects.active().filter(
            trajectory=self, organisation_id__in=specialist_of
        )
        return frozenset(part for consent in consents for part in consent.parts)


class ConsentQuerySet(models.QuerySet["Consent"]):
    def active(self, day: dt.date | None = None) -> ConsentQuerySet:
        day = day or timezone.localdate()
        return self.filter(withdrawn_at__isnull=True, valid_from__lte=day).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=day)
        )


class Consent(models.Model):
    """The resident's consent to share parts of a trajectory with another organisation."""

    trajectory = models.ForeignKey(Trajectory, on_delete=models.CASCADE, related_name="consents")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("shared with organisation"),
    )
    share_plan = models.BooleanField(_("the plan"), default=True)
    share_goals = models.BooleanField(_("goals and their progress"), default=True)
    share_measurements = models.BooleanField(_("measurements (the board)"), default=False)
    valid_from = models.DateField(_("from"), default=timezone.localdate)
    valid_until = models.DateField(_("until"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    recorded_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{self.trajectory} → {self.organisation}"

    @property
    def parts(self) -> list[str]:
        names = {
            "plan": self.share_plan,
            "goals": self.share_goals,
            "measurements": self.share_measurements,
        }
        return [name for name, shared in names.items() if shared]

    @property
    def is_active(self) -> bool:
        today = timezone.localdate()
        return (
            self.withdrawn_at is None
            and self.valid_from <= today
            and (self.valid_until is None or self.valid_until >= today)
        )
