"""A refused look is on the record too (NEN 7513): the door raises one of these, and
`RecordRefusals` writes the access-log record with outcome "refused" before Django
turns it into a 404 or 403 page. The audit app knows no domain: what was refused and
whose data it was come with the exception."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from .models import AccessLog
from .services import log_access


class AccessRefused(Exception):
    """What someone tried to reach and was refused."""

    def __init__(
        self,
        object_type: str,
        object_id: object = "",
        resident_id: int | None = None,
        action: str = AccessLog.Action.READ,
        purpose: str = "care",
        message: str = "",
    ) -> None:
        super().__init__(message or f"{action} {object_type} {object_id} refused")
        self.object_type = object_type
        self.object_id = object_id
        self.resident_id = resident_id
        self.action = action
        self.purpose = purpose


class NotVisible(AccessRefused, Http404):
    """Not there for this user (404): the user may not know it exists."""


class ReadOnly(AccessRefused, PermissionDenied):
    """Visible, but not for this action (403)."""


class RecordRefusals:
    """Middleware: one access-log record per refused look, with what it was about."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        # Staff, or a resident in Mijn Wat telt (no Django user; log_access names them).
        someone = request.user.is_authenticated or getattr(request, "portal_resident", None)
        if isinstance(exception, AccessRefused) and someone:
            log_access(
                request,
                exception.action,
                exception.object_type,
                exception.object_id,
                exception.resident_id,
                purpose=exception.purpose,
                outcome=AccessLog.Outcome.REFUSED,
            )
