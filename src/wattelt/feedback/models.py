"""Short feedback questionnaires for professionals and residents, their answers, and the
one-time links through which residents answer without an account."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wattelt.organisations import roles
from wattelt.organisations.models import Organisation, Role, Staff
from wattelt.residents.models import Resident, Trajectory

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

SCALE = (1, 5)
"""Scale questions are answered with a whole number from 1 up to and including 5."""


def sees_results(user: Staff | AnonymousUser) -> bool:
    """Summaries (never single answers) are for the organisation admin, the quality
    officer and the team coaches of the organisation, organisation-wide: feedback is
    never broken down by team, whose few members would be recognisable."""
    return roles.answers_for_organisation_data(user) or (
        roles.is_coach(user) and roles.is_team_member(user)
    )


class QuestionnaireQuerySet(models.QuerySet["Questionnaire"]):
    """The access rules for questionnaires, in one place."""

    def managed_by(self, user: Staff | AnonymousUser) -> QuestionnaireQuerySet:
        """The organisation admin manages the questionnaires of their own organisation."""
        if not isinstance(user, Staff) or user.organisation_id is None:
            return self.none()
        if not user.has_role(Role.Name.ORGANISATION_ADMIN):
            return self.none()
        return self.filter(organisation_id=user.organisation_id)

    def results_visible_to(self, user: Staff | AnonymousUser) -> QuestionnaireQuerySet:
        """See `sees_results`."""
        if not isinstance(user, Staff) or user.organisation_id is None or not sees_results(user):
            return self.none()
        return self.filter(organisation_id=user.organisation_id)

    def for_team_members_of(self, user: Staff | AnonymousUser) -> QuestionnaireQuerySet:
        """Team members (professionals and coaches) answer the professionals'
        questionnaires of their organisation and hand out the residents' ones."""
        if (
            not isinstance(user, Staff)
            or user.organisation_id is None
            or not roles.is_team_member(user)
        ):
            return self.none()
        return self.filter(organisation_id=user.organisation_id)

    def for_resident(self, trajectory: Trajectory) -> QuestionnaireQuerySet:
        """The residents' questionnaires of the organisation supporting the trajectory:
        what a resident can answer in Mijn Wat telt."""
        return self.filter(
            organisation_id=trajectory.team.organisation_id,
            audience=Questionnaire.Audience.RESIDENT,
        )

    def active(self, day: dt.date | None = None) -> QuestionnaireQuerySet:
        day = day or timezone.localdate()
        return self.filter(opens_on__lte=day).filter(
            Q(closes_on__isnull=True) | Q(closes_on__gte=day)
        )


class Questionnaire(models.Model):
    """A short questionnaire. Once answered, its questions are locked: a change makes a
    new version (see docs/adr/0008-feedback-questionnaires.md)."""

    class Audience(models.TextChoices):
        PROFESSIONAL = "professional", _("professionals")
        RESIDENT = "resident", _("residents")

    class Repeat(models.TextChoices):
        ONCE = "once", _("once")
        QUARTER = "quarter", _("once per quarter")
        MONTH = "month", _("once per month")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="questionnaires"
    )
    title = models.CharField(_("title"), max_length=160)
    introduction = models.TextField(_("introduction"), blank=True, max_length=1000)
    audience = models.CharField(_("for"), max_length=20, choices=Audience.choices)
    anonymous = models.BooleanField(_("anonymous"), default=True)
    repeat = models.CharField(
        _("a professional answers"), max_length=10, choices=Repeat.choices, default=Repeat.QUARTER
    )
    opens_on = models.DateField(_("open from"))
    closes_on = models.DateField(_("open until"), null=True, blank=True)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous_version = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = QuestionnaireQuerySet.as_manager()

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["-opens_on", "title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__isnull=True) | Q(closes_on__gte=models.F("opens_on")),
                name="questionnaire_closes_after_opening",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def is_open_on(self, day: dt.date) -> bool:
        return self.opens_on <= day and (self.closes_on is None or day <= self.closes_on)


class Question(models.Model):
    class Kind(models.TextChoices):
        SCALE = "scale", _("scale 1-5")
        OPEN = "open", _("open answer")

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.CharField(_("question"), max_length=300)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SCALE)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


class Response(models.Model):
    """One filled-in questionnaire. Only the day is kept, no time: an anonymous response
    must not be matched to a link or a participation by its moment. Who answered is
    stored only when the questionnaire is not anonymous."""

    class Channel(models.TextChoices):
        LOGGED_IN = "logged_in", _("logged in")
        TABLET = "tablet", _("on the professional's tablet")
        LINK = "link", _("one-time link")
        PORTAL = "portal", _("Mijn Wat telt")

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="responses"
    )
    submitted_on = models.DateField(default=timezone.localdate)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    respondent = models.ForeignKey(
        Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    trajectory = models.ForeignKey(
        Trajectory, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handed_out_by = models.ForeignKey(
        Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        indexes = [models.Index(fields=["questionnaire", "submitted_on"])]

    def __str__(self) -> str:
        return f"{self.questionnaire} {self.submitted_on:%d-%m-%Y}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    scale_value = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_once"),
            models.CheckConstraint(
                condition=Q(scale_value__isnull=True)
                | Q(scale_value__gte=SCALE[0], scale_value__lte=SCALE[1]),
                name="answer_scale_in_range",
            ),
        ]

    def __str__(self) -> str:
        return str(self.scale_value or self.text[:40])


class Participation(models.Model):
    """That a professional answered a questionnaire in a period, so they answer once.
    A random key and no time: it cannot be matched to an anonymous response."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="participations"
    )
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=10)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "staff", "period"], name="participation_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} {self.period}"


class FeedbackLink(models.Model):
    """A one-time way in for a resident: a link to send, or the tablet handed over.
    Only the SHA-256 of the random token is stored."""

    class Channel(models.TextChoices):
        TABLET = "tablet", _("tablet")
        LINK = "link", _("link")

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    expires_at = models.DateTimeField()
    used = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Only for a questionnaire that is not anonymous.
    trajectory = models.ForeignKey(
        Trajectory, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("feedback link")
        verbose_name_plural = _("feedback links")

    def __str__(self) -> str:
        return f"{self.questionnaire} ({self.get_channel_display()})"


class ResidentParticipationQuerySet(models.QuerySet["ResidentParticipation"]):
    def owned_by(self, resident: Resident) -> ResidentParticipationQuerySet:
        return self.filter(trajectory__resident=resident)


class ResidentParticipation(models.Model):
    """That a resident answered a questionnaire in Mijn Wat telt (once per trajectory).
    A random key and no time: it cannot be matched to an anonymous response."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="+")
    trajectory = models.ForeignKey(Trajectory, on_delete=models.CASCADE, related_name="+")

    objects = ResidentParticipationQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "trajectory"], name="resident_participation_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} {self.trajectory_id}"
