"""The resident's AVG rights: everything we hold about them (inzage), erasure on request,
and anonymisation when the retention period has passed.

Erasure anonymises rather than deletes: the resident's words and identifying details go,
the anonymous facts that monitoring counts (chip positions, grades, chosen domains,
statuses, dates, district, team) stay, so published figures do not shift afterwards."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import weasyprint
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
from wattelt.instrument.models import (
    GOAL_TEXT_FIELDS,
    ChosenDomain,
    Goal,
    GoalProgress,
    GoalReview,
    Measurement,
    NotFilledIn,
)
from wattelt.monitoring import summary as monitoring_summary
from wattelt.organisations.models import Membership, Organisation, Role, Staff
from wattelt.residents.models import Consent, Resident, Trajectory
from wattelt.residents.services import add_months
from wattelt.screening.privacy import erase_resident_findings, resident_findings

from .models import ErasureRequest, RetentionPolicy

JSON = dict[str, Any]
ANONYMISED_LAST_NAME = "(geanonimiseerd)"
# Snapshot keys whose text is part of the catalogue or a code, never the resident's words.
ANONYMOUS_SNAPSHOT_TEXT = frozenset(
    {"kind", "measured_on", "due_on", "domain", "domains", "label", "status"}
)
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


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _moment(value: dt.datetime | None) -> str | None:
    """Local time with its offset, as the resident experienced it."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _name(staff: Staff | None) -> str:
    return str(staff) if staff is not None else ""


def _trajectories_with_everything(resident: Resident) -> models.QuerySet[Trajectory]:
    """All of the resident's trajectories with all their parts, in a fixed number of
    queries whatever the size of the file."""
    measurements = Measurement.objects.select_related(
        "created_by", "confirmed_by"
    ).prefetch_related(
        Prefetch(
            "choices", ChosenDomain.objects.select_related("domain").order_by("domain__position")
        )
    )
    goals = Goal.objects.select_related("stated_in").prefetch_related(
        "domains",
        Prefetch("reviews", GoalReview.objects.select_related("measurement").order_by("id")),
        Prefetch("progress", GoalProgress.objects.select_related("author", "organisation")),
    )
    return (
        resident.trajectories.select_related("team__organisation", "responsible")
        .prefetch_related(
            Prefetch("consents", Consent.objects.select_related("organisation", "recorded_by")),
            Prefetch("measurements", measurements),
            Prefetch("goals", goals),
            Prefetch("not_filled_in", NotFilledIn.objects.select_related("recorded_by")),
        )
        .order_by("started_on", "id")
    )


def _resident_facts(resident: Resident) -> JSON:
    return {
        "id": resident.pk,
        "first_name": resident.first_name,
        "last_name": resident.last_name,
        "date_of_birth": _iso(resident.date_of_birth),
        "bsn": resident.bsn,
        "phone": resident.phone,
        "email": resident.email,
        "district": str(resident.district),
        "organisation": str(resident.organisation),
        "registered_at": _moment(resident.registered_at),
        "registered_by": _name(resident.registered_by),
    }


def _consent_facts(consent: Consent) -> JSON:
    return {
        "id": consent.pk,
        "shared_with": str(consent.organisation),
        "parts": consent.parts,
        "valid_from": _iso(consent.valid_from),
        "valid_until": _iso(consent.valid_until),
        "withdrawn_at": _moment(consent.withdrawn_at),
        "recorded_by": _name(consent.recorded_by),
        "recorded_at": _moment(consent.recorded_at),
        "note": consent.note,
    }


def _choice_facts(choice: ChosenDomain) -> JSON:
    return {
        "domain": choice.domain.key,
        "label": choice.domain.label,
        "resident_chip": choice.resident_chip,
        "professional_chip": choice.professional_chip,
        "carer_chip": choice.carer_chip,
        "prioritised": choice.prioritised,
    }


def _measurement_facts(measurement: Measurement) -> JSON:
    return {
        "id": measurement.pk,
        "kind": measurement.kind,
        "kind_label": measurement.get_kind_display(),
        "status": measurement.status,
        "status_label": measurement.get_status_display(),
        "measured_on": _iso(measurement.measured_on),
        "version": measurement.version,
        "corrects": measurement.corrects_id,
        "correction_reason": measurement.correction_reason,
        "quality_of_life": measurement.quality_of_life,
        "carer_relation": measurement.carer_relation,
        "created_by": _name(measurement.created_by),
        "confirmed_by": _name(measurement.confirmed_by),
        "confirmed_at": _moment(measurement.confirmed_at),
        "choices": [_choice_facts(c) for c in measurement.choices.all()],
        "snapshot": measurement.snapshot,
    }


