"""The resident's AVG rights: everything we hold about them (inzage), erasure on request,
and anonymisation when the retention period has passed.

Erasure anonymises rather than deletes: the resident's words and identifying details go,
the anonymous facts that monitoring counts (chip positions, grades, chosen domains,
statuses, dates, district, team) stay, so published figures do not shift afterwards.

What the apps above privacy hold (measurements and goals, screening findings) they
register in `registry.py`; this module reads and erases it through that registry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Exists, Max, Min, OuterRef, Prefetch, Q
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from wattelt.audit.models import AccessLog
from wattelt.organisations.models import Membership, Organisation, Role, Staff
from wattelt.residents.models import Consent, Resident, Trajectory
from wattelt.residents.services import add_months

from .erasure_register import record_erasure
from .models import ErasureRequest, RetentionPolicy
from .registry import JSON, iso, moment, name_of, personal_data
from .signals import resident_anonymised

ANONYMISED_LAST_NAME = "(geanonimiseerd)"
RETENTION_PURPOSE = "avg-retention"


def purpose_label(purpose: str) -> str:
    """The purpose of a look at the file in words the resident understands."""
    labels = {
        "care": _("your support"),
        "avg-inzage": _("your request to see your data"),
        "avg-erasure": _("your request to erase your data"),
        RETENTION_PURPOSE: _("the end of the period we keep data"),
        "privacy": _("privacy supervision"),
    }
    return str(labels.get(purpose, purpose))


RETENTION_USERNAME = "apply_retention"


# --- Inzage: everything we hold about one resident --------------------------------------


def _trajectories_with_consents(resident: Resident) -> list[Trajectory]:
    """All of the resident's trajectories with their consents; the apps that hold more
    about them add it through the registry."""
    return list(
        Trajectory.objects.filter(resident_id=resident.pk)
        .select_related("team__organisation", "responsible")
        .prefetch_related(
            Prefetch("consents", Consent.objects.select_related("organisation", "recorded_by"))
        )
        .order_by("started_on", "id")
    )


def _resident_facts(resident: Resident) -> JSON:
    return {
        "id": resident.pk,
        "first_name": resident.first_name,
        "last_name": resident.last_name,
        "date_of_birth": iso(resident.date_of_birth),
        "bsn": resident.bsn,
        "phone": resident.phone,
        "email": resident.email,
        "district": str(resident.district),
        "organisation": str(resident.organisation),
        "registered_at": moment(resident.registered_at),
        "registered_by": name_of(resident.registered_by),
    }


def _consent_facts(consent: Consent) -> JSON:
    return {
        "id": consent.pk,
        "shared_with": str(consent.organisation),
        "parts": consent.parts,
        "valid_from": iso(consent.valid_from),
        "valid_until": iso(consent.valid_until),
        "withdrawn_at": moment(consent.withdrawn_at),
        "recorded_by": name_of(consent.recorded_by),
        "recorded_at": moment(consent.recorded_at),
        "note": consent.note,
    }


def _trajectory_facts(trajectory: Trajectory, more: list[dict[int, JSON]]) -> JSON:
    return {
        "id": trajectory.pk,
        "organisation": str(trajectory.team.organisation),
        "team": str(trajectory.team),
        "responsible": name_of(trajectory.responsible),
        "started_on": iso(trajectory.started_on),
        "ended_on": iso(trajectory.ended_on),
        "closing_reason": trajectory.closing_reason,
        "closing_reason_label": trajectory.get_closing_reason_display(),
        "closing_note": trajectory.closing_note,
        "next_appointment": trajectory.next_appointment,
        "consents": [_consent_facts(c) for c in trajectory.consents.all()],
        **{key: facts for app in more for key, facts in app[trajectory.pk].items()},
    }


def role_label(roles: str) -> str:
    """The access log's role codes ("professional,teamcoach") in words."""
    labels = {
        **dict(Membership.Role.choices),
        **dict(Role.Name.choices),
        "admin": _("administrator"),
    }
    return ", ".join(str(labels.get(code, code)) for code in roles.split(",") if code)


