"""The organisation admin adds a receiving system, sees its secret once, and sees
pending, failed and delivered deliveries."""

from __future__ import annotations

from django.urls import reverse

from tests.conftest import client_for, confirmed_measurement
from wattelt.notifications.models import Delivery, Notification, Subscription
from wattelt.residents import services as residents


def test_admin_adds_a_system_and_sees_the_secret_once(olga):
    client = client_for(olga, sudo=True)
    response = client.post(
        reverse("notifications:subscribe"),
        {
            "name": "Dossiersysteem",
            "callback_url": "https://dossier.example/hook",
            "channels": ["metingen", "trajecten"],
        },
    )
    subscription = Subscription.objects.get()
    assert subscription.secret in response.content.decode()
    assert subscription.channels == "trajecten,metingen"
    overview = client.get(reverse("notifications:overview")).content.decode()
    assert "Dossiersysteem" in overview
    assert subscription.secret not in overview


def test_a_plain_http_callback_elsewhere_is_refused_in_dutch(olga):
    response = client_for(olga, sudo=True).post(
        reverse("notifications:subscribe"),
        {"name": "X", "callback_url": "http://dossier.example/hook", "channels": ["metingen"]},
    )
    assert "moet beginnen met https://" in response.content.decode()
    assert not Subscription.objects.exists()


def test_overview_counts_pending_failed_and_delivered(trajectory, alice, olga, subscription):
    for n in range(3):
        notification = Notification.objects.create(
            organisation=subscription.organisation,
            channel="metingen",
            message={"resource": "meting", "kenmerken": {"gebeurtenis": "bevestigd"}, "n": n},
        )
        Delivery.objects.create(notification=notification, subscription=subscription)
    first, second, _third = Delivery.objects.order_by("id")
    Delivery.objects.filter(pk=first.pk).update(status="delivered")
    Delivery.objects.filter(pk=second.pk).update(status="failed", last_error="HTTP 500")
    client = client_for(olga)
    page = client.get(reverse("notifications:overview")).content.decode()
    assert "HTTP 500" in page
    failed_only = client.get(reverse("notifications:overview"), {"status": "failed"})
    assert failed_only.content.decode().count("HTTP 500") == 1
    counts = {
        s.name: (s.pending, s.failed, s.delivered) for s in failed_only.context["subscriptions"]
    }
    assert counts == {"Dossiersysteem": (1, 1, 1)}


def test_stopping_a_system_ends_its_pending_deliveries(trajectory, alice, olga, subscription):
    confirmed_measurement(trajectory, alice)
    client_for(olga, sudo=True).post(reverse("notifications:stop", args=[subscription.pk]))
    assert Delivery.objects.get().status == "failed"
    residents.close_trajectory(trajectory, alice, "goals_reached")
    assert Delivery.objects.count() == 1