def _goal_facts(goal: Goal) -> JSON:
    return {
        "id": goal.pk,
        "stated_in_measurement": goal.stated_in_id,
        "stated_on": _iso(goal.stated_in.measured_on),
        "domains": sorted(d.label for d in goal.domains.all()),
        **{name: getattr(goal, name) for name in GOAL_TEXT_FIELDS},
        "due_on": _iso(goal.due_on),
        "status": goal.status,
        "status_label": goal.get_status_display(),
        "reviews": [
            {
                "measurement": r.measurement_id,
                "measured_on": _iso(r.measurement.measured_on),
                "status": r.status,
                "status_label": r.get_status_display(),
                "note": r.note,
            }
            for r in goal.reviews.all()
        ],
        "progress": [
            {
                "at": _moment(p.created_at),
                "author": _name(p.author),
                "organisation": str(p.organisation),
                "status": p.status,
                "status_label": p.get_status_display(),
                "note": p.note,
            }
            for p in goal.progress.all()
        ],
    }


def _not_filled_in_facts(record: NotFilledIn) -> JSON:
    return {
        "id": record.pk,
        "kind": record.kind,
        "kind_label": record.get_kind_display(),
        "reason": record.reason,
        "reason_label": record.get_reason_display(),
        "note": record.note,
        "recorded_on": _iso(record.recorded_on),
        "recorded_by": _name(record.recorded_by),
    }


def _trajectory_facts(trajectory: Trajectory) -> JSON:
    return {
        "id": trajectory.pk,
        "organisation": str(trajectory.team.organisation),
        "team": str(trajectory.team),
        "responsible": _name(trajectory.responsible),
        "started_on": _iso(trajectory.started_on),
        "ended_on": _iso(trajectory.ended_on),
        "closing_reason": trajectory.closing_reason,
        "closing_reason_label": trajectory.get_closing_reason_display(),
        "closing_note": trajectory.closing_note,
        "next_appointment": trajectory.next_appointment,
        "consents": [_consent_facts(c) for c in trajectory.consents.all()],
        "measurements": [_measurement_facts(m) for m in trajectory.measurements.all()],
        "goals": [_goal_facts(g) for g in trajectory.goals.all()],
        "not_filled_in": [_not_filled_in_facts(n) for n in trajectory.not_filled_in.all()],
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
            "at": _moment(r.at),
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
    return {
        "generated_at": _moment(timezone.now()),
        "controller": str(resident.organisation),
        "resident": _resident_facts(resident),
        "trajectories": [_trajectory_facts(t) for t in _trajectories_with_everything(resident)],
        "screening": resident_findings(resident.pk),
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
    pdf: bytes = weasyprint.HTML(string=html).write_pdf()
    return pdf


# --- Anonymisation: the one way personal data goes ---------------------------------------


def anonymised_snapshot(snapshot: Any, key: str = "") -> Any:
    """The snapshot with every text blanked except codes, dates and catalogue labels;
    numbers (chips, grades) and flags stay. Unknown keys count as free text."""
    if isinstance(snapshot, dict):
        return {k: anonymised_snapshot(v, k) for k, v in snapshot.items()}
    if isinstance(snapshot, list):
        return [anonymised_snapshot(item, key) for item in snapshot]
    if isinstance(snapshot, str) and key not in ANONYMOUS_SNAPSHOT_TEXT:
        return ""
    return snapshot


def _anonymise_measurements(trajectories: models.QuerySet[Trajectory]) -> list[int]:
    measurements = Measurement.objects.filter(trajectory__in=trajectories)
    for measurement in measurements.exclude(snapshot=None).only("pk", "snapshot"):
        measurement.snapshot = anonymised_snapshot(measurement.snapshot)
        measurement.save(update_fields=["snapshot"])
    measurements.update(carer_relation="", correction_reason="")
    return list(measurements.values_list("pk", flat=True))


def _anonymise_plan(trajectories: models.QuerySet[Trajectory]) -> list[int]:
    goals = Goal.objects.filter(trajectory__in=trajectories)
    goals.update(**dict.fromkeys(GOAL_TEXT_FIELDS, ""))
    GoalReview.objects.filter(goal__in=goals).update(note="")
    GoalProgress.objects.filter(goal__in=goals).update(note="")
    return list(goals.values_list("pk", flat=True))


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
    monitoring_summary.refresh_resident(resident.pk)  # the birth date changed
    Consent.objects.filter(trajectory__in=trajectories).update(note="")
    NotFilledIn.objects.filter(trajectory__in=trajectories).update(note="")
    erase_resident_findings(trajectories.values_list("pk", flat=True))
    measurement_ids = _anonymise_measurements(trajectories)
    goal_ids = _anonymise_plan(trajectories)
    _anonymise_admin_history(
        {
            Resident: [resident.pk],
            Trajectory: list(trajectories.values_list("pk", flat=True)),
            Measurement: measurement_ids,
            Goal: goal_ids,
        }
    )


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
        ErasureRequest.objects.create(
            organisation_id=case.organisation_id,
            resident=resident,
            resident_number=resident.pk,
            source=ErasureRequest.Source.RETENTION,
            decision=ErasureRequest.Decision.GRANTED,
            decision_reason=case.reason,
            decided_at=now,
            executed_at=now,
        )
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
