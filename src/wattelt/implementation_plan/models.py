"""The organisation's implementation plan, in the format of the guide (Implementatiewijzer
Wat telt, "Format implementatieplan"): project group, analysis of current practice,
implementation goals, target groups, opportunities and threats, activities per target
group and phase, evaluation, and a quarterly planning with owner and cost.

One plan per organisation, kept as versions: at most one draft that editors work on,
and published versions that never change. Everything of a version hangs off it, so a
published version shows exactly what was published. Rows carry a `key` that stays the
same from version to version, so a new version can say what changed.

Who may do what is one rule: `PlanVersion.objects.visible_to(user)` and
`plan_rights(user)` below."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wattelt.organisations import roles
from wattelt.organisations.models import Membership, Organisation, Staff

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


@dataclass(frozen=True)
class PlanRights:
    """What a user may do with their organisation's plan."""

    organisation_id: int
    edit: bool  # edit the draft and publish: organisation admin, quality officer
    read_draft: bool  # also team coaches: they steer the use of Wat telt in their team
    # read_published: every professional and coach of the organisation


def plan_rights(user: Staff | AnonymousUser) -> PlanRights | None:
    """The one access rule of the plan. None: the user has no business with it (other
    organisations, and the privacy officer and municipality analyst, whose roles are
    kept narrow)."""
    if not isinstance(user, Staff) or not user.is_authenticated or user.organisation_id is None:
        return None
    edit = roles.answers_for_organisation_data(user)
    team_roles = set(
        user.memberships.filter(team__organisation_id=user.organisation_id).values_list(
            "role", flat=True
        )
    )
    coach = Membership.Role.TEAMCOACH in team_roles
    if not (edit or team_roles):
        return None
    return PlanRights(user.organisation_id, edit=edit, read_draft=edit or coach)


class Phase(models.TextChoices):
    """The five implementation phases of the guide, in order."""

    KNOW = "weten", _("Knowing")
    UNDERSTAND = "begrijpen", _("Understanding")
    WANT = "willen", _("Wanting")
    ABLE = "kunnen", _("Being able to use")
    KEEP = "blijven", _("Keeping on using")


class ImplementationPlan(models.Model):
    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="implementation_plan"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("implementation plan")
        verbose_name_plural = _("implementation plans")

    def __str__(self) -> str:
        return str(self.organisation)


class PlanVersionQuerySet(models.QuerySet["PlanVersion"]):
    def visible_to(self, user: Staff | AnonymousUser) -> PlanVersionQuerySet:
        rights = plan_rights(user)
        if rights is None:
            return self.none()
        mine = self.filter(plan__organisation_id=rights.organisation_id)
        return mine if rights.read_draft else mine.filter(status=PlanVersion.Status.PUBLISHED)

    def published(self) -> PlanVersionQuerySet:
        return self.filter(status=PlanVersion.Status.PUBLISHED)


class PlanVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")

    plan = models.ForeignKey(ImplementationPlan, on_delete=models.CASCADE, related_name="versions")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    number = models.PositiveIntegerField(_("version"), null=True, blank=True)
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    current_practice = models.TextField(_("analysis of current practice"), blank=True)
    opportunities = models.TextField(_("opportunities"), blank=True)
    threats = models.TextField(_("threats"), blank=True)
    evaluation = models.TextField(_("evaluation"), blank=True)
    # Optimistic locking: every save names the revision of the section it edited.
    revision = models.PositiveIntegerField(default=1)
    section_revisions = models.JSONField(default=dict)
    created_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    change_note = models.TextField(_("what changed"), blank=True)
    # [{"section": "goals", "added": 1, "changed": 0, "removed": 2}, ...]
    changes = models.JSONField(default=list)

    objects = PlanVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("implementation plan version")
        verbose_name_plural = _("implementation plan versions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_unique_number"),
            models.UniqueConstraint(
                fields=["plan"], condition=Q(status="draft"), name="plan_version_one_draft"
            ),
            models.CheckConstraint(
                condition=(Q(status="draft") & Q(number__isnull=True))
                | (Q(status="published") & Q(number__isnull=False) & Q(published_at__isnull=False)),
                name="plan_version_number_when_published",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}" if self.number else f"{self.plan} (draft)"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    def section_revision(self, section: str) -> int:
        return int(self.section_revisions.get(section, 1))


class Row(models.Model):
    """What every row of a version has: its place and its identity across versions."""

    key = models.UUIDField(default=uuid.uuid4)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position", "id"]


class ProjectMember(Row):
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("name"), max_length=120)
    role = models.CharField(_("role in the project group"), max_length=160, blank=True)

    class Meta(Row.Meta):
        verbose_name = _("project group member")
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="plan_member_unique_key")
        ]

    def __str__(self) -> str:
        return self.name


class PlanGoal(Row):
    """An implementation goal; optionally measured by a live adoption indicator against a
    target to reach by a date."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="goals")
    description = models.TextField(_("goal"))
    indicator_key = models.CharField(_("indicator"), max_length=80, blank=True)
    target = models.DecimalField(_("target"), max_digits=9, decimal_places=2, null=True, blank=True)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    # When the goal was first set; kept from version to version: progress starts here.
    set_on = models.DateField(default=timezone.localdate)

    class Meta(Row.Meta):
        verbose_name = _("implementation goal")
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="plan_goal_unique_key"),
            models.CheckConstraint(
                condition=Q(target__isnull=True) | Q(target__gte=0), name="plan_goal_target_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return self.description[:60]


class TargetGroup(Row):
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="target_groups")
    name = models.CharField(_("target group"), max_length=120)

    class Meta(Row.Meta):
        verbose_name = _("target group")
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="plan_group_unique_key")
        ]

    def __str__(self) -> str:
        return self.name


class MatrixActivity(Row):
    """One activity in a cell of the matrix: for this target group, in this phase."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="activities")
    target_group = models.ForeignKey(
        TargetGroup, on_delete=models.CASCADE, related_name="activities"
    )
    phase = models.CharField(_("phase"), max_length=10, choices=Phase.choices)
    text = models.CharField(_("activity"), max_length=500)

    class Meta(Row.Meta):
        verbose_name = _("activity")
        constraints = [
            models.CheckConstraint(
                condition=Q(phase__in=[p.value for p in Phase]), name="plan_activity_known_phase"
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]


class PlanningRow(Row):
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="planning")
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    activity = models.CharField(_("activity"), max_length=300)
    owner = models.CharField(_("who"), max_length=160, blank=True)
    cost = models.DecimalField(_("cost (euro)"), max_digits=10, decimal_places=2, default=0)

    class Meta(Row.Meta):
        verbose_name = _("planning row")
        ordering = ["year", "quarter", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="plan_row_unique_key"),
            models.CheckConstraint(condition=Q(cost__gte=0), name="plan_row_cost_gte_0"),
            models.CheckConstraint(
                condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="plan_row_quarter_1_4"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} K{self.quarter}: {self.activity}"
