"""Registering residents, opening and closing trajectories, consent. What the apps built on
residents add (the first due date, closing rules, monitoring) they attach to the signals in
`signals.py`."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wattelt.bounds import (
    BIRTH_YEARS_BACK,
    NOTE_MAX_LENGTH,
    YEARS_AHEAD,
    YEARS_BACK,
    check_date,
    check_length,
    implausible_date,
    too_long,
)
from wattelt.organisations.models import District, Organisation, Staff, Team

from .bsn import is_valid_bsn
from .language import CODES as LANGUAGE_CODES
from .language import DEFAULT as DEFAULT_LANGUAGE
from .models import Consent, Resident, Trajectory
from .signals import (
    consent_given,
    consent_withdrawn,
    responsible_assigned,
    trajectory_closed,
    trajectory_closing,
    trajectory_opened,
)

DUE_SOON_DAYS = 14
APPOINTMENT_MAX_LENGTH = 200


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clipped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


@dataclass
class ResidentInput:
    first_name: str
    last_name: str
    date_of_birth: dt.date
    district: District
    bsn: str = ""
    phone: str = ""
    email: str = ""
    language: str = DEFAULT_LANGUAGE


@dataclass
class PossibleDuplicates:
    """Residents with the same name and date of birth: those the user may see, by name;
    of the others in the user's organisation only that they exist."""

    visible: list[Resident]
    others: bool

    def __bool__(self) -> bool:
        return bool(self.visible) or self.others


def possible_duplicates(data: ResidentInput, by: Staff) -> PossibleDuplicates:
    """Whether registering `data` would register someone a second time (the same form
    posted twice, or a colleague who registered them already). Residents the user may
    not see are never named, and other organisations' residents never counted."""
    same = Resident.objects.filter(
        first_name__iexact=data.first_name.strip(),
        last_name__iexact=data.last_name.strip(),
        date_of_birth=data.date_of_birth,
    )
    visible = list(same.visible_to(by).order_by("pk")[:5])
    others = (
        by.organisation_id is not None
        and same.filter(organisation_id=by.organisation_id)
        .exclude(pk__in=[r.pk for r in visible])
        .exists()
    )
    return PossibleDuplicates(visible, others)


def register_resident(data: ResidentInput, by: Staff) -> Resident:
    bsn = data.bsn.replace(" ", "").replace(".", "")
    if bsn and not is_valid_bsn(bsn):
        raise ValidationError(
            {"bsn": _("This BSN is not valid: it must be 9 digits and pass the 11-proof.")}
        )
    if data.date_of_birth > timezone.localdate():
        raise ValidationError({"date_of_birth": _("The date of birth cannot be in the future.")})
    errors: dict[str, str] = {}
    check_date(
        errors,
        "date_of_birth",
        data.date_of_birth,
        _("Date of birth"),
        years_back=BIRTH_YEARS_BACK,
        years_ahead=0,
    )
    if errors:
        raise ValidationError(errors)
    if by.organisation_id is None:
        raise ValidationError(_("Your account is not linked to an organisation."))
    return Resident.objects.create(
        organisation_id=by.organisation_id,
        first_name=data.first_name.strip(),
        last_name=data.last_name.strip(),
        date_of_birth=data.date_of_birth,
        district=data.district,
        bsn=bsn,
        phone=data.phone.strip(),
        email=data.email.strip(),
        language=data.language if data.language in LANGUAGE_CODES else DEFAULT_LANGUAGE,
        registered_by=by,
    )


class TrajectoryAlreadyOpen(ValidationError):
    """A trajectory of this resident is still open in the team: `trajectory` is that one,
    so the screen can link to it."""

    def __init__(self, trajectory: Trajectory) -> None:
        self.trajectory = trajectory
        super().__init__(
            {
                "team": _(
                    "%(resident)s already has an open trajectory in %(team)s (since "
                    "%(started_on)s). Continue in that one, or close it first."
                )
                % {
                    "resident": trajectory.resident,
                    "team": trajectory.team,
                    "started_on": trajectory.started_on.strftime("%d-%m-%Y"),
                }
            }
        )