def who_looked(resident: Resident) -> list[JSON]:
    """Every recorded look at the resident's file: when, who, in which role, what, why."""
    records = list(AccessLog.objects.filter(resident_id=resident.pk).order_by("at", "id"))
    organisation_ids = {r.organisation_id for r in records if r.organisation_id is not None}
    organisations = dict(
        Organisation.objects.filter(pk__in=organisation_ids).values_list("pk", "name")
    )
    return [
        {
            "at": moment(r.at),
            "who": r.username,
            "role": r.role,
            "role_label": role_label(r.role),
            "organisation": organisations.get(r.organisation_id or 0, ""),
            "action": r.action,
            "action_label": r.get_action_display(),
            "object": f"{r.object_type} {r.object_id}".strip(),
            "purpose": r.purpose,
            "purpose_label": purpose_label(r.purpose),
        }
        for r in records
    ]


def resident_data(resident: Resident) -> JSON:
    """Everything the organisation holds about the resident, for an access request
    (AVG art. 15): their own data in full, including the BSN and who looked at it."""
    resident = Resident.objects.select_related("district", "organisation", "registered_by").get(
        pk=resident.pk
    )
    trajectories = _trajectories_with_consents(resident)
    ids = [t.pk for t in trajectories]
    more = [app.trajectory_facts(ids) for app in personal_data() if app.trajectory_facts]
    return {
        "generated_at": moment(timezone.now()),
        "controller": str(resident.organisation),
        "resident": _resident_facts(resident),
        "trajectories": [_trajectory_facts(t, more) for t in trajectories],
        **{
            key: facts
            for app in personal_data()
            if app.resident_facts
            for key, facts in app.resident_facts(resident.pk).items()
        },
        "access_log": who_looked(resident),
    }


@lru_cache(maxsize=1)
def _inzage_css() -> str:
    path = Path(__file__).parent / "templates" / "privacy" / "inzage.css"
    return path.read_text(encoding="utf-8")


def render_inzage_pdf(request: HttpRequest, data: JSON) -> bytes:
    """The same data as `resident_data`, as a document in plain language."""
    html = render_to_string(
        "privacy/inzage_pdf.html",
        {"data": data, "printed_on": timezone.localdate(), "css": _inzage_css()},
        request=request,
    )
    import weasyprint  # on first use: it costs an app server's start over a second

    pdf: bytes = weasyprint.HTML(string=html).write_pdf()
    return pdf


# --- Anonymisation: the one way personal data goes ---------------------------------------


def _anonymise_admin_history(objects: dict[type[models.Model], list[int]]) -> None:
    """The admin's change history names objects by their text, e.g. the resident's name."""
    for model, ids in objects.items():
        content_type = ContentType.objects.get_for_model(model)
        LogEntry.objects.filter(
            content_type=content_type, object_id__in=[str(pk) for pk in ids]
        ).update(object_repr=f"{model._meta.model_name} (geanonimiseerd)", change_message="")


def anonymise_resident(resident: Resident) -> None:
    """Remove what identifies the resident and everything said in their words; keep the
    anonymous facts that monitoring counts. The birth date keeps only its year."""
    trajectories = Trajectory.objects.filter(resident_id=resident.pk)
    Resident.objects.filter(pk=resident.pk).update(
        first_name="",
        last_name=ANONYMISED_LAST_NAME,
        bsn="",
        phone="",
        email="",
        date_of_birth=dt.date(resident.date_of_birth.year, 7, 1),
    )
    trajectories.update(closing_note="", next_appointment="")
    resident_anonymised.send(sender=Resident, resident_id=resident.pk)  # monitoring recounts
    Consent.objects.filter(trajectory__in=trajectories).update(note="")
    trajectory_ids = list(trajectories.values_list("pk", flat=True))
    named: dict[type[models.Model], list[int]] = {
        Resident: [resident.pk],
        Trajectory: trajectory_ids,
    }
    for app in personal_data():
        if app.erase:
            named.update(app.erase(trajectory_ids))
    _anonymise_admin_history(named)


