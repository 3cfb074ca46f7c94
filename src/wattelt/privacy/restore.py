"""After a restore: carry out again every erasure the restored backup does not know.

A backup made before an erasure brings the resident's name and BSN back. The register
file outside the database (`erasure_register.py`) still lists that erasure; each one
whose resident is in the restored database without an executed erasure is carried out
again, in its own transaction, under its original reference and moment, before the app
serves again (`manage.py restore_database` calls this).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from wattelt.audit.models import AccessLog
from wattelt.residents.models import Resident

from .erasure_register import RegisterEntry, read_file
from .models import ErasureRequest
from .services import anonymise_resident, without_identifiers

RESTORE_USERNAME = "restore_database"


@dataclass(frozen=True)
class Reapplied:
    recorded_after_backup: int  # erasures in the register file made after the backup
    reapplied: int  # carried out again now
    already_erased: int  # the restored database knew them (listed in the file, erased)
    not_in_backup: int  # the resident was registered after the backup: nothing to erase


def _reapply(entry: RegisterEntry) -> None:
    with transaction.atomic():
        resident = Resident.objects.select_for_update().get(pk=entry.resident_id)
        request = ErasureRequest.objects.filter(reference=entry.reference).first()
        if request is None:
            request = ErasureRequest(
                reference=entry.reference,
                organisation_id=entry.organisation_id,
                resident=resident,
                resident_number=resident.pk,
                source=entry.source,
                requested_at=entry.erased_at,
                received_on=entry.erased_at.date(),
            )
        request.decision_reason = without_identifiers(request.decision_reason, resident)
        request.decision = ErasureRequest.Decision.GRANTED
        request.legal_hold = ""
        request.decided_at = request.decided_at or entry.erased_at
        request.executed_at = entry.erased_at
        request.save()
        anonymise_resident(resident)
        AccessLog.objects.create(
            username=RESTORE_USERNAME,
            role="system",
            organisation_id=entry.organisation_id,
            resident_id=resident.pk,
            object_type="resident",
            object_id=str(resident.pk),
            action=AccessLog.Action.DELETE,
            purpose="avg-erasure"
            if entry.source == ErasureRequest.Source.RESIDENT
            else "avg-retention",
        )


def reapply_erasures(backup_made_at: dt.datetime, register: Path | None = None) -> Reapplied:
    """Carry out every erasure of the register file that the restored database lacks."""
    entries = read_file(register)
    erased = set(ErasureRequest.objects.executed().values_list("resident_number", flat=True))
    pending = [entry for entry in entries if entry.resident_id not in erased]
    existing = set(
        Resident.objects.filter(pk__in=[e.resident_id for e in pending]).values_list(
            "pk", flat=True
        )
    )
    done: set[int] = set()
    for entry in pending:
        if entry.resident_id in existing and entry.resident_id not in done:
            _reapply(entry)
            done.add(entry.resident_id)
    return Reapplied(
        recorded_after_backup=sum(1 for e in entries if e.erased_at >= backup_made_at),
        reapplied=len(done),
        already_erased=len(entries) - len(pending),
        not_in_backup=sum(1 for e in pending if e.resident_id not in existing),
    )
