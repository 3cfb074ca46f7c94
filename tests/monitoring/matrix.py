"""Permission-matrix entries for this area (see tests/matrix.py)."""

from __future__ import annotations

from tests.matrix import Entry, everyone

# Aggregates only: coaches (their teams), quality officer and admin (organisation),
# analyst (municipality); a professional and the privacy officer have no dashboard.
AGGREGATES = {**everyone(404), "bob": 200, "quinn": 200, "olga": 200, "anna": 200}

ENTRIES: dict[str, Entry] = {
    "monitoring:dashboard": Entry(expect=AGGREGATES),
    "monitoring:presentation": Entry(expect=AGGREGATES),
    "monitoring:export_csv": Entry(expect=AGGREGATES),
    "monitoring:export_xlsx": Entry(expect=AGGREGATES),
    "monitoring:report": Entry(expect=AGGREGATES),
    # Record-level (pseudonymised) data: only the organisation's quality officer and
    # admin, after sudo; the form itself (GET) and the export (POST).
    "monitoring:research": Entry(expect={**everyone(404), "quinn": 200, "olga": 200}),
}


def extend_world(world: dict) -> dict:
    """Objects this area's URLs need, made once per matrix run; merged into the world."""
    return {}
