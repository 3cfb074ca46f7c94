"""Permission-matrix entries for this area (see tests/matrix.py).

Olga (organisation admin) and Quinn (quality officer) edit and publish; Bob (coach)
reads the draft and gets 403 on editing; Alice and Dave (professionals) read the
published versions only; Priya (privacy officer) and Anna (municipality analyst) get
404; Charlie (other organisation) sees his own organisation's plan pages, 404 for ours."""

from __future__ import annotations

from tests.matrix import Entry, everyone
from wattelt.implementation_plan import services

# Charlie reads his own organisation's plan page (there is none: an empty page), never
# our versions.
OWN_PLAN = {**everyone(200), "priya": 404, "anna": 404}
READERS = {**OWN_PLAN, "charlie": 404}
EDITORS_ONLY = {**everyone(404), "olga": 200, "quinn": 200, "bob": 403}


def editors(status: int) -> dict[str, int]:
    return {**everyone(404), "olga": status, "quinn": status, "bob": 403}


ENTRIES: dict[str, Entry] = {
    "implementation_plan:plan": Entry(expect=OWN_PLAN),
    "implementation_plan:start_draft": Entry(method="post", expect=editors(302)),
    "implementation_plan:edit": Entry(args=lambda ctx: ["doelen"], expect=EDITORS_ONLY),
    "implementation_plan:publish": Entry(expect=EDITORS_ONLY),
    # Without the revision the page was opened at, nothing is discarded (a message says so).
    "implementation_plan:discard": Entry(method="post", expect=editors(302)),
    "implementation_plan:versions": Entry(expect=OWN_PLAN),
    "implementation_plan:version": Entry(args=lambda ctx: [1], expect=READERS),
    "implementation_plan:version_pdf": Entry(args=lambda ctx: [1], expect=READERS),
}


def extend_world(world: dict) -> dict:
    """A published version 1 and a draft of the world's organisation."""
    olga = world["users"]["olga"]
    organisation = olga.organisation
    draft = services.start_draft(organisation, olga)
    services.save_members(draft, olga, [services.MemberInput("Olga", "projectleider")])
    draft.refresh_from_db()
    published = services.publish(draft, olga, draft.revision)
    return {"plan_published": published, "plan_draft": services.start_draft(organisation, olga)}
