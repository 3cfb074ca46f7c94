"""Permission-matrix entries for dossier screening (see tests/matrix.py).

Only the quality officer (quinn) of the organisation reaches the screening pages; the
professional (alice) and the coach (bob) see shared findings, and only alice, the
responsible professional, records the conversation."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tests.matrix import Entry, everyone
from wattelt.screening import services
from wattelt.screening.models import ScreeningItem

QUALITY_ONLY = {**everyone(404), "quinn": 200}
QUALITY_WRITES = {**everyone(404), "quinn": 302}
TEAM_MEMBERS = {**everyone(404), "alice": 200, "bob": 200, "dave": 200, "charlie": 200}

ROUND = lambda ctx: [ctx["screening_round"].pk]  # noqa: E731
ITEM = lambda ctx: [ctx["screening_item"].pk]  # noqa: E731

ENTRIES: dict[str, Entry] = {
    "screening:rounds": Entry(expect=QUALITY_ONLY),
    "screening:round": Entry(args=ROUND, expect=QUALITY_ONLY),
    "screening:findings": Entry(args=ROUND, expect=QUALITY_ONLY),
    "screening:share_round": Entry(args=ROUND, method="post", expect=QUALITY_WRITES),
    "screening:item": Entry(args=ITEM, expect=QUALITY_ONLY),
    "screening:share": Entry(args=ITEM, method="post", expect=QUALITY_WRITES),
    "screening:my_findings": Entry(expect=TEAM_MEMBERS),
    "screening:discussed": Entry(
        args=ITEM,
        method="post",
        data={"note": "Besproken in het werkoverleg"},
        expect={**everyone(404), "alice": 302, "bob": 403},
    ),
}


def extend_world(world: dict) -> dict:
    """A round over Alice's trajectory, screened and shared."""
    quinn = world["users"]["quinn"]
    today = timezone.localdate()
    sample = services.draw_sample(
        world["trajectory"].team.organisation,
        quinn,
        # The largest round: the world's few trajectories are all drawn, whatever the seed.
        services.SampleInput(today - dt.timedelta(days=365), today, services.MAX_SAMPLE),
    )
    item = ScreeningItem.objects.get(round=sample, trajectory=world["trajectory"])
    item = services.screen(
        item,
        quinn,
        services.ReviewInput("yes", "no", "yes", "partly", "no", "Vervolgmeting ontbreekt"),
    )
    services.share(item, quinn)
    return {"screening_round": sample, "screening_item": item}
