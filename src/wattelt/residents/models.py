"""Residents and their support trajectories."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wattelt.organisations import roles
from wattelt.organisations.models import District, Membership, Organisation, Staff, Team

from .bsn import mask_bsn
from .language import DEFAULT as DEFAULT_LANGUAGE
from .language import RESIDENT_LANGUAGES

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

ADULT_AGE = 18


PARTS = ("plan", "goals", "measurements")
"""What a consent can share; the team in charge sees all of them."""
ALL_PARTS = frozenset(PARTS)


class TrajectoryQuerySet(models.QuerySet["Trajectory"]):
    """The access rules for trajectories, in one place. Everything of a resident that a
    view, export or API shows is reached through `visible_to` (lists) or the door in
    `residents/access.py` (one trajectory)."""

    def visible_to(
        self, user: Staff | AnonymousUser, part: str | None = None
    ) -> TrajectoryQuerySet:
        """In the care of one of the user's teams, or shared with the user's
        organisation under the resident's active consent (sharing `part`, when named)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(visible_through(user, part))

    def shared_with(
        self, user: Staff | AnonymousUser, part: str | None = None
    ) -> TrajectoryQuerySet:
        """Trajectories of other organisations shared with this specialist."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(_shared_with(user, part)).exclude(_in_care_of(user))

    def owned_by(self, resident: Resident) -> TrajectoryQuerySet:
        """The resident's own trajectories (Mijn Wat telt: a resident sees only their own)."""
        return self.filter(resident=resident)

    def in_care_of(self, user: Staff | AnonymousUser) -> TrajectoryQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(_in_care_of(user))

    def editable_by(self, user: Staff | AnonymousUser) -> TrajectoryQuerySet:
        """Who may record: the team's professionals, and the responsible professional
        while they are in the team. Team coaches read along."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Q(team_id__in=roles.professional_team_ids(user))
            | (Q(responsible=user) & Q(team_id__in=roles.team_ids(user)))
        )

    def responsible_left_team(self) -> TrajectoryQuerySet:
        """Open trajectories whose responsible professional is no longer in the team:
        they lost access with their membership; the coach names a new one."""
        member = Membership.objects.filter(team=OuterRef("team"), staff=OuterRef("responsible"))
        return self.open().filter(~Exists(member))

    def open(self) -> TrajectoryQuerySet:
        return self.filter(ended_on__isnull=True)


def visible_through(user: Staff | AnonymousUser, part: str | None = None, through: str = "") -> Q:
    """`TrajectoryQuerySet.visible_to`'s rule as a condition, for trajectories or, with
    `through` ("trajectory__"), for the rows of a model that belong to one: measurements,
    goals and the rest follow their trajectory's rule on the trajectory they are joined
    to, not through a subquery of visible trajectories. The subquery made PostgreSQL
    plan a join of nine tables for the board's one measurement (~7 ms of planning
    against ~2; bench/RESULTS.md, "The start page's counts and the board's planning")."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    return _in_care_of(user, through) | _shared_with(user, part, through)


def _in_care_of(user: Staff, through: str = "") -> Q:
    """Only through a team: a professional who leaves a team leaves its trajectories,
    also those they were responsible for."""
    return Q(**{f"{through}team_id__in": roles.team_id_list(user)})


def _shared_with(user: Staff, part: str | None = None, through: str = "") -> Q:
    """Specialists: professionals of another organisation with the resident's consent."""
    active = (
        Consent.objects.active()
        .sharing(part)
        .filter(organisation_id__in=specialist_organisation_ids(user))
    )
    return Q(**{f"{through}pk__in": active.values("trajectory_id")})


def specialist_organisation_ids(user: Staff | AnonymousUser) -> list[int]:
    """The organisations a resident can share with this user: those of their teams as a
    professional."""
    return roles.professional_organisation_ids(user)


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
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=RESIDENT_LANGUAGES,
        default=DEFAULT_LANGUAGE,
        db_default=DEFAULT_LANGUAGE,  # also for rows written in bulk (imports, the bench)
        help_text=_("The language of the screens the resident reads."),
    )
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
    # Team and responsible: each indexed as the head of a composite index (Meta.indexes),
    # not on its own.
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="trajectories", db_index=False
    )
    responsible = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        related_name="trajectories",
        verbose_name=_("responsible professional"),
        db_index=False,
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
            # The start page's and the coach's counts, and the first step of their
            # lists (web.page_of), read only this: an index-only scan of a team's open
            # trajectories, in due order.
            models.Index(
                fields=["team", "measurement_due_on", "responsible", "last_activity_at", "id"],
                # The start date rides along (PostgreSQL): the start page's counts compare
                # it with the due date without reading the table (start/selectors.py).
                include=["started_on"],
                condition=models.Q(ended_on__isnull=True),
                name="trajectory_open_work",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resident} ({self.started_on:%d-%m-%Y})"

    @property
    def is_open(self) -> bool:
        return self.ended_on is None


class ConsentQuerySet(models.QuerySet["Consent"]):
    def active(self, day: dt.date | None = None) -> ConsentQuerySet:
        day = day or timezone.localdate()
        return self.filter(withdrawn_at__isnull=True, valid_from__lte=day).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=day)
        )

    def visible_to(self, user: Staff | AnonymousUser) -> ConsentQuerySet:
        """The team in charge sees every consent of its trajectories; a specialist only
        the consents given to their own organisation, of trajectories visible to them."""
        if not user.is_authenticated:
            return self.none()
        in_care = Q(trajectory__in=Trajectory.objects.in_care_of(user))
        own = Q(
            trajectory__in=Trajectory.objects.visible_to(user),
            organisation_id__in=specialist_organisation_ids(user),
        )
        return self.filter(in_care | own)

    def owned_by(self, resident: Resident) -> ConsentQuerySet:
        """The consents the resident gave, for their own view in Mijn Wat telt."""
        return self.filter(trajectory__resident=resident)

    def sharing(self, part: str | None) -> ConsentQuerySet:
        """Consents that share `part` (any part when None)."""
        if part is None:
            return self
        if part not in PARTS:
            raise ValueError(f"unknown part {part!r}")
        return self.filter(**{f"share_{part}": True})


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
    withdrawn_by_resident = models.BooleanField(
        _("withdrawn by the resident"),
        default=False,
        help_text=_("The resident withdrew it themself in Mijn Wat telt."),
    )
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
