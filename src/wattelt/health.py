"""Health URLs for the load balancer and the orchestrator.

    /health/live    200 while the process answers at all (restart it when this fails)
    /health/ready   200 when the database answers and every migration is applied, else 503
                    (send it no users until then: during a deploy, a restore, an outage)

Answered by a middleware at the top of the stack, before the host check, the HTTPS
redirect, sessions and login: a probe comes over plain HTTP to the server's own address
and must neither be redirected nor create a session. The answers name no data.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse

LIVE = "/health/live"
READY = "/health/ready"

# Once seen applied, migrations stay applied for the life of this process: new migrations
# come with new code, and new code comes with a new process.
_migrations_applied = False


def unapplied_migrations(alias: str = DEFAULT_DB_ALIAS) -> int:
    """How many migrations of the code are not yet applied to the database."""
    connection = connections[alias]
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def readiness(alias: str = DEFAULT_DB_ALIAS) -> tuple[bool, dict[str, str]]:
    """Whether this server can serve users, and why not."""
    global _migrations_applied
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
        if not _migrations_applied:
            missing = unapplied_migrations(alias)
            if missing:
                return False, {"database": "ok", "migrations": f"{missing} not applied"}
            _migrations_applied = True
    except DatabaseError as error:
        return False, {"database": f"unreachable ({type(error).__name__})"}
    return True, {"database": "ok", "migrations": "ok"}


def _answer(status: int, body: dict[str, str]) -> HttpResponse:
    response = HttpResponse(json.dumps(body), status=status, content_type="application/json")
    response["Cache-Control"] = "no-store"
    return response


class HealthChecks:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path.rstrip("/")
        if path == LIVE:
            return _answer(200, {"status": "live"})
        if path == READY:
            ready, checks = readiness()
            return _answer(
                200 if ready else 503, {"status": "ready" if ready else "not ready", **checks}
            )
        return self.get_response(request)
