"""Permission-matrix entries for the API area (see tests/matrix.py). The API itself is
token-based and has its own matrix (tests/api/test_permission_matrix.py); here it shows
that a logged-in staff session opens none of it (401), and who manages API clients."""

from __future__ import annotations

from tests.matrix import Entry, everyone
from wattelt.api.services import register_client

RESOURCES = ["inwoner", "traject", "meting", "doel", "toestemming", "niet-ingevuld"]
NO_SESSION = Entry(expect=everyone(401), anonymous=401)

ENTRIES: dict[str, Entry] = {
    "api:openapi": Entry(expect=everyone(200), anonymous=200),
    "api:cijfers": NO_SESSION,
    "api:leefgebied-list": NO_SESSION,
    **{f"api:{name}-list": NO_SESSION for name in RESOURCES},
    **{
        f"api:{name}-detail": Entry(
            args=lambda ctx: [ctx["trajectory"].pk], expect=everyone(401), anonymous=401
        )
        for name in RESOURCES
    },
    # The token endpoint takes only POST (client credentials), from systems, not people.
    "oauth_token": Entry(expect=everyone(405), anonymous=405),
    # Only the organisation admin registers and revokes API clients.
    "api_clients:clients": Entry(expect={**everyone(404), "olga": 200}),
    "api_clients:revoke": Entry(
        args=lambda ctx: [ctx["api_client"].pk],
        method="post",
        expect={**everyone(404), "olga": 302},
    ),
}


def extend_world(world: dict) -> dict:
    """An API client of the organisation, to revoke."""
    team = world["team"]
    return {
        "api_client": register_client(None, team.organisation, "Dossier", ["figures:read"]).client
    }
