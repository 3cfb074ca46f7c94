"""Permission-matrix entries for the notification screen (see tests/matrix.py): only the
organisation admin (olga) manages the receiving systems of the organisation."""

from __future__ import annotations

from tests.matrix import Entry, everyone
from wattelt.notifications.models import Subscription

ENTRIES: dict[str, Entry] = {
    "notifications:overview": Entry(expect={**everyone(404), "olga": 200}),
    "notifications:subscribe": Entry(expect={**everyone(404), "olga": 200}),
    "notifications:stop": Entry(
        args=lambda ctx: [ctx["subscription"].pk],
        method="post",
        expect={**everyone(404), "olga": 302},
    ),
}


def extend_world(world: dict) -> dict:
    olga = world["users"]["olga"]
    subscription = Subscription.objects.create(
        organisation=olga.organisation,
        name="Dossiersysteem",
        callback_url="https://dossier.example/notificaties",
        secret="geheim",
        channels="metingen",
        created_by=olga,
    )
    return {"subscription": subscription}