def without_identifiers(text: str, resident: Resident) -> str:
    """The text with the resident's names and BSN blotted out, for notes we keep."""
    for word in (resident.first_name, resident.last_name, resident.bsn):
        if word.strip():
            text = _replace_ignoring_case(text, word.strip(), "***")
    return text


def _replace_ignoring_case(text: str, word: str, by: str) -> str:
    lowered, needle, parts, start = text.lower(), word.lower(), [], 0
    while (found := lowered.find(needle, start)) >= 0:
        parts.append(text[start:found] + by)
        start = found + len(needle)
    return "".join(parts) + text[start:]


# --- Erasure on request ------------------------------------------------------------------


def youth_care_applies(resident: Resident) -> bool:
    """The resident had support while under 18: the youth care retention obligation
    (20 years) may oppose erasure. The privacy officer decides."""
    first_start = resident.trajectories.aggregate(first=Min("started_on"))["first"]
    return first_start is not None and resident.is_young_on(first_start)


def register_erasure_request(
    resident: Resident, by: Staff, received_on: dt.date | None = None
) -> ErasureRequest:
    received_on = received_on or timezone.localdate()
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": _("The date of receipt cannot be in the future.")})
    open_requests = ErasureRequest.objects.filter(resident=resident).filter(
        Q(decision=ErasureRequest.Decision.PENDING)
        | Q(decision=ErasureRequest.Decision.GRANTED, executed_at__isnull=True)
    )
    if open_requests.exists():
        raise ValidationError(_("An erasure request of this resident is still being handled."))
    return ErasureRequest.objects.create(
        organisation_id=resident.organisation_id,
        resident=resident,
        resident_number=resident.pk,
        received_on=received_on,
        requested_by=by,
    )


