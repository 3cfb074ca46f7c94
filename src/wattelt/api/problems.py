"""Errors as problem details (RFC 9457, `application/problem+json`), the NL API Design
Rules' way: status, title and detail always; `invalidParams` naming every invalid field
at once on a 400."""

from __future__ import annotations

from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import set_rollback

from wattelt.audit.models import AccessLog
from wattelt.audit.refusals import AccessRefused
from wattelt.audit.services import log_access

PROBLEM_JSON = "application/problem+json"


def _title(status: int) -> str:
    titles = {
        400: _("The request is not valid."),
        401: _("Authentication is needed."),
        403: _("Not allowed."),
        404: _("Not found."),
        405: _("Method not allowed."),
        406: _("Cannot answer in the requested format."),
        409: _("Conflict with the current state."),
        415: _("Unsupported media type."),
        422: _("The request cannot be processed."),
        500: _("Server error."),
    }
    return titles.get(status, HTTPStatus(status).phrase)


def problem(
    status: int,
    detail: str,
    *,
    instance: str = "",
    code: str = "",
    invalid_params: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": _title(status),
        "status": status,
        "detail": detail,
        "instance": instance,
        "code": code or HTTPStatus(status).phrase.lower().replace(" ", "_"),
    }
    if invalid_params is not None:
        body["invalidParams"] = invalid_params
    return body


def problem_response(request: HttpRequest, status: int, detail: str, **more: Any) -> JsonResponse:
    """A problem for responses made outside DRF (404 of an unknown path, 405, 500)."""
    body = problem(status, detail, instance=request.path[:200], **more)
    return JsonResponse(body, status=status, content_type=PROBLEM_JSON)


def invalid_params(detail: Any, prefix: str = "") -> Iterator[dict[str, str]]:
    """DRF's nested error detail as flat `invalidParams`, named like `doelen.0.eigenWoorden`."""
    if isinstance(detail, dict):
        for name, value in detail.items():
            name = "nonFieldErrors" if name == "non_field_errors" else str(name)
            yield from invalid_params(value, f"{prefix}.{name}" if prefix else name)
    elif isinstance(detail, list) and detail and all(isinstance(d, str) for d in detail):
        for message in detail:
            yield {
                "name": prefix or "nonFieldErrors",
                "code": getattr(message, "code", "invalid") or "invalid",
                "reason": str(message),
            }
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if value:
                yield from invalid_params(value, f"{prefix}.{index}" if prefix else str(index))
    else:
        yield {
            "name": prefix or "nonFieldErrors",
            "code": getattr(detail, "code", "invalid") or "invalid",
            "reason": str(detail),
        }


class Conflict(exceptions.APIException):
    status_code = 409
    default_code = "conflict"


class Unprocessable(exceptions.APIException):
    status_code = 422
    default_code = "unprocessable"


def _log_refusal(request: Any, refused: AccessRefused) -> None:
    """The door refused: on the record with the client as actor (NEN 7513)."""
    if request is not None and request.user.is_authenticated:
        log_access(
            request,
            refused.action,
            refused.object_type,
            refused.object_id,
            refused.resident_id,
            purpose=refused.purpose,
            outcome=AccessLog.Outcome.REFUSED,
        )


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's exception handler: every error a problem."""
    request = context.get("request")
    if isinstance(exc, AccessRefused):
        _log_refusal(request, exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("There is no such object, or it is not visible to you."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or _("Not allowed."))
    if not isinstance(exc, exceptions.APIException):
        return None  # a server error: the middleware answers it as a problem
    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(exc.wait)  # type: ignore[attr-defined]
    instance = request.path[:200] if request is not None else ""
    if isinstance(exc, exceptions.ValidationError):
        params = list(invalid_params(exc.detail))
        body = problem(
            400,
            _("%(n)s field(s) are not valid; see invalidParams.") % {"n": len(params)},
            instance=instance,
            code="invalid",
            invalid_params=params,
        )
    else:
        detail = exc.detail
        body = problem(
            exc.status_code,
            str(detail) if not isinstance(detail, dict | list) else str(exc.default_detail),
            instance=instance,
            code=str(getattr(detail, "code", "") or exc.default_code),
        )
    set_rollback()
    return Response(body, status=exc.status_code, headers=headers, content_type=PROBLEM_JSON)
