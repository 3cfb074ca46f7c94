"""Permission-matrix entries for this area (see tests/matrix.py)."""

from __future__ import annotations

from tests.matrix import Entry, everyone
from wattelt.guide import services

ENTRY = lambda ctx: [ctx["faq_entry"].pk]  # noqa: E731

ENTRIES: dict[str, Entry] = {
    # The guide and the FAQ are for every staff member (each sees their own
    # organisation's questions); only the organisation admin edits.
    "guide:index": Entry(expect=everyone(200)),
    "guide:page": Entry(args=lambda ctx: ["doelen"], expect=everyone(200)),
    "guide:faq": Entry(expect=everyone(200)),
    "guide:faq_manage": Entry(expect={**everyone(404), "olga": 200}),
    "guide:faq_edit": Entry(args=ENTRY, expect={**everyone(404), "olga": 200}),
    "guide:faq_move": Entry(
        args=ENTRY, method="post", data={"direction": "down"}, expect={**everyone(404), "olga": 302}
    ),
    "guide:faq_delete": Entry(args=ENTRY, method="post", expect={**everyone(404), "olga": 302}),
}


def extend_world(world: dict) -> dict:
    """Objects this area's URLs need, made once per matrix run; merged into the world."""
    organisation = world["team"].organisation
    olga = world["users"]["olga"]
    entry = services.add_entry(organisation, olga, "Moet ik altijd een doel maken?", "Nee.")
    services.add_entry(
        organisation, olga, "Mag de naaste meekijken?", "Ja, als de inwoner dat wil."
    )
    return {"faq_entry": entry}