def decide_erasure(
    request: ErasureRequest, by: Staff, decision: str, reason: str = "", legal_hold: str = ""
) -> ErasureRequest:
    """Grant or refuse. A legal obligation to keep the data rules out granting; a refusal
    needs a reason the resident can be told."""
    errors = {}
    if decision not in (ErasureRequest.Decision.GRANTED, ErasureRequest.Decision.REFUSED):
        errors["decision"] = _("Choose whether the request is granted or refused.")
    if legal_hold and legal_hold not in ErasureRequest.LegalHold.values:
        errors["legal_hold"] = _("Unknown legal obligation.")
    elif legal_hold and decision == ErasureRequest.Decision.GRANTED:
        errors["legal_hold"] = _(
            "A legal obligation to keep the data applies: the request cannot be granted."
        )
    if decision == ErasureRequest.Decision.REFUSED and not (reason.strip() or legal_hold):
        errors["decision_reason"] = _("Give the reason for the refusal.")
    if legal_hold == ErasureRequest.LegalHold.OTHER and not reason.strip():
        errors["decision_reason"] = _("Explain which legal obligation applies.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = ErasureRequest.objects.select_for_update().get(pk=request.pk)
        if not locked.is_pending:
            raise ValidationError(_("A decision on this request was already taken."))
        locked.decision = decision
        locked.decision_reason = reason.strip()
        locked.legal_hold = legal_hold
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.save()
        return locked


def execute_erasure(request: ErasureRequest, by: Staff) -> ErasureRequest:
    """Anonymise the resident of a granted request, all in one transaction."""
    with transaction.atomic():
        locked = ErasureRequest.objects.select_for_update().get(pk=request.pk)
        if locked.legal_hold:
            raise ValidationError(
                _("A legal obligation to keep the data applies: nothing is erased.")
            )
        if locked.decision != ErasureRequest.Decision.GRANTED:
            raise ValidationError(_("Only a granted request can be carried out."))
        if locked.executed_at is not None:
            raise ValidationError(_("This request was already carried out."))
        resident = locked.resident
        if resident is None:
            raise ValidationError(_("The resident of this request no longer exists."))
        locked.decision_reason = without_identifiers(locked.decision_reason, resident)
        anonymise_resident(resident)
        locked.executed_by = by
        locked.executed_at = timezone.now()
        locked.save()
        record_erasure(locked)
        return locked


# --- Retention ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionCase:
    """A resident whose file has been kept long enough. Names no one."""

    resident_id: int
    organisation_id: int
    last_closed_on: dt.date
    young: bool
    years: int

    @property
    def expired_on(self) -> dt.date:
        return add_months(self.last_closed_on, 12 * self.years)

    @property
    def reason(self) -> str:
        group = "youth" if self.young else "adult"
        return (
            f"all trajectories closed, the last on {self.last_closed_on.isoformat()}; "
            f"retention {self.years} years ({group}) ended {self.expired_on.isoformat()}"
        )


def retention_policies() -> tuple[dict[int, RetentionPolicy], RetentionPolicy]:
    """The organisations' own policies and the default for the rest."""
    own = {p.organisation_id: p for p in RetentionPolicy.objects.all()}
    return own, RetentionPolicy()


def _closed_files(closed_before: dt.date) -> models.QuerySet[Resident]:
    """Residents not yet anonymised whose trajectories are all closed, the last one
    before the given day."""
    anonymised = ErasureRequest.objects.executed().filter(resident=OuterRef("pk"))
    return (
        Resident.objects.annotate(
            open_count=Count("trajectories", filter=Q(trajectories__ended_on__isnull=True)),
            last_closed_on=Max("trajectories__ended_on"),
            first_started_on=Min("trajectories__started_on"),
        )
        .filter(open_count=0, last_closed_on__lt=closed_before)
        .exclude(Exists(anonymised))
        .only("pk", "organisation_id", "date_of_birth")
        .order_by("pk")
    )


def expired_files(today: dt.date | None = None) -> list[RetentionCase]:
    """The residents whose retention period has passed. Young people (under 18 when
    their support started) have the longer youth care period."""
    today = today or timezone.localdate()
    own, default = retention_policies()
    shortest = min(p.years_for(young) for p in [default, *own.values()] for young in (False, True))
    cases = []
    for resident in _closed_files(add_months(today, -12 * shortest)).iterator():
        policy = own.get(resident.organisation_id, default)
        young = resident.is_young_on(resident.first_started_on)  # type: ignore[attr-defined]
        case = RetentionCase(
            resident_id=resident.pk,
            organisation_id=resident.organisation_id,
            last_closed_on=resident.last_closed_on,  # type: ignore[attr-defined]
            young=young,
            years=policy.years_for(young),
        )
        if case.expired_on < today:
            cases.append(case)
    return cases


def _still_expired(case: RetentionCase) -> bool:
    """Nothing changed since the case was listed, e.g. no trajectory was reopened."""
    trajectories = Trajectory.objects.filter(resident_id=case.resident_id)
    return not trajectories.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=case.last_closed_on)
    ).exists()


def anonymise_expired_file(case: RetentionCase) -> bool:
    """Anonymise one expired file, recorded as an executed erasure and in the access log."""
    with transaction.atomic():
        resident = Resident.objects.select_for_update().get(pk=case.resident_id)
        if not _still_expired(case):
            return False
        anonymise_resident(resident)
        now = timezone.now()
        erasure = ErasureRequest.objects.create(
            organisation_id=case.organisation_id,
            resident=resident,
            resident_number=resident.pk,
            source=ErasureRequest.Source.RETENTION,
            decision=ErasureRequest.Decision.GRANTED,
            decision_reason=case.reason,
            decided_at=now,
            executed_at=now,
        )
        record_erasure(erasure)
        AccessLog.objects.create(
            username=RETENTION_USERNAME,
            role="system",
            organisation_id=case.organisation_id,
            resident_id=resident.pk,
            object_type="resident",
            object_id=str(resident.pk),
            action=AccessLog.Action.DELETE,
            purpose=RETENTION_PURPOSE,
        )
        return True


def apply_retention(today: dt.date | None = None, dry_run: bool = False) -> list[RetentionCase]:
    """Anonymise every expired file (or, in a dry run, only list them). Each file in its
    own transaction, so one failure does not undo the others."""
    cases = expired_files(today)
    if dry_run:
        return cases
    return [case for case in cases if anonymise_expired_file(case)]