def open_trajectory(
    resident: Resident, team: Team, responsible: Staff, started_on: dt.date | None = None
) -> Trajectory:
    """One open trajectory per resident and team: a second one is refused
    (`TrajectoryAlreadyOpen`), also when two people tap at once."""
    started_on = started_on or timezone.localdate()
    if started_on > timezone.localdate():
        raise ValidationError({"started_on": _("A trajectory cannot start in the future.")})
    too_early = implausible_date(
        started_on, _("Start date"), years_back=YEARS_BACK, years_ahead=YEARS_AHEAD
    )
    if too_early:
        raise ValidationError({"started_on": too_early})
    if resident.organisation_id != team.organisation_id:
        # A specialist sees a shared resident, but never makes them their own.
        raise ValidationError({"team": _("This resident is registered with another organisation.")})
    if not responsible.memberships.filter(team=team).exists():
        raise ValidationError({"team": _("The responsible professional is not in this team.")})
    with transaction.atomic():
        # The resident's row lock makes the check and the insert one step (PostgreSQL);
        # SQLite allows one writer at a time anyway.
        Resident.objects.select_for_update().filter(pk=resident.pk).first()
        already = (
            Trajectory.objects.open()
            .filter(resident=resident, team=team)
            .select_related("resident", "team")
            .first()
        )
        if already is not None:
            raise TrajectoryAlreadyOpen(already)
        trajectory = Trajectory.objects.create(
            resident=resident, team=team, responsible=responsible, started_on=started_on
        )
        # The instrument sets the first due date, monitoring counts the trajectory.
        trajectory_opened.send(sender=Trajectory, trajectory=trajectory)
    return trajectory


def close_trajectory(
    trajectory: Trajectory, by: Staff, reason: str, note: str = "", ended_on: dt.date | None = None
) -> Trajectory:
    ended_on = ended_on or timezone.localdate()
    errors = {}
    if reason not in Trajectory.ClosingReason.values:
        errors["closing_reason"] = _("Choose a reason for closing.")
    if reason == Trajectory.ClosingReason.OTHER and not note.strip():
        errors["closing_note"] = _("Explain the reason “other” in the note.")
    if ended_on < trajectory.started_on:
        errors["ended_on"] = _("The end date lies before the start date.")
    check_date(errors, "ended_on", ended_on, _("End date"), years_back=YEARS_BACK, years_ahead=1)
    check_length(errors, "closing_note", note.strip(), NOTE_MAX_LENGTH)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Trajectory.objects.select_for_update().get(pk=trajectory.pk)
        if not locked.is_open:
            raise ValidationError(_("This trajectory is already closed."))
        # The rules of the apps built on residents: no open draft, the mandatory policy.
        blockers: list[str] = []
        for _receiver, reasons in trajectory_closing.send(sender=Trajectory, trajectory=locked):
            blockers += cast("list[str]", reasons)
        if blockers:
            raise ValidationError(blockers)
        locked.ended_on = ended_on
        locked.closing_reason = reason
        locked.closing_note = note.strip()
        locked.measurement_due_on = None
        locked.last_activity_at = timezone.now()
        locked.save()
        trajectory_closed.send(sender=Trajectory, trajectory=locked)
        return locked


def touch(trajectory: Trajectory) -> None:
    Trajectory.objects.filter(pk=trajectory.pk).update(last_activity_at=timezone.now())


def due_state(trajectory: Trajectory, today: dt.date | None = None) -> str:
    """ "overdue", "due" (within two weeks) or "" for the start page."""
    if trajectory.measurement_due_on is None:
        return ""
    today = today or timezone.localdate()
    if trajectory.measurement_due_on < today:
        return "overdue"
    if trajectory.measurement_due_on <= today + dt.timedelta(days=DUE_SOON_DAYS):
        return "due"
    return ""


def set_next_appointment(trajectory: Trajectory, text: str) -> None:
    message = too_long(text.strip(), APPOINTMENT_MAX_LENGTH)
    if message:
        raise ValidationError({"next_appointment": message})
    Trajectory.objects.filter(pk=trajectory.pk).update(
        next_appointment=text.strip(), last_activity_at=timezone.now()
    )


