"""Permission-matrix entries for this area (see tests/matrix.py)."""

from __future__ import annotations

from tests.matrix import Entry, everyone

ENTRIES: dict[str, Entry] = {
    # Only the organisation admin manages the organisation's Wat telt settings.
    "implementation:organisation_settings": Entry(expect={**everyone(404), "olga": 200}),
    # The reminder list is a coach's tool: for anyone who coaches no team the page does
    # not exist (404), as with the other role pages (privacy, access log, settings);
    # a professional sees their own due measurements on the start page.
    "implementation:team_reminders": Entry(expect={**everyone(404), "bob": 200}),
}


def extend_world(world: dict) -> dict:
    """Objects this area's URLs need, made once per matrix run; merged into the world."""
    return {}
