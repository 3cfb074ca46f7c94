"""Implementation support: the organisation's Wat telt policy, reminders of due
measurements for professionals and coaches, and the rule that a mandatory Wat telt puts
on closing a trajectory."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, fields
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wattelt.instrument.models import Measurement
from wattelt.instrument.schedule import due_dates
from wattelt.organisations.models import (
    Membership,
    Organisation,
    OrganisationPolicy,
    PolicyChange,
    Role,
    Staff,
)
from wattelt.organisations.policy import policy_for
from wattelt.organisations.roles import coached_team_ids
from wattelt.privacy.models import YOUTH_RETENTION_YEARS, RetentionPolicy
from wattelt.residents.models import Trajectory, TrajectoryQuerySet
from wattelt.residents.services import DUE_SOON_DAYS, due_state

from .adoption import summary as adoption_summary
from .models import DigestSent

logger = logging.getLogger(__name__)

INTERVAL_MONTHS = (1, 12)
PORTAL_AGES = (12, 18)
PORTAL_MINIMUM_AGE = 16
RETENTION_YEARS = (1, 50)
YOUTH_RETENTION = (YOUTH_RETENTION_YEARS, 50)
UPDATE_BATCH = 500

START_MISSING = "start_missing"


# --- The organisation's policy -------------------------------------------------------


def administered_organisation(user: Staff) -> Organisation | None:
    """The organisation whose settings this user manages: their own, when they hold the
    organisation-admin role there. None for everyone else."""
    if not user.is_authenticated or user.organisation_id is None:
        return None
    if not user.has_role(Role.Name.ORGANISATION_ADMIN):
        return None
    return user.organisation


@dataclass
class PolicyInput:
    """Everything on the settings screen, wherever it is stored."""

    mandatory: bool
    professional_view: bool
    carer_view: bool
    follow_up_interval_months: int
    retention_years: int
    youth_retention_years: int
    portal_minimum_age: int = PORTAL_MINIMUM_AGE


# Labels for the history; the keys are what PolicyChange.field holds.
SETTING_LABELS = {
    "mandatory": gettext_lazy("Wat telt is mandatory"),
    "professional_view": gettext_lazy("professional's view on offer"),
    "carer_view": gettext_lazy("carer's view on offer"),
    "follow_up_interval_months": gettext_lazy("Follow-up interval (months)"),
    "retention_years": gettext_lazy("Retention (years)"),
    "youth_retention_years": gettext_lazy("Retention when the resident was under 18 (years)"),
    "portal_minimum_age": gettext_lazy("Minimum age for Mijn Wat telt"),
}


def current_policy(organisation: Organisation) -> PolicyInput:
    policy = policy_for(organisation)
    retention = RetentionPolicy.objects.filter(organisation=organisation).first()
    retention = retention or RetentionPolicy()
    return PolicyInput(
        mandatory=policy.mandatory,
        professional_view=policy.professional_view,
        carer_view=policy.carer_view,
        follow_up_interval_months=organisation.follow_up_interval_months,
        retention_years=retention.years,
        youth_retention_years=retention.youth_years,
        portal_minimum_age=policy.portal_minimum_age,
    )


def set_retention(organisation: Organisation, years: int, youth_years: int) -> RetentionPolicy:
    """Set the privacy app's retention periods of the organisation (apply_retention
    reads them)."""
    policy, _created = RetentionPolicy.objects.update_or_create(
        organisation=organisation, defaults={"years": years, "youth_years": youth_years}
    )
    return policy


def _check_policy(data: PolicyInput) -> None:
    errors = {}
    low, high = INTERVAL_MONTHS
    if not low <= data.follow_up_interval_months <= high:
        errors["follow_up_interval_months"] = _(
            "The follow-up interval is between %(low)s and %(high)s months."
        ) % {"low": low, "high": high}
    low, high = RETENTION_YEARS
    if not low <= data.retention_years <= high:
        errors["retention_years"] = _(
            "The retention period is between %(low)s and %(high)s years."
        ) % {"low": low, "high": high}
    low, high = YOUTH_RETENTION
    if not low <= data.youth_retention_years <= high:
        errors["youth_retention_years"] = _(
            "Files of young people are kept at least %(low)s years (Jeugdwet) and at most %(high)s."
        ) % {"low": low, "high": high}
    low, high = PORTAL_AGES
    if not low <= data.portal_minimum_age <= high:
        errors["portal_minimum_age"] = _(
            "Residents can be invited to Mijn Wat telt from an age between %(low)s and %(high)s."
        ) % {"low": low, "high": high}
    if errors:
        raise ValidationError(errors)


def _stored(value: bool | int) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def change_policy(organisation: Organisation, by: Staff, data: PolicyInput) -> list[PolicyChange]:
    """Store the settings that changed, one history record per change, in one
    transaction. A new follow-up interval moves the due date of every open trajectory."""
    _check_policy(data)
    with transaction.atomic():
        # One admin at a time: the history's "old" values must be the real old values.
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        before = current_policy(locked)
        changed = [
            f.name for f in fields(PolicyInput) if getattr(before, f.name) != getattr(data, f.name)
        ]
        if not changed:
            return []
        OrganisationPolicy.objects.update_or_create(
            organisation=locked,
            defaults={
                "mandatory": data.mandatory,
                "professional_view": data.professional_view,
                "carer_view": data.carer_view,
                "portal_minimum_age": data.portal_minimum_age,
            },
        )
        if {"retention_years", "youth_retention_years"} & set(changed):
            set_retention(locked, data.retention_years, data.youth_retention_years)
        if "follow_up_interval_months" in changed:
            locked.follow_up_interval_months = data.follow_up_interval_months
            locked.save(update_fields=["follow_up_interval_months"])
            recompute_due_dates(locked)
            # Every follow-up falls due elsewhere: minutes at 1M, so done by a job.
            adoption_summary.request_organisation_refresh(locked)
        now = timezone.now()
        records = PolicyChange.objects.bulk_create(
            PolicyChange(
                organisation=locked,
                changed_by=by,
                changed_at=now,
                field=name,
                old=_stored(getattr(before, name)),
                new=_stored(getattr(data, name)),
            )
            for name in changed
        )
    organisation.follow_up_interval_months = data.follow_up_interval_months
    return records


@dataclass
class HistoryRow:
    changed_at: dt.datetime
    changed_by: str
    label: str
    old: str
    new: str


def _shown(value: str) -> str:
    return {"true": _("yes"), "false": _("no")}.get(value, value)


def policy_history(organisation: Organisation, limit: int = 50) -> list[HistoryRow]:
    changes = (
        PolicyChange.objects.filter(organisation=organisation)
        .select_related("changed_by")
        .order_by("-changed_at", "id")[:limit]
    )
    return [
        HistoryRow(
            changed_at=change.changed_at,
            changed_by=str(change.changed_by) if change.changed_by else "",
            label=str(SETTING_LABELS.get(change.field, change.field)),
            old=_shown(change.old),
            new=_shown(change.new),
        )
        for change in changes
    ]


def recompute_due_dates(organisation: Organisation) -> int:
    """Recompute `measurement_due_on` of all open trajectories of the organisation in a
    fixed number of queries: the rows locked, their due dates by the board's rule
    (`schedule.due_dates`), then batched updates of the rows that change. Returns how
    many changed; last activity is left alone: nothing happened in the trajectory itself."""
    open_ones = Trajectory.objects.open().filter(team__organisation=organisation)
    with transaction.atomic():
        current = dict(
            open_ones.select_for_update(of=("self",)).values_list("pk", "measurement_due_on")
        )
        dues = due_dates(open_ones, organisation)
        changed = [
            Trajectory(pk=pk, measurement_due_on=due)
            for pk, due in dues.items()
            if pk in current and due != current[pk]
        ]
        Trajectory.objects.bulk_update(changed, ["measurement_due_on"], batch_size=UPDATE_BATCH)
    return len(changed)


# --- Reminders -----------------------------------------------------------------------


def start_missing(trajectory: Trajectory, grace_days: int, today: dt.date | None = None) -> bool:
    """The start measurement is overdue: the grace period after the start has passed
    with no confirmed measurement and no record of one not filled in.

    Read from the kept-up due date alone, so lists need no extra query: until something
    is recorded, `refresh_due_date` sets it to the start date plus the grace period;
    after that it is a follow-up interval (a month or more) after the record."""
    due = trajectory.measurement_due_on
    if due is None or not trajectory.is_open:
        return False
    today = today or timezone.localdate()
    return due < today and due == trajectory.started_on + dt.timedelta(days=grace_days)


def reminder_state(trajectory: Trajectory, grace_days: int, today: dt.date | None = None) -> str:
    """ "start_missing", "overdue", "due" or ""."""
    if start_missing(trajectory, grace_days, today):
        return START_MISSING
    return due_state(trajectory, today)


def coach_team_list(
    user: Staff, needs_attention: bool = False, today: dt.date | None = None
) -> TrajectoryQuerySet:
    """The open trajectories of the teams the user coaches, through the one access
    rule; the most urgent due date first (needing attention: due by `today` plus
    DUE_SOON_DAYS, overdue included)."""
    left = Membership.objects.filter(team=OuterRef("team"), staff=OuterRef("responsible"))
    trajectories = (
        Trajectory.objects.visible_to(user)
        .open()
        .filter(team_id__in=coached_team_ids(user))
        .annotate(responsible_left=~Exists(left))
        .select_related("resident", "team__organisation", "responsible")
        .order_by(F("measurement_due_on").asc(nulls_last=True), "pk")
    )
    if needs_attention:
        soon = (today or timezone.localdate()) + dt.timedelta(days=DUE_SOON_DAYS)
        trajectories = trajectories.filter(measurement_due_on__lte=soon)
    return trajectories


def coach_team_counts(user: Staff, today: dt.date) -> dict[str, int]:
    """Of the coach's open trajectories: how many in all, overdue, and due within
    DUE_SOON_DAYS. One query."""
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    return coach_team_list(user).aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=Q(measurement_due_on__lt=today)),
        due=Count("pk", filter=Q(measurement_due_on__gte=today, measurement_due_on__lte=soon)),
    )


# --- The daily digest ----------------------------------------------------------------


@dataclass
class Reminder:
    trajectory_id: int
    state: str
    due_on: dt.date
    url: str = ""


@dataclass
class DigestResult:
    sent: int = 0
    already_sent: int = 0
    without_email: int = 0
    failed: int = 0


def reminders_per_professional(today: dt.date) -> dict[int, list[Reminder]]:
    """Due, overdue and start-missing trajectories, per responsible professional (active
    accounts still in the trajectory's team), most urgent first. One query."""
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    in_team = Membership.objects.filter(team=OuterRef("team"), staff=OuterRef("responsible"))
    trajectories = (
        Trajectory.objects.open()
        .filter(measurement_due_on__lte=soon, responsible__is_active=True)
        .filter(Exists(in_team))
        .select_related("team__organisation")
        .order_by("responsible_id", "measurement_due_on", "pk")
    )
    grouped: dict[int, list[Reminder]] = defaultdict(list)
    for trajectory in trajectories:
        grace = trajectory.team.organisation.start_measurement_grace_days
        state = reminder_state(trajectory, grace, today)
        if state and trajectory.measurement_due_on is not None:
            grouped[trajectory.responsible_id].append(
                Reminder(trajectory.pk, state, trajectory.measurement_due_on)
            )
    return grouped


def _digest_message(staff: Staff, reminders: list[Reminder], site_url: str) -> tuple[str, str]:
    """Subject and body. Deliberately no resident's name or other personal data: mail
    leaves our systems; the links lead to the login."""
    for reminder in reminders:
        reminder.url = site_url + reverse("instrument:progress", args=[reminder.trajectory_id])
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Wat telt: measurements that need your attention")
        body = render_to_string(
            "implementation/digest_email.txt",
            {"first_name": staff.first_name, "reminders": reminders, "count": len(reminders)},
        )
    return subject, body


def send_reminder_digest(today: dt.date | None = None, site_url: str | None = None) -> DigestResult:
    """Mail each professional the list of their trajectories that need a measurement, at
    most once a day: the DigestSent record is written in the same transaction as the
    mail is sent, so a second run (or a parallel one) sends nothing again, and a failed
    mail is tried again on the next run."""
    today = today or timezone.localdate()
    site_url = (site_url if site_url is not None else settings.SITE_URL).rstrip("/")
    result = DigestResult()
    grouped = reminders_per_professional(today)
    already = set(
        DigestSent.objects.filter(day=today, staff_id__in=grouped).values_list(
            "staff_id", flat=True
        )
    )
    result.already_sent = len(already)
    staff_by_id = Staff.objects.filter(pk__in=set(grouped) - already).in_bulk()
    for staff_id, staff in sorted(staff_by_id.items()):
        if not staff.email:
            result.without_email += 1
            continue
        reminders = grouped[staff_id]
        subject, body = _digest_message(staff, reminders, site_url)
        try:
            with transaction.atomic():
                DigestSent.objects.create(staff=staff, day=today, trajectories=len(reminders))
                send_mail(subject, body, None, [staff.email])
        except IntegrityError:
            result.already_sent += 1  # a parallel run was first
        except OSError:
            # smtplib's errors are OSErrors; the record was rolled back with the mail.
            logger.exception("reminder digest to staff %s failed", staff_id)
            result.failed += 1
        else:
            result.sent += 1
    return result


# --- Closing under a mandatory policy ------------------------------------------------


def mandatory_closing_blockers(sender: Any, trajectory: Trajectory, **kwargs: Any) -> list[str]:
    """`closing_blockers` as a receiver of `residents.signals.trajectory_closing`."""
    return closing_blockers(trajectory)


def closing_blockers(trajectory: Trajectory) -> list[str]:
    """What is missing before this trajectory may close, when the organisation made
    Wat telt mandatory: a confirmed start measurement and an end measurement, each or a
    record of why it was not filled in. Empty when closing may go ahead."""
    mandatory = OrganisationPolicy.objects.filter(
        organisation__teams=trajectory.team_id, mandatory=True
    ).exists()
    if not mandatory:
        return []
    confirmed = trajectory.measurements.filter(status=Measurement.Status.CONFIRMED)
    skipped = set(trajectory.not_filled_in.values_list("kind", flat=True))
    blockers = []
    # The start measurement is the first confirmed one, whatever its kind says.
    if not confirmed.exists() and Measurement.Kind.START not in skipped:
        blockers.append(
            _(
                "Wat telt is mandatory in your organisation: the start measurement is "
                "missing. Record it, or record why it was not filled in."
            )
        )
    if not confirmed.filter(kind=Measurement.Kind.END).exists() and (
        Measurement.Kind.END not in skipped
    ):
        blockers.append(
            _(
                "Wat telt is mandatory in your organisation: the end measurement is "
                "missing. Record it, or record why it was not filled in."
            )
        )
    return blockers
