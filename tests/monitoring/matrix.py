"""Permission-matrix entries for this area (see tests/matrix.py)."""

from __future__ import annotations

from tests.matrix import Entry, everyone

ENTRIES: dict[str, Entry] = {
    # Aggregates only: coaches (their teams), quality officer and admin (organisation),
    # analyst (municipality); a professional has no dashboard.
    "monitoring:dashboard": Entry(
        expect={**everyone(404), "bob": 200, "quinn": 200, "olga": 200, "anna": 200}
    ),
}


def extend_world(world: dict) -> dict:
    """Objects this area's URLs need, made once per matrix run; merged into the world."""
    return {}
