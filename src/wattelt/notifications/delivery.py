"""Deliver the outbox: POST each pending delivery to its subscription, signed; on failure
try again later, waiting twice as long each time, for 24 hours; then it failed.

Run by `manage.py deliver_notifications` from cron. Each delivery is taken in a
transaction of its own with `SELECT ... FOR UPDATE SKIP LOCKED` (PostgreSQL), so two
runs at the same time never send the same delivery; a delivery whose POST succeeded but
whose commit did not is sent again, and the receiver recognises it by its
`Wattelt-Delivery` id.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from . import signing
from .models import Delivery

RETRY_FOR = dt.timedelta(hours=24)
FIRST_WAIT = dt.timedelta(seconds=30)
LONGEST_WAIT = dt.timedelta(hours=1)
TIMEOUT_SECONDS = 10


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # a redirect is an answer we do not follow: the delivery failed


_opener = urllib.request.build_opener(_NoRedirects)

# (url, body, headers) -> None, raising OSError (urllib.error.URLError, HTTPError) when
# the receiver did not take it.
Post = Callable[[str, bytes, dict[str, str]], None]


def http_post(url: str, body: bytes, headers: dict[str, str]) -> None:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
        if not 200 <= response.status < 300:
            raise urllib.error.HTTPError(url, response.status, "not 2xx", response.headers, None)


def wait_after(attempts: int) -> dt.timedelta:
    """30 s, 1 min, 2 min, 4 min ... at most an hour between attempts."""
    return min(FIRST_WAIT * 2 ** (attempts - 1), LONGEST_WAIT)


def body_of(delivery: Delivery) -> bytes:
    return json.dumps(delivery.notification.message, separators=(",", ":")).encode()


def headers_for(delivery: Delivery, body: bytes, now: dt.datetime) -> dict[str, str]:
    timestamp = int(now.timestamp())
    return {
        "Content-Type": "application/json",
        signing.ID_HEADER: str(delivery.pk),
        signing.TIMESTAMP_HEADER: str(timestamp),
        signing.SIGNATURE_HEADER: signing.signature(delivery.subscription.secret, timestamp, body),
    }


def _describe(error: BaseException) -> str:
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code}"
    if isinstance(error, urllib.error.URLError):
        return str(error.reason)[:200]
    return type(error).__name__


@dataclass
class Outcome:
    delivered: int = 0
    retried: int = 0
    failed: int = 0


def deliver_one(now: dt.datetime, post: Post, outcome: Outcome) -> bool:
    """Take one due delivery (skipping those another run holds) and try it; False when
    none is due."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.due(now)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("notification", "subscription")
            .order_by("next_attempt_at", "id")
            .first()
        )
        if delivery is None:
            return False
        body = body_of(delivery)
        delivery.attempts += 1
        delivery.last_attempt_at = now
        try:
            post(delivery.subscription.callback_url, body, headers_for(delivery, body, now))
        except (OSError, ValueError) as error:
            delivery.last_error = _describe(error)
            next_attempt = now + wait_after(delivery.attempts)
            if next_attempt > delivery.notification.created_at + RETRY_FOR:
                delivery.status = Delivery.Status.FAILED
                outcome.failed += 1
            else:
                delivery.next_attempt_at = next_attempt
                outcome.retried += 1
        else:
            delivery.status = Delivery.Status.DELIVERED
            delivery.delivered_at = now
            delivery.last_error = ""
            outcome.delivered += 1
        delivery.save()
        return True


def deliver_due(
    now: dt.datetime | None = None, post: Post = http_post, limit: int = 1000
) -> Outcome:
    """Try every delivery that is due now (at most `limit` this run)."""
    outcome = Outcome()
    for _ in range(limit):
        if not deliver_one(now or timezone.now(), post, outcome):
            break
    return outcome
