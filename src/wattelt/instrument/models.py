"""The Wat telt instrument: the domain catalogue, measurements, chips and goals."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from wattelt.instrument.fields import FrozenJSONField
from wattelt.organisations import roles
from wattelt.organisations.models import Organisation, Staff
from wattelt.residents.models import Resident, Trajectory, visible_through

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

CHIP_MIN, CHIP_MAX = 0, 100
GRADE_MIN, GRADE_MAX = 1, 10


class CatalogueQuerySet(models.QuerySet["Catalogue"]):
    def current_for(self, organisation: Organisation) -> Catalogue:
        """The newest published catalogue of the organisation, else the default one."""
        published = self.filter(published=True)
        own = published.filter(organisation=organisation).order_by("-version").first()
        if own is not None:
            return own
        default = published.filter(organisation__isnull=True).order_by("-version").first()
        if default is None:
            raise Catalogue.DoesNotExist("No published catalogue: load the default one first.")
        return default


class Catalogue(models.Model):
    """One version of the set of life domains. Measurements keep the version they used."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("Empty for the default catalogue that every organisation starts with."),
    )
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=120)
    published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        verbose_name = _("domain catalogue")
        verbose_name_plural = _("domain catalogues")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "version"], name="catalogue_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class Domain(models.Model):
    """A leefgebied card: short label, one-line explanation, pictogram; translatable."""

    catalogue = models.ForeignKey(Catalogue, on_delete=models.CASCADE, related_name="domains")
    key = models.SlugField(_("key"), max_length=40)
    position = models.PositiveSmallIntegerField(_("position"))
    labels = models.JSONField(_("labels"), help_text=_('Per language, e.g. {"nl": "Wonen"}'))
    explanations = models.JSONField(_("explanations"), help_text=_("Per language, one line."))
    pictogram = models.CharField(_("pictogram"), max_length=40)
    youth_labels = models.JSONField(
        _("labels for young people"),
        default=dict,
        blank=True,
        help_text=_("The wording for 12-17 year olds, per language; empty: the labels."),
    )
    youth_explanations = models.JSONField(
        _("explanations for young people"), default=dict, blank=True
    )
    youth_position = models.PositiveSmallIntegerField(
        _("position for young people"), null=True, blank=True
    )
    unchecked_languages = models.JSONField(
        _("to be checked by a native speaker"),
        default=list,
        blank=True,
        help_text=_(
            'Languages whose texts are machine-made or unchecked, e.g. ["ar", "ti"]. '
            "Remove a language once a native speaker has checked it."
        ),
    )

    class Meta:
        verbose_name = _("life domain")
        verbose_name_plural = _("life domains")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["catalogue", "key"], name="domain_unique_key")
        ]

    def __str__(self) -> str:
        return self.label

    @staticmethod
    def _translated(texts: dict[str, str]) -> str:
        language = (get_language() or "nl").split("-")[0]
        return texts.get(language) or texts.get("nl") or next(iter(texts.values()), "")

    @property
    def label(self) -> str:
        return self._translated(self.labels)

    @property
    def explanation(self) -> str:
        return self._translated(self.explanations)


class MeasurementQuerySet(models.QuerySet["Measurement"]):
    def visible_to(self, user: Staff | AnonymousUser) -> MeasurementQuerySet:
        """Measurements follow the access rule of their trajectory, under a consent
        that shares the measurements."""
        return self.filter(visible_through(user, "measurements", through="trajectory__"))

    def confirmed(self) -> MeasurementQuerySet:
        return self.filter(status="confirmed")

    def owned_by(self, resident: Resident) -> MeasurementQuerySet:
        """The resident's own boards as confirmed in the conversation (never drafts)."""
        return self.filter(trajectory__resident=resident, status="confirmed")

    def for_research_by(self, user: Staff | AnonymousUser) -> MeasurementQuerySet:
        """The research export's rule: the confirmed measurements of the organisation
        of a quality officer or organisation admin (pseudonymised on the way out)."""
        if not isinstance(user, Staff) or user.organisation_id is None:
            return self.none()
        if not roles.answers_for_organisation_data(user):
            return self.none()
        return self.confirmed().filter(trajectory__team__organisation_id=user.organisation_id)


