"""Permission-matrix entries for this area (see tests/matrix.py)."""

from __future__ import annotations

from tests.matrix import Entry

ENTRIES: dict[str, Entry] = {}


def extend_world(world: dict) -> dict:
    """Objects this area's URLs need, made once per matrix run; merged into the world."""
    return {}
