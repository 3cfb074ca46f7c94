"""Subscriptions of other systems, and the outbox: one notification per event, one
delivery per subscription that receives it."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wattelt.organisations.models import Organisation, Staff


class Channel(models.TextChoices):
    """The VNG `kanaal`: which kind of object the notification is about."""

    TRAJECTORIES = "trajecten", _("trajectories (opened, closed)")
    MEASUREMENTS = "metingen", _("measurements (confirmed, corrected)")
    CONSENTS = "toestemmingen", _("consents (given, withdrawn)")


class SubscriptionQuerySet(models.QuerySet["Subscription"]):
    def receiving(self, organisation_ids: set[int], channel: str) -> SubscriptionQuerySet:
        """Active subscriptions of these organisations that listen to `channel`."""
        return self.filter(organisation_id__in=organisation_ids, active=True).filter(
            channels__contains=channel
        )


class Subscription(models.Model):
    """A system of the organisation that wants notifications at `callback_url`."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="notification_subscriptions"
    )
    name = models.CharField(_("name"), max_length=120)
    callback_url = models.URLField(_("callback URL"), max_length=500)
    # The HMAC key; shown once to the admin, kept to sign each delivery.
    secret = models.CharField(max_length=100)
    # Comma-separated channel names, e.g. "metingen,trajecten".
    channels = models.CharField(_("channels"), max_length=100)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("subscription")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def channel_list(self) -> list[str]:
        return [c for c in self.channels.split(",") if c]


class Notification(models.Model):
    """One event in the VNG Notificaties shape; `message` holds no personal data."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    message = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.channel} {self.message.get('resourceUrl', '')}"


class DeliveryQuerySet(models.QuerySet["Delivery"]):
    def due(self, now: object) -> DeliveryQuerySet:
        return self.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)


class Delivery(models.Model):
    """One notification to one subscription, tried until delivered or 24 hours passed."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("delivery", "pending")
        DELIVERED = "delivered", pgettext_lazy("delivery", "delivered")
        FAILED = "failed", pgettext_lazy("delivery", "failed")

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.notification_id} -> {self.subscription_id}: {self.status}"
