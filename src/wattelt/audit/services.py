"""Writing the access log. Views call `log_access` for every look at resident data."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from django.conf import settings
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
    """One record per resident shown in a list or search result, in one INSERT."""
    template = _who_and_what(request, action, object_type, purpose)
    AccessLog.objects.bulk_create(
        AccessLog(**template, object_id=str(object_id), resident_id=resident_id)
        for object_id, resident_id in shown
    )
