"""Write a notification into the outbox, in the transaction of the change it reports.

The message follows the VNG Notificaties API (kanaal, hoofdObject, resource,
resourceUrl, actie, aanmaakdatum, kenmerken) and names objects by URL only: no name, no
BSN, no text a resident or professional wrote. The receiver fetches what it may see
through the API, with its own token, through the one door.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from .models import Channel, Delivery, Notification, Subscription

API_PATH = "/api/v1"
RESOURCES = {
    Channel.TRAJECTORIES: ("traject", "trajecten"),
    Channel.MEASUREMENTS: ("meting", "metingen"),
    Channel.CONSENTS: ("toestemming", "toestemmingen"),
}


def resource_url(collection: str, pk: int) -> str:
    """The API address of one object, e.g. https://.../api/v1/metingen/12."""
    return f"{settings.SITE_URL.rstrip('/')}{API_PATH}/{collection}/{pk}"


def utc_timestamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def message(
    channel: Channel,
    pk: int,
    trajectory_id: int,
    action: str,
    characteristics: dict[str, str],
    at: dt.datetime,
) -> dict[str, object]:
    resource, collection = RESOURCES[channel]
    return {
        "kanaal": channel.value,
        "hoofdObject": resource_url("trajecten", trajectory_id),
        "resource": resource,
        "resourceUrl": resource_url(collection, pk),
        "actie": action,
        "aanmaakdatum": utc_timestamp(at),
        "kenmerken": characteristics,
    }


def enqueue(
    channel: Channel,
    pk: int,
    trajectory_id: int,
    action: str,
    characteristics: dict[str, str],
    organisation_ids: set[int],
) -> Notification | None:
    """Put one notification in the outbox for every subscription of these organisations
    that listens to `channel`. Call it inside the writer's transaction: the outbox row
    exists exactly when the change does. Nothing is written when nobody listens."""
    subscriptions = list(Subscription.objects.receiving(organisation_ids, channel))
    if not subscriptions:
        return None
    now = timezone.now()
    owner = min(organisation_ids)
    notification = Notification.objects.create(
        organisation_id=owner,
        channel=channel,
        message=message(channel, pk, trajectory_id, action, characteristics, now),
        created_at=now,
    )
    Delivery.objects.bulk_create(
        Delivery(notification=notification, subscription=s, next_attempt_at=now)
        for s in subscriptions
    )
    return notification
