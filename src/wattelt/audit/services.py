"""Writing the access log. Views call `log_access` for every look at resident data."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import connections, router
from django.http import HttpRequest

from .models import AccessLog

RESIDENT_ACTOR_PREFIX = "inwoner:"
"""The access log's username for a resident acting in Mijn Wat telt: `inwoner:<id>`."""


def client_address(request: HttpRequest) -> str | None:
    """Where the request came from. X-Real-IP only when settings say our own TLS proxy
    sets it (a client could forge it otherwise), and only a valid address."""
    candidates = [request.META.get("REMOTE_ADDR", "")]
    if settings.TRUST_X_REAL_IP:
        candidates.insert(0, request.META.get("HTTP_X_REAL_IP", ""))
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate.strip()))
        except ValueError:
            continue
    return None


def log_access(
    request: HttpRequest,
    action: str,
    object_type: str,
    object_id: object = "",
    resident_id: int | None = None,
    purpose: str = "care",
    outcome: str = "success",
) -> AccessLog:
    """Append one NEN 7513 record for the current user's look at resident data."""
    return AccessLog.objects.create(
        **_who_and_what(request, action, object_type, purpose, outcome),
        object_id=str(object_id),
        resident_id=resident_id,
    )


def _who_and_what(
    request: HttpRequest,
    action: str,
    object_type: str,
    purpose: str = "care",
    outcome: str = "success",
) -> dict[str, object]:
    user = request.user
    resident = getattr(request, "portal_resident", None)
    if resident is not None and not user.is_authenticated:
        # A resident in Mijn Wat telt looking at their own data: the resident is the actor.
        return {
            "user_id": None,
            "username": f"{RESIDENT_ACTOR_PREFIX}{resident.pk}",
            "role": "resident",
            "organisation_id": resident.organisation_id,
            "object_type": object_type,
            "action": action,
            "purpose": purpose,
            "outcome": outcome,
            "client_address": client_address(request),
        }
    return {
        "user_id": getattr(user, "pk", None),
        "username": getattr(user, "username", "") or "anonymous",
        "role": getattr(user, "role_names", ""),
        "organisation_id": getattr(user, "organisation_id", None),
        "object_type": object_type,
        "action": action,
        "purpose": purpose,
        "outcome": outcome,
        "client_address": client_address(request),
    }


def log_list_access(
    request: HttpRequest,
    action: str,
    object_type: str,
    shown: Sequence[tuple[object, int]],
    purpose: str = "care",
) -> None:
    """One record per resident shown in a list or search result, in one statement. Every
    field but the object and the resident is the same on each row: it is made ready for
    the database once (`_same_fields`) and, on PostgreSQL, sent once, with the objects and
    residents as two arrays. `bulk_create` sent 13 placeholders per row, and the driver
    parses a statement that long again at every call: ~3 ms of CPU for the start page's
    25-35 rows (bench/RESULTS.md, "The access records of a list")."""
    if not shown:
        return
    database = connections[router.db_for_write(AccessLog)]
    record = AccessLog(**_who_and_what(request, action, object_type, purpose))
    columns, values = _same_fields(record, database)
    quote = database.ops.quote_name
    table, names = quote(AccessLog._meta.db_table), ", ".join(quote(c) for c in columns)
    objects = [str(object_id) for object_id, _resident in shown]
    residents = [resident_id for _object, resident_id in shown]
    varying = {"object_id": "shown.object_id", "resident_id": "shown.resident_id"}
    with database.cursor() as cursor:
        if database.vendor == "postgresql":
            picked = ", ".join(varying.get(c, "%s") for c in columns)
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT {picked} "
                "FROM unnest(%s::text[], %s::bigint[]) AS shown(object_id, resident_id)",
                [v for c, v in zip(columns, values, strict=True) if c not in varying]
                + [objects, residents],
            )
            return
        marks = ", ".join(["%s"] * len(columns))
        at_object, at_resident = columns.index("object_id"), columns.index("resident_id")
        rows = []
        for object_id, resident_id in zip(objects, residents, strict=True):
            row = list(values)
            row[at_object], row[at_resident] = object_id, resident_id
            rows.append(row)
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def _same_fields(record: AccessLog, database: Any) -> tuple[list[str], list[Any]]:
    """The columns of an access-log record (not its id) and its values as the database
    takes them, prepared by each field as `bulk_create` would (`pre_save` fills the
    defaults, e.g. `at`)."""
    fields = [f for f in AccessLog._meta.concrete_fields if not f.primary_key]
    values = [f.get_db_prep_save(f.pre_save(record, add=True), connection=database) for f in fields]
    return [f.column for f in fields], values
