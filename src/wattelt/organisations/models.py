"""Municipality, districts, organisations, teams and staff."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import connections, models, router
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Municipality(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    """A wijk: the unit in which results are reported."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="districts"
    )
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="district_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="organisations"
    )
    name = models.CharField(_("name"), max_length=160, unique=True)
    follow_up_interval_months = models.PositiveSmallIntegerField(
        _("follow-up interval (months)"), default=3
    )
    start_measurement_grace_days = models.PositiveSmallIntegerField(
        _("days to record a start measurement"), default=14
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(_("name"), max_length=160)
    districts = models.ManyToManyField(District, related_name="teams", blank=True)
    # How residents reach the team (shown with their plan in Mijn Wat telt).
    # db_default: teams written in bulk (the bench, imports) need not name them.
    phone = models.CharField(_("phone"), max_length=30, blank=True, db_default="")
    email = models.EmailField(_("e-mail"), blank=True, db_default="")

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Staff(AbstractUser):
    """A person who logs in: a professional, a coach, an administrator."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="staff", null=True, blank=True
    )
    teams: models.ManyToManyField[Team, Membership] = models.ManyToManyField(
        Team, through="Membership", related_name="members", blank=True
    )

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @cached_property
    def _standing(self) -> tuple[list[tuple[int, str, int]], frozenset[str]]:
        """(team id, role, the team's organisation id) of each membership, and the
        organisation-wide roles: one query per request, whatever asks (see `roles.py` for
        the predicates). A role's row has no team. Written out (`_standing_sql`): every
        request of every user asks it, and building it with the ORM cost ~1 ms of CPU,
        ten times running it."""
        with connections[router.db_for_read(Membership)].cursor() as cursor:
            cursor.execute(_standing_sql(), [self.pk, self.pk])
            rows = cursor.fetchall()
        teams: list[tuple[int, str, int]] = []
        organisation_roles: set[str] = set()
        for team_id, name, organisation_id in rows:
            if team_id is None:
                organisation_roles.add(name)
            else:
                teams.append((team_id, name, organisation_id))
        return teams, frozenset(organisation_roles)

    @property
    def organisation_roles(self) -> frozenset[str]:
        return self._standing[1]

    def has_role(self, name: str) -> bool:
        return name in self.organisation_roles

    def acting_team_ids(self, role: str | None = None) -> models.QuerySet[Any, Any]:
        """The ids of the teams this staff member works in (in `role`, when given), as a
        subquery: their memberships. Read through `roles.team_ids`, never directly."""
        memberships = Membership.objects.filter(staff_id=self.pk)
        if role is not None:
            memberships = memberships.filter(role=role)
        return memberships.values("team_id")

    @property
    def _teams(self) -> list[tuple[int, str, int]]:
        return self._standing[0]

    @property
    def team_roles(self) -> dict[int, str]:
        """Team id to this member's role in it."""
        return {team_id: role for team_id, role, _ in self._teams}

    @property
    def team_organisations(self) -> frozenset[int]:
        return frozenset(organisation_id for _, _, organisation_id in self._teams)

    @property
    def professional_organisations(self) -> frozenset[int]:
        """The organisations of the teams this member works in as a professional."""
        return frozenset(
            organisation_id
            for _, role, organisation_id in self._teams
            if role == Membership.Role.PROFESSIONAL
        )

    @cached_property
    def role_names(self) -> str:
        """The user's roles, for the access log ("professional", "teamcoach", ...)."""
        roles = {role for _, role, _ in self._teams} | self.organisation_roles
        if self.is_superuser:
            roles.add("admin")
        return ",".join(sorted(roles)) or "staff"


class Membership(models.Model):
    class Role(models.TextChoices):
        PROFESSIONAL = "professional", _("professional")
        TEAMCOACH = "teamcoach", _("team coach")

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.PROFESSIONAL
    )

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [
            models.UniqueConstraint(fields=["staff", "team"], name="membership_unique_staff_team")
        ]

    def __str__(self) -> str:
        return f"{self.staff} in {self.team} ({self.role})"


class Role(models.Model):
    """An organisation-wide role. None of these sees residents by itself: the quality
    officer only through dossier screening, the analyst only aggregates, the privacy
    officer only the access log and data-subject requests, the admin only settings."""

    class Name(models.TextChoices):
        QUALITY_OFFICER = "quality_officer", _("quality officer")
        ORGANISATION_ADMIN = "organisation_admin", _("organisation administrator")
        PRIVACY_OFFICER = "privacy_officer", _("privacy officer")
        MUNICIPALITY_ANALYST = "municipality_analyst", _("municipality analyst")

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="roles")
    name = models.CharField(_("role"), max_length=30, choices=Name.choices)

    class Meta:
        verbose_name = _("organisation role")
        verbose_name_plural = _("organisation roles")
        constraints = [
            models.UniqueConstraint(fields=["staff", "name"], name="role_unique_staff_name")
        ]

    def __str__(self) -> str:
        return f"{self.staff}: {self.get_name_display()}"


def _standing_sql() -> str:
    """A staff member's memberships (team, role, the team's organisation) and their
    organisation roles (no team): `Staff._standing`'s one query, parameters: the staff
    id twice."""
    membership, team, role = (m._meta.db_table for m in (Membership, Team, Role))
    return (
        f"SELECT m.team_id, m.role, t.organisation_id FROM {membership} m"
        f" INNER JOIN {team} t ON t.id = m.team_id WHERE m.staff_id = %s"
        f" UNION ALL SELECT NULL, r.name, NULL FROM {role} r WHERE r.staff_id = %s"
    )


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
    portal_minimum_age = models.PositiveSmallIntegerField(
        _("minimum age for Mijn Wat telt"),
        default=16,
        help_text=_("Residents younger than this cannot be invited to Mijn Wat telt."),
    )

    class Meta:
        db_table = "implementation_organisationpolicy"  # where it was first made
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
        db_table = "implementation_policychange"  # where it was first made
        verbose_name = _("policy change")
        verbose_name_plural = _("policy changes")
        ordering = ["-changed_at", "id"]
        indexes = [
            models.Index(
                fields=["organisation", "-changed_at"], name="implementat_organis_8559b2_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.field} {self.old} → {self.new}"
