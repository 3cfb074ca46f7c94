"""The organisation admin's subscriptions and the state of their deliveries."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from wattelt.organisations import roles
from wattelt.organisations.models import Organisation, Role, Staff

from . import signing
from .models import Channel, Delivery, Subscription

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def administered_organisation(user: Staff) -> Organisation | None:
    """The organisation whose subscriptions this user manages: their own, as its admin."""
    if not roles.has_organisation_role(user, Role.Name.ORGANISATION_ADMIN):
        return None
    return user.organisation


@dataclass
class SubscriptionInput:
    name: str
    callback_url: str
    channels: list[str]


def _check(data: SubscriptionInput) -> None:
    errors: dict[str, str] = {}
    if not data.name.strip():
        errors["name"] = _("Give the receiving system a name.")
    parts = urlsplit(data.callback_url)
    if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOOPBACK):
        errors["callback_url"] = _(
            "The callback URL must start with https:// (http:// only for this machine itself)."
        )
    unknown = set(data.channels) - set(Channel.values)
    if not data.channels or unknown:
        errors["channels"] = _("Choose at least one channel.")
    if errors:
        raise ValidationError(errors)


def subscribe(organisation: Organisation, by: Staff, data: SubscriptionInput) -> Subscription:
    """A new receiving system; its `secret` is shown once, right after this."""
    _check(data)
    return Subscription.objects.create(
        organisation=organisation,
        name=data.name.strip(),
        callback_url=data.callback_url,
        secret=signing.new_secret(),
        channels=",".join(c for c in Channel.values if c in data.channels),
        created_by=by,
    )


def stop(subscription: Subscription) -> None:
    """No new notifications; what is pending is not sent any more either."""
    with transaction.atomic():
        Subscription.objects.filter(pk=subscription.pk).update(active=False)
        subscription.deliveries.filter(status=Delivery.Status.PENDING).update(
            status=Delivery.Status.FAILED, last_error=_("subscription stopped")
        )


def subscriptions_with_counts(organisation: Organisation) -> QuerySet[Subscription]:
    """The organisation's subscriptions, each with its pending, failed and delivered count."""

    def count(status: str) -> Count:
        return Count("deliveries", filter=Q(deliveries__status=status))

    return Subscription.objects.filter(organisation=organisation).annotate(
        pending=count(Delivery.Status.PENDING),
        failed=count(Delivery.Status.FAILED),
        delivered=count(Delivery.Status.DELIVERED),
    )


def recent_deliveries(organisation: Organisation, status: str = "") -> QuerySet[Delivery]:
    deliveries = Delivery.objects.filter(subscription__organisation=organisation)
    if status in Delivery.Status.values:
        deliveries = deliveries.filter(status=status)
    return deliveries.select_related("notification", "subscription").order_by("-id")
