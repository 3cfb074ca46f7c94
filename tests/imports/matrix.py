"""Permission-matrix entries for imports (see tests/matrix.py): the quality officer
(quinn) and the organisation admin (olga) answer for their organisation's data, so they
import its history; nobody else reaches these pages."""

from __future__ import annotations

from tests.matrix import Entry, everyone
from wattelt.imports import services

IMPORTERS = {**everyone(404), "quinn": 200, "olga": 200}

ENTRIES: dict[str, Entry] = {
    "imports:list": Entry(expect=IMPORTERS),
    "imports:template": Entry(expect=IMPORTERS),
    "imports:detail": Entry(args=lambda ctx: [ctx["import_job"].pk], expect=IMPORTERS),
}


def extend_world(world: dict) -> dict:
    quinn = world["users"]["quinn"]
    job = services.submit(quinn.organisation, quinn, "historie.csv", b"bsn;datum\r\n", True)
    return {"import_job": job}