@dataclass
class ConsentInput:
    organisation: Organisation
    share_plan: bool
    share_goals: bool
    share_measurements: bool
    valid_from: dt.date
    valid_until: dt.date | None = None
    note: str = ""


def record_consent(trajectory: Trajectory, by: Staff, data: ConsentInput) -> Consent:
    """The resident agrees to share parts of this trajectory with another organisation."""
    errors = {}
    if not (data.share_plan or data.share_goals or data.share_measurements):
        errors["share_plan"] = _("Choose at least one part to share.")
    if data.valid_until is not None and data.valid_until < data.valid_from:
        errors["valid_until"] = _("The end date lies before the start date.")
    if data.organisation.pk == trajectory.team.organisation_id:
        errors["organisation"] = _("This is the organisation of the trajectory itself.")
    check_date(
        errors, "valid_from", data.valid_from, _("From"), years_back=YEARS_BACK, years_ahead=1
    )
    check_date(
        errors,
        "valid_until",
        data.valid_until,
        _("Until"),
        years_back=YEARS_BACK,
        years_ahead=YEARS_AHEAD,
    )
    check_length(errors, "note", data.note.strip(), NOTE_MAX_LENGTH)
    if errors:
        raise ValidationError(errors)
    if not trajectory.is_open:
        raise ValidationError(_("This trajectory is closed; nothing can be shared any more."))
    with transaction.atomic():
        consent = Consent.objects.create(
            trajectory=trajectory,
            organisation=data.organisation,
            share_plan=data.share_plan,
            share_goals=data.share_goals,
            share_measurements=data.share_measurements,
            valid_from=data.valid_from,
            valid_until=data.valid_until,
            note=data.note.strip(),
            recorded_by=by,
        )
        consent_given.send(sender=Consent, consent=consent)
        return consent


def withdraw_consent(consent: Consent, by: Staff) -> Consent:
    """Withdrawal takes effect at once: the next request of the specialist sees nothing."""
    return _withdraw(consent, by_resident=False)


def withdraw_consent_by_resident(consent: Consent, resident: Resident) -> Consent:
    """The resident withdraws their own consent in Mijn Wat telt: as a staff withdrawal
    (at once, the same signal, so the outbox and the specialist's access follow), and
    recorded as theirs."""
    if consent.trajectory.resident_id != resident.pk:
        raise ValidationError(_("This consent is not yours."))
    return _withdraw(consent, by_resident=True)


def _withdraw(consent: Consent, *, by_resident: bool) -> Consent:
    with transaction.atomic():
        locked = Consent.objects.select_for_update().get(pk=consent.pk)
        if locked.withdrawn_at is not None:
            raise ValidationError(_("This consent was already withdrawn."))
        locked.withdrawn_at = timezone.now()
        locked.withdrawn_by_resident = by_resident
        locked.save(update_fields=["withdrawn_at", "withdrawn_by_resident"])
        consent_withdrawn.send(sender=Consent, consent=locked)
        return locked


def assign_responsible(trajectory: Trajectory, by: Staff, responsible: Staff) -> Trajectory:
    """Hand an open trajectory to another professional of its team: needed when the
    responsible professional left the team (and with it, the trajectory)."""
    with transaction.atomic():
        locked = Trajectory.objects.select_for_update().get(pk=trajectory.pk)
        if not locked.is_open:
            raise ValidationError(_("This trajectory is already closed."))
        in_team = responsible.memberships.filter(
            team_id=locked.team_id, role="professional"
        ).exists()
        if not in_team:
            raise ValidationError(
                {
                    "responsible": _("Choose a professional of the team %(team)s.")
                    % {"team": locked.team}
                }
            )
        locked.responsible = responsible
        locked.last_activity_at = timezone.now()
        locked.save(update_fields=["responsible", "last_activity_at"])
        responsible_assigned.send(sender=Trajectory, trajectory=locked)
        return locked


def set_language(resident: Resident, code: str) -> Resident:
    """The language the resident's screens speak from now on (also during a conversation)."""
    if code not in LANGUAGE_CODES:
        raise ValidationError({"language": _("This language is not offered.")})
    if resident.language != code:
        resident.language = code
        resident.save(update_fields=["language"])
    return resident
