"""A receiver that is down for a while and then up receives every notification exactly
once, signed; after 24 hours of trying a delivery is failed."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Iterator

import pytest
from django.db import connection
from django.utils import timezone
from freezegun import freeze_time

from tests.conftest import confirmed_measurement
from tests.notifications.receiver import Receiver, free_port
from wattelt.notifications import signing
from wattelt.notifications.delivery import deliver_due, wait_after
from wattelt.notifications.models import Delivery, Notification
from wattelt.residents import services as residents

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def receiver(subscription) -> Iterator[Receiver]:
    receiver = Receiver(free_port(), subscription.secret)
    subscription.callback_url = receiver.url
    subscription.save()
    yield receiver
    receiver.stop()


def three_events(trajectory, alice, elsewhere) -> None:
    confirmed_measurement(trajectory, alice)
    residents.record_consent(
        trajectory,
        alice,
        residents.ConsentInput(
            organisation=elsewhere,
            share_plan=True,
            share_goals=True,
            share_measurements=False,
            valid_from=timezone.localdate(),
        ),
    )
    residents.close_trajectory(trajectory, alice, "goals_reached")


def test_a_receiver_down_for_a_while_gets_everything_exactly_once(
    trajectory, alice, charlie, receiver
):
    with freeze_time(T0) as clock:
        three_events(trajectory, alice, charlie.organisation)
        assert Delivery.objects.filter(status="pending").count() == 3
        # Down: nothing listens on the port.
        for minutes in [0, 1, 3, 10, 45]:
            clock.move_to(T0 + dt.timedelta(minutes=minutes))
            deliver_due()
        assert receiver.taken == []
        pending = Delivery.objects.get(notification__message__kenmerken__gebeurtenis="gesloten")
        assert pending.status == "pending" and pending.attempts >= 3
        assert pending.last_error
        # Up again; the next runs deliver, and runs after that send nothing more.
        receiver.start()
        clock.move_to(T0 + dt.timedelta(hours=2))
        outcome = deliver_due()
        assert outcome.delivered == 3
        for hours in [2, 3, 30]:
            clock.move_to(T0 + dt.timedelta(hours=hours))
            deliver_due()
    ids = Counter(delivery_id for delivery_id, _message in receiver.taken)
    assert sorted(ids.values()) == [1, 1, 1]
    assert receiver.refused == 0
    assert sorted(m["kenmerken"]["gebeurtenis"] for _id, m in receiver.taken) == [
        "bevestigd",
        "gegeven",
        "gesloten",
    ]
    assert [m for _id, m in receiver.taken] == [
        n.message for n in Notification.objects.order_by("id")
    ]
    assert set(Delivery.objects.values_list("status", flat=True)) == {"delivered"}


def test_an_error_answer_is_tried_again(trajectory, alice, receiver):
    receiver.start()
    receiver.fail_next = 2
    with freeze_time(T0) as clock:
        confirmed_measurement(trajectory, alice)
        deliver_due()
        clock.tick(dt.timedelta(seconds=10))
        deliver_due()  # not due yet: the wait after the first failure is 30 s
        delivery = Delivery.objects.get()
        assert (delivery.attempts, delivery.last_error) == (1, "HTTP 500")
        clock.tick(dt.timedelta(seconds=30))
        deliver_due()
        clock.tick(dt.timedelta(minutes=1))
        deliver_due()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 3)
    assert len(receiver.taken) == 1


def test_after_24_hours_of_trying_a_delivery_failed(trajectory, alice, receiver):
    with freeze_time(T0) as clock:
        confirmed_measurement(trajectory, alice)
        for minutes in range(0, 26 * 60, 5):
            clock.move_to(T0 + dt.timedelta(minutes=minutes))
            deliver_due()
    delivery = Delivery.objects.get()
    assert delivery.status == "failed"
    assert delivery.last_attempt_at <= T0 + dt.timedelta(hours=24)
    assert delivery.last_attempt_at > T0 + dt.timedelta(hours=22)
    # Waits double from 30 s to an hour: about 30 tries in the day, not 288.
    assert 20 < delivery.attempts < 40


def test_the_wait_doubles_up_to_an_hour():
    assert [wait_after(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert wait_after(20) == dt.timedelta(hours=1)


def test_a_receiver_refuses_a_wrong_signature_and_an_old_timestamp():
    body = b'{"kanaal":"metingen"}'
    now = timezone.now().timestamp()
    stamp = int(now)
    good = signing.signature("geheim", stamp, body)
    assert signing.verify("geheim", str(stamp), good, body, now=now)
    assert not signing.verify("ander", str(stamp), good, body, now=now)
    assert not signing.verify("geheim", str(stamp), good, body + b" ", now=now)
    assert not signing.verify("geheim", str(stamp), good, body, now=now + 301)
    assert not signing.verify("geheim", "\uff11\uff12\uff13", good, body, now=now)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SKIP LOCKED needs PostgreSQL; SQLite runs one"
)
def test_two_runs_at_once_send_each_delivery_once(trajectory, alice, receiver, subscription):
    receiver.start()
    notifications = [
        Notification.objects.create(
            organisation=subscription.organisation, channel="metingen", message={"n": n}
        )
        for n in range(30)
    ]
    Delivery.objects.bulk_create(
        Delivery(notification=n, subscription=subscription) for n in notifications
    )

    def run() -> None:
        try:
            deliver_due()
        finally:
            connection.close()

    runs = [threading.Thread(target=run) for _ in range(2)]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join()
    ids = Counter(delivery_id for delivery_id, _message in receiver.taken)
    assert len(ids) == 30 and set(ids.values()) == {1}
