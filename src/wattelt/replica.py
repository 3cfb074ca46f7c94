"""Reads that may go to a streaming replica, and everything else to the primary.

When `DATABASE_REPLICA_URL` is set, settings add a second connection, "replica", and this
router sends the reads of the views marked `@reads_from_replica` (the monitoring
dashboard, the published figures, the exports) there. Everything else reads from the
primary, and every write, every migration and every read inside a transaction goes to
the primary. Without a replica everything goes to the primary and nothing changes.

A marked request that writes anything but the login state or the access log (a cube
published on demand) reads only from the primary from then on.

Even in a marked view some tables are always read from the primary: the login state
(sessions, users and their memberships, two-step devices, lockouts) and the access log.
A replica lags the primary by a fraction of a second; a session that was just created, or
a membership that was just ended, must not depend on that lag.

Read-your-own-writes: every request that may write (any method but GET, HEAD, OPTIONS)
gets a cookie `wattelt_primary` that pins that browser's reads to the primary for
`DATABASE_REPLICA_PIN_SECONDS` (default 10). So the professional who just confirmed a
measurement, or the coach who just changed a filter and saved, reads from the database
that has the change. Why a cookie: it costs no database query per request (comparing
WAL positions would cost one on each database), it works on every app server behind the
load balancer without sticky sessions, and it expires by itself. It is not a security
boundary: a client that forges it only makes its own reads come from the primary.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
PIN_COOKIE = "wattelt_primary"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Login state (also the API's clients and tokens) and the access log: read from the
# primary even in a replica view.
PRIMARY_ONLY_APPS = frozenset(
    {
        "admin",
        "auth",
        "axes",
        "contenttypes",
        "otp_static",
        "otp_totp",
        "sessions",
        "organisations",
        "audit",
        # API clients, their tokens and idempotency keys: a token just issued must work.
        "oauth2_provider",
        "api",
    }
)

View = TypeVar("View", bound=Callable[..., HttpResponse])


@dataclass
class _RequestRoute:
    replica: bool = False


_route: ContextVar[_RequestRoute | None] = ContextVar("wattelt_replica_route", default=None)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def reads_from_replica(view: View) -> View:
    """Mark a view whose reads (figures, exports) may come from the replica."""
    view.reads_from_replica = True  # type: ignore[attr-defined]
    return view


def pinned_to_primary(request: HttpRequest) -> bool:
    """Whether this browser wrote less than DATABASE_REPLICA_PIN_SECONDS ago."""
    try:
        until = int(request.COOKIES.get(PIN_COOKIE, "0"))
    except ValueError:
        return False
    return until > time.time()


def read_from_primary() -> None:
    """The rest of this request reads from the primary (before building what is stored)."""
    route = _route.get()
    if route is not None:
        route.replica = False


class ReplicaRouter:
    """Django database router (settings.DATABASE_ROUTERS)."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        route = _route.get()
        if (
            route is not None
            and route.replica
            and model._meta.app_label not in PRIMARY_ONLY_APPS
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
            and replica_configured()
        ):
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        route = _route.get()
        if route is not None and model._meta.app_label not in PRIMARY_ONLY_APPS:
            # A request that writes figures (a cube published on demand) reads them back:
            # from now on it reads from the primary, which has them.
            route.replica = False
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        # Both connections hold the same database: an object read from the replica may
        # be related to (and saved with) one read from the primary.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


class ReplicaRouting:
    """Middleware: decides per request whether marked views read from the replica, and
    pins a browser that just wrote to the primary."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _route.set(_RequestRoute())
        try:
            response = self.get_response(request)
        finally:
            _route.reset(token)
        if request.method not in SAFE_METHODS and replica_configured():
            seconds = settings.DATABASE_REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                str(int(time.time()) + seconds),
                max_age=seconds,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> None:
        route = _route.get()
        if route is None:
            return
        route.replica = (
            getattr(view, "reads_from_replica", False)
            and request.method in SAFE_METHODS
            and replica_configured()
            and not pinned_to_primary(request)
        )