class Measurement(models.Model):
    """One meting: made in one sitting, a draft until confirmed, then immutable."""

    class Kind(models.TextChoices):
        START = "start", _("start measurement")
        FOLLOW_UP = "follow_up", _("follow-up measurement")
        END = "end", _("end measurement")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        CONFIRMED = "confirmed", _("confirmed")
        SUPERSEDED = "superseded", _("corrected (earlier version)")

    # Indexed as the head of (trajectory, status, measured_on) below: no index of its own.
    trajectory = models.ForeignKey(
        Trajectory, on_delete=models.CASCADE, related_name="measurements", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    catalogue = models.ForeignKey(Catalogue, on_delete=models.PROTECT, related_name="+")
    measured_on = models.DateField(_("date"), default=timezone.localdate)
    quality_of_life = models.PositiveSmallIntegerField(_("quality of life"), null=True, blank=True)
    carer_relation = models.CharField(_("carer"), max_length=80, blank=True)
    wording = models.CharField(
        _("wording"),
        max_length=8,
        choices=[("adult", _("adults")), ("youth", _("young people (12-17)"))],
        blank=True,
        # Rows written in bulk (imports, the bench's generator) leave it to the age.
        db_default="",
        help_text=_("Empty: chosen by the resident's age on the date of the measurement."),
    )
    # Optimistic locking: every save of a draft must name the revision it edited.
    revision = models.PositiveIntegerField(default=1)
    # Who wrote and confirmed it: no index of their own. Nothing looks measurements up by
    # their author, and staff are never deleted (PROTECT); an import would build each
    # index again over every measurement (ADR 0014 decision 20).
    created_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    updated_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", null=True, blank=True, db_index=False
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveSmallIntegerField(default=1)
    corrects = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrected_by"
    )
    correction_reason = models.TextField(_("reason for correction"), blank=True)
    # What was confirmed, frozen: the history shows it even after a correction.
    snapshot = FrozenJSONField(null=True, blank=True)

    objects = MeasurementQuerySet.as_manager()

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["measured_on", "id"]
        indexes = [models.Index(fields=["trajectory", "status", "measured_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(quality_of_life__isnull=True)
                | Q(quality_of_life__gte=GRADE_MIN, quality_of_life__lte=GRADE_MAX),
                name="measurement_grade_1_10",
            ),
            models.UniqueConstraint(
                fields=["trajectory"],
                condition=Q(status="draft"),
                name="measurement_one_draft_per_trajectory",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.measured_on:%d-%m-%Y}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


def _chip_in_range(field: str) -> Q:
    return Q(**{f"{field}__isnull": True}) | Q(
        **{f"{field}__gte": CHIP_MIN, f"{field}__lte": CHIP_MAX}
    )


class ChosenDomain(models.Model):
    """A domain the resident chose, with the chips of each perspective side by side."""

    class Perspective(models.TextChoices):
        RESIDENT = "resident", _("resident")
        PROFESSIONAL = "professional", _("professional")
        CARER = "carer", _("carer")

    # Indexed as the head of the unique (measurement, domain): no index of its own.
    measurement = models.ForeignKey(
        Measurement, on_delete=models.CASCADE, related_name="choices", db_index=False
    )
    # No index of its own either: nothing reads chosen domains by domain alone (the
    # figures read the monitoring facts), and a domain is removed only from a catalogue
    # no measurement uses. Building it took 3.6 s of a million-row import (ADR 0014).
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="+", db_index=False)
    # Positions 0 (gaat niet goed) .. 100 (gaat goed); never shown as numbers to a resident.
    resident_chip = models.PositiveSmallIntegerField(null=True, blank=True)
    professional_chip = models.PositiveSmallIntegerField(null=True, blank=True)
    carer_chip = models.PositiveSmallIntegerField(null=True, blank=True)
    prioritised = models.BooleanField(_("wants to work on this"), default=False)

    class Meta:
        verbose_name = _("chosen domain")
        verbose_name_plural = _("chosen domains")
        constraints = [
            models.UniqueConstraint(fields=["measurement", "domain"], name="choice_unique_domain"),
            models.CheckConstraint(
                condition=_chip_in_range("resident_chip"), name="chip_resident_0_100"
            ),
            models.CheckConstraint(
                condition=_chip_in_range("professional_chip"), name="chip_professional_0_100"
            ),
            models.CheckConstraint(condition=_chip_in_range("carer_chip"), name="chip_carer_0_100"),
        ]

    def __str__(self) -> str:
        return f"{self.domain} in {self.measurement}"

    def chip(self, perspective: str) -> int | None:
        value: int | None = getattr(self, f"{perspective}_chip")
        return value


class GoalQuerySet(models.QuerySet["Goal"]):
    def visible_to(self, user: Staff | AnonymousUser) -> GoalQuerySet:
        """Goals follow the access rule of their trajectory, under a consent that shares
        the goals; only those stated in a confirmed measurement are part of the plan."""
        return self.filter(
            visible_through(user, "goals", through="trajectory__"),
            stated_in__status="confirmed",
        )

    def owned_by(self, resident: Resident) -> GoalQuerySet:
        """The resident's own goals, as stated in a confirmed measurement."""
        return self.filter(trajectory__resident=resident, stated_in__status="confirmed")


class Goal(models.Model):
    """A goal in the resident's own words; part of the trajectory's one plan."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ACHIEVED = "achieved", _("achieved")
        PARTLY = "partly", _("partly achieved")
        NOT_ACHIEVED = "not_achieved", _("not achieved")
        NOT_APPLICABLE = "not_applicable", _("no longer applicable")

    trajectory = models.ForeignKey(Trajectory, on_delete=models.CASCADE, related_name="goals")
    stated_in = models.ForeignKey(Measurement, on_delete=models.CASCADE, related_name="goals")
    domains = models.ManyToManyField(Domain, related_name="+", verbose_name=_("domains"))
    position = models.PositiveSmallIntegerField(default=0)
    own_words = models.TextField(_("the goal in the resident's own words"), blank=True)
    what_changes = models.TextField(_("what will be different"), blank=True)
    first_step = models.TextField(_("first step"), blank=True)
    by_resident = models.TextField(_("what the resident does"), blank=True)
    by_network = models.TextField(_("what the network does"), blank=True)
    by_professional = models.TextField(_("what the professional does"), blank=True)
    by_specialist = models.TextField(_("what the specialist does"), blank=True)
    due_on = models.DateField(_("by when"), null=True, blank=True)
    how_we_know = models.TextField(_("how we will know"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )

    objects = GoalQuerySet.as_manager()

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["stated_in__measured_on", "position", "id"]

    def __str__(self) -> str:
        return self.own_words[:60]


GOAL_TEXT_FIELDS = (
    "own_words",
    "what_changes",
    "first_step",
    "by_resident",
    "by_network",
    "by_professional",
    "by_specialist",
    "how_we_know",
)
"""The goal's free-text fields, in the board's order: the resident's and their network's
words (posted by the board, shown in the plan, given in an inzage, erased on anonymising)."""


class GoalReview(models.Model):
    """The status a goal got at a later measurement, with a note."""

    measurement = models.ForeignKey(Measurement, on_delete=models.CASCADE, related_name="reviews")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="reviews")
    status = models.CharField(_("status"), max_length=20, choices=Goal.Status.choices, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("goal review")
        verbose_name_plural = _("goal reviews")
        constraints = [
            models.UniqueConstraint(fields=["measurement", "goal"], name="review_unique_goal")
        ]

    def __str__(self) -> str:
        return f"{self.goal}: {self.status}"


class NotFilledInQuerySet(models.QuerySet["NotFilledIn"]):
    def visible_to(self, user: Staff | AnonymousUser) -> NotFilledInQuerySet:
        """Records of a measurement not filled in follow the measurements' rule."""
        return self.filter(visible_through(user, "measurements", through="trajectory__"))


class NotFilledIn(models.Model):
    """A measurement that was not done, and why: data that counts in monitoring."""

    class Reason(models.TextChoices):
        DECLINED = "declined", _("resident did not want to")
        NOT_APPROPRIATE = "not_appropriate", _("not appropriate")
        CRISIS = "crisis", _("crisis")
        ENDED_EARLY = "ended_early", _("ended prematurely")
        OTHER = "other", _("other")

    trajectory = models.ForeignKey(
        Trajectory, on_delete=models.CASCADE, related_name="not_filled_in"
    )
    kind = models.CharField(_("which measurement"), max_length=12, choices=Measurement.Kind.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    note = models.TextField(_("note"), blank=True)
    recorded_on = models.DateField(_("date"), default=timezone.localdate)
    recorded_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = NotFilledInQuerySet.as_manager()

    class Meta:
        verbose_name = _("measurement not filled in")
        verbose_name_plural = _("measurements not filled in")
        ordering = ["recorded_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} not filled in: {self.get_reason_display()}"


class GoalProgress(models.Model):
    """A progress note on a goal of the shared plan, by the generalist or a specialist,
    optionally with a new status. Both see each other's notes."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="progress")
    author = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("progress note"))
    status = models.CharField(_("status"), max_length=20, choices=Goal.Status.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.goal}: {self.note[:40]}"


class PreparationQuerySet(models.QuerySet["Preparation"]):
    def visible_to(self, user: Staff | AnonymousUser) -> PreparationQuerySet:
        """Staff see a resident's preparation as they see the measurements it prepares:
        through the trajectory's rule, under a consent that shares the measurements."""
        return self.filter(visible_through(user, "measurements", through="trajectory__"))

    def owned_by(self, resident: Resident) -> PreparationQuerySet:
        """The resident's own preparations, of every trajectory of theirs."""
        return self.filter(trajectory__resident=resident)

    def open(self) -> PreparationQuerySet:
        """Not yet opened in a conversation: the one the resident can still change."""
        return self.filter(measurement__isnull=True)


class Preparation(models.Model):
    """The resident's preparation of the next conversation, made at home in Mijn Wat telt:
    the domains they chose, their own chip on each and what they want to talk about. It
    is NOT a measurement and counts nowhere; the professional opens it together with the
    resident, which starts the next measurement prefilled with it. It stays as the
    resident made it, linked to that measurement."""

    trajectory = models.ForeignKey(
        Trajectory, on_delete=models.CASCADE, related_name="preparations"
    )
    catalogue = models.ForeignKey(Catalogue, on_delete=models.PROTECT, related_name="+")
    topics = models.TextField(_("what I want to talk about"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the resident sent it to the professional.")
    )
    # The measurement it was opened in; a discarded draft frees the preparation again.
    measurement = models.OneToOneField(
        Measurement,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="preparation",
    )
    opened_at = models.DateTimeField(null=True, blank=True)

    objects = PreparationQuerySet.as_manager()

    class Meta:
        verbose_name = _("preparation")
        verbose_name_plural = _("preparations")
        constraints = [
            models.UniqueConstraint(
                fields=["trajectory"],
                condition=Q(measurement__isnull=True),
                name="preparation_one_open_per_trajectory",
            )
        ]

    def __str__(self) -> str:
        return f"{_('preparation')} {timezone.localtime(self.updated_at):%d-%m-%Y}"

    @property
    def is_open(self) -> bool:
        return self.measurement_id is None


class PreparedDomain(models.Model):
    """A domain the resident chose in a preparation, with their own chip (or none yet)."""

    preparation = models.ForeignKey(Preparation, on_delete=models.CASCADE, related_name="choices")
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="+")
    resident_chip = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["domain__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["preparation", "domain"], name="prepared_domain_unique"
            ),
            models.CheckConstraint(
                condition=_chip_in_range("resident_chip"), name="prepared_chip_0_100"
            ),
        ]

    def __str__(self) -> str:
        return str(self.domain)
