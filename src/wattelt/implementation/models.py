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


# --- the adoption summary, kept on write (adoption/summary.py) -------------------------

ADOPTION_COUNTERS = (
    "started",
    "started_in_time",
    "measurements",
    "with_professional_view",
    "with_carer_view",
    "goals",
    "follow_ups_due",
    "follow_ups_on_time",
    "closed",
    "closed_with_end",
    "closed_with_reason",
    "not_filled_in",
)
"""The additive counters of `adoption.Counts`, one column each in the three tables below."""


class AdoptionCounters(models.Model):
    """The counters, with the trajectory's team and responsible professional (ids, no
    foreign keys: the rows are derived data, written set-based)."""

    team_id = models.BigIntegerField()
    responsible_id = models.BigIntegerField()
    reason = models.CharField(max_length=20, default="")
    """A reason a measurement was not filled in (with `not_filled_in`); "" otherwise."""
    started = models.IntegerField(default=0)
    started_in_time = models.IntegerField(default=0)
    measurements = models.IntegerField(default=0)
    with_professional_view = models.IntegerField(default=0)
    with_carer_view = models.IntegerField(default=0)
    goals = models.IntegerField(default=0)
    follow_ups_due = models.IntegerField(default=0)
    follow_ups_on_time = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    closed_with_end = models.IntegerField(default=0)
    closed_with_reason = models.IntegerField(default=0)
    not_filled_in = models.IntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"team {self.team_id}, professional {self.responsible_id}"


class AdoptionFact(AdoptionCounters):
    """What one trajectory adds to the adoption counts on one day (`day_code`: month
    number * 100 + day; a follow-up counts on its due day, whose day may lie past the
    month's end, as in adoption/months.py). Several rows per trajectory; replaced as a
    whole when anything of the trajectory changes, so the counts it added before can be
    taken off the cells."""

    trajectory_id = models.BigIntegerField(db_index=True)
    day_code = models.IntegerField()


class AdoptionDay(AdoptionCounters):
    """The facts summed per (team, responsible professional, day, reason): the page
    reads it for the months in which today's date decides what counts."""

    day_code = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team_id", "day_code", "responsible_id", "reason"],
                name="adoption_day_cell",
            )
        ]


class AdoptionMonth(AdoptionCounters):
    """The facts summed per (team, responsible professional, month, reason): the page
    reads it for every earlier month."""

    month = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team_id", "month", "responsible_id", "reason"],
                name="adoption_month_cell",
            )
        ]


class AdoptionStamp(models.Model):
    """Which refresh last changed a (team, responsible professional)'s cells: a fresh
    token per refresh, set in the same transaction as the sums (summary.py). A page
    keeps what it rendered from the sums under the stamps of its teams, so a view finds
    its kept rendering without reading the sums; any change to a cell of the team gives
    that cell's pair a new token, hence a new key."""

    team_id = models.BigIntegerField()
    responsible_id = models.BigIntegerField()
    token = models.CharField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team_id", "responsible_id"], name="adoption_stamp_pair"
            )
        ]

    def __str__(self) -> str:
        return f"team {self.team_id}, professional {self.responsible_id}: {self.token}"


class AdoptionRefresh(models.Model):
    """An organisation whose adoption facts are derived again as a whole, because its
    follow-up interval changed (every follow-up falls due elsewhere). Done by
    `manage.py refresh_adoption_summary` (cron, every minute) in chunks, not in the
    admin's request: at 1,000,000 residents it takes minutes. Until it is done the
    adoption page says the follow-up figures are being recalculated."""

    organisation = models.OneToOneField(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    requested_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.organisation_id} since {self.requested_at:%d-%m-%Y %H:%M}"
