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
    # Adoption figures are about professionals, never residents. Quality officer and
    # organisation admin: the whole organisation, per professional; a coach: their teams,
    # per professional; a professional: their own team's team figures only (Dave and
    # Charlie see their own teams). The privacy officer and the municipality analyst
    # have no use for them: 404.
    "implementation:adoption": Entry(
        expect={
            **everyone(200),
            "priya": 404,
            "anna": 404,
        }
    ),
}


def extend_world(world: dict) -> dict:
    """Objects this area's URLs need, made once per matrix run; merged into the world."""
    return {}
