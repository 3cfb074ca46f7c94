"""The erasure register: which residents were erased, when, and under which decision.

Kept twice. In the database it is the executed erasure requests (`ErasureRequest`, one
per erasure on request and one per file anonymised by retention). Outside the database
it is a file of JSON lines next to the backups (settings.ERASURE_REGISTER_FILE), appended
to when an erasure commits. A backup made before an erasure still holds the resident's
name and BSN; the file survives the restore of that backup, and the restore re-applies
every erasure the file lists that the restored database does not (`restore.py`).

Neither copy holds personal data: the resident is named by id, the decision by its
anonymous reference (AVG-...).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from .models import ErasureRequest

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RegisterEntry:
    resident_id: int
    erased_at: dt.datetime
    reference: str
    source: str  # ErasureRequest.Source: the resident's request or the retention period
    organisation_id: int

    @classmethod
    def of(cls, request: ErasureRequest) -> RegisterEntry:
        if request.executed_at is None:
            raise ValueError(f"erasure request {request.reference} was not carried out")
        return cls(
            resident_id=request.resident_number,
            erased_at=request.executed_at,
            reference=request.reference,
            source=request.source,
            organisation_id=request.organisation_id,
        )

    def as_line(self) -> str:
        return json.dumps({**asdict(self), "erased_at": self.erased_at.isoformat()})

    @classmethod
    def from_line(cls, line: str) -> RegisterEntry:
        data = json.loads(line)
        return cls(
            resident_id=int(data["resident_id"]),
            erased_at=dt.datetime.fromisoformat(data["erased_at"]),
            reference=str(data["reference"]),
            source=str(data["source"]),
            organisation_id=int(data["organisation_id"]),
        )


def register_file() -> Path:
    return Path(settings.ERASURE_REGISTER_FILE)


def append_to_file(entries: list[RegisterEntry], path: Path | None = None) -> None:
    """Append the entries and flush them to disk; one writer at a time."""
    if not entries:
        return
    path = path or register_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.write("".join(f"{entry.as_line()}\n" for entry in entries))
        handle.flush()
        os.fsync(handle.fileno())


def _append_after_commit(entry: RegisterEntry) -> None:
    try:
        append_to_file([entry])
    except OSError:
        # The erasure itself has happened; the next backup copies what the file misses
        # (copy_to_file) before it dumps. Say so loudly, without naming anyone.
        log.exception("erasure %s not written to the register file", entry.reference)


def record_erasure(request: ErasureRequest) -> None:
    """Write an executed erasure to the register file once its transaction commits (the
    database copy is the request itself)."""
    entry = RegisterEntry.of(request)
    transaction.on_commit(lambda: _append_after_commit(entry))


def read_file(path: Path | None = None) -> list[RegisterEntry]:
    path = path or register_file()
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        return [RegisterEntry.from_line(line) for line in handle if line.strip()]


def in_database() -> list[RegisterEntry]:
    return [RegisterEntry.of(r) for r in ErasureRequest.objects.executed().order_by("executed_at")]


def copy_to_file(path: Path | None = None) -> int:
    """Append the database's erasures the file does not list yet (e.g. when the disk was
    full at the time); the backup does this before each dump. Returns how many."""
    known = {entry.reference for entry in read_file(path)}
    missing = [entry for entry in in_database() if entry.reference not in known]
    append_to_file(missing, path)
    return len(missing)
