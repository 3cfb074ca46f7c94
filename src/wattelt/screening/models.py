"""Dossier screening: a quality officer's random sample of trajectories, reviewed with a
short form and discussed with the professional.

A quality officer has no access to residents by role. They reach a dossier only through
a screening item of their organisation: `ScreeningItem.objects.visible_to(user)` is that
one rule. The professional and the team coach see the findings about their own
trajectories once they are shared: `ScreeningItem.objects.shared_with(user)`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wattelt.organisations import roles
from wattelt.organisations.models import Organisation, Staff, Team
from wattelt.residents.models import Trajectory

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

PURPOSE = "dossier screening"
"""The purpose in the access log of every look at a dossier through screening."""


def screening_organisation_id(user: Staff | AnonymousUser) -> int | None:
    """The organisation whose dossiers this user screens: a quality officer's own."""
    if not isinstance(user, Staff) or not roles.is_quality_officer(user):
        return None
    return user.organisation_id


class ScreeningRoundQuerySet(models.QuerySet["ScreeningRound"]):
    def visible_to(self, user: Staff | AnonymousUser) -> ScreeningRoundQuerySet:
        organisation_id = screening_organisation_id(user)
        if organisation_id is None:
            return self.none()
        return self.filter(organisation_id=organisation_id)


class ScreeningRound(models.Model):
    """One sample: drawn once from the trajectories active in a period, reproducible from
    the recorded seed and population."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until"))
    requested_size = models.PositiveIntegerField(_("sample size"))
    seed = models.BigIntegerField(_("seed"))
    # {"<team id>": number of trajectories of that team active in the period}
    population = models.JSONField(_("population per team"), default=dict)
    team_names = models.JSONField(default=dict)
    drawn_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField(default=timezone.now)

    objects = ScreeningRoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("screening round")
        verbose_name_plural = _("screening rounds")
        ordering = ["-drawn_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.period_start:%d-%m-%Y} - {self.period_end:%d-%m-%Y}"

    @property
    def population_size(self) -> int:
        return sum(int(n) for n in self.population.values())


class Answer(models.TextChoices):
    YES = "yes", _("yes")
    PARTLY = "partly", _("partly")
    NO = "no", _("no")
    NOT_APPLICABLE = "not_applicable", _("not applicable")


QUESTION_LABELS = {
    "start_registered": _("Is the start measurement registered?"),
    "follow_up_registered": _("Are the follow-up measurements registered?"),
    "goals_own_words": _("Are the goals in the resident's own words?"),
    "goals_match_priorities": _("Do the goals match the resident's priorities?"),
    "follow_up_on_time": _("Was the follow-up done on time?"),
}


def question_label(name: str) -> str:
    return str(QUESTION_LABELS[name])


class ScreeningItemQuerySet(models.QuerySet["ScreeningItem"]):
    def visible_to(self, user: Staff | AnonymousUser) -> ScreeningItemQuerySet:
        """The screener's access rule, the only way a quality officer reaches a dossier:
        items of samples of their own organisation."""
        organisation_id = screening_organisation_id(user)
        if organisation_id is None:
            return self.none()
        return self.filter(round__organisation_id=organisation_id)

    def shared_with(self, user: Staff | AnonymousUser) -> ScreeningItemQuerySet:
        """Shared findings about the user's own trajectories (responsible professional)
        or about trajectories of the teams they coach. Findings only, never the dossier."""
        if not isinstance(user, Staff) or not user.is_authenticated:
            return self.none()
        return self.filter(shared_at__isnull=False).filter(
            Q(trajectory__responsible=user, trajectory__team_id__in=roles.team_ids(user))
            | Q(team_id__in=roles.coached_team_ids(user))
        )


class ScreeningItem(models.Model):
    """One drawn trajectory and the screener's findings about its dossier."""

    QUESTIONS = tuple(QUESTION_LABELS)

    round = models.ForeignKey(ScreeningRound, on_delete=models.CASCADE, related_name="items")
    # The drawn id stays when the trajectory itself is gone.
    trajectory = models.ForeignKey(
        Trajectory, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    trajectory_number = models.BigIntegerField(_("trajectory number"))
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    start_registered = models.CharField(
        QUESTION_LABELS["start_registered"],
        max_length=20,
        choices=Answer.choices,
        blank=True,
    )
    follow_up_registered = models.CharField(
        QUESTION_LABELS["follow_up_registered"],
        max_length=20,
        choices=Answer.choices,
        blank=True,
    )
    goals_own_words = models.CharField(
        QUESTION_LABELS["goals_own_words"],
        max_length=20,
        choices=Answer.choices,
        blank=True,
    )
    goals_match_priorities = models.CharField(
        QUESTION_LABELS["goals_match_priorities"],
        max_length=20,
        choices=Answer.choices,
        blank=True,
    )
    follow_up_on_time = models.CharField(
        QUESTION_LABELS["follow_up_on_time"],
        max_length=20,
        choices=Answer.choices,
        blank=True,
    )
    notes = models.TextField(_("notes"), blank=True)
    screened_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    screened_at = models.DateTimeField(null=True, blank=True)
    shared_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    shared_at = models.DateTimeField(null=True, blank=True)
    discussed_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    discussed_at = models.DateTimeField(null=True, blank=True)
    discussion_note = models.TextField(_("what was discussed"), blank=True)

    objects = ScreeningItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("screening item")
        verbose_name_plural = _("screening items")
        ordering = ["team__name", "trajectory_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "trajectory_number"], name="screening_item_unique_trajectory"
            )
        ]

    def __str__(self) -> str:
        return f"{self.round}: {self.trajectory_number}"

    @property
    def is_screened(self) -> bool:
        return self.screened_at is not None

    @property
    def is_shared(self) -> bool:
        return self.shared_at is not None

    def answers(self) -> list[tuple[str, str, str]]:
        """(question, answer value, answer label) in the form's order."""
        return [
            (
                question_label(name),
                getattr(self, name),
                getattr(self, f"get_{name}_display")(),
            )
            for name in self.QUESTIONS
        ]
