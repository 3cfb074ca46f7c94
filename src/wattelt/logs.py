"""Logs as JSON lines on stdout, without personal data.

Every request writes one line (logger `wattelt.request`): the request id, the user's id,
the method, the URL pattern that answered (`bewoners/<int:pk>/`, never the path with its
ids, never the query string with its search terms), the status and the duration. The
request id comes from our own proxy's X-Request-ID when it is a plain token, else it is
made here; it is sent back in the response, so a user's report can be found in the log.

A logged exception keeps its type and the places in the code (file, line, function), not
its message: a database error's message quotes the values of the row (a name, a BSN).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
import traceback
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_FIELDS = ("request_id", "user_id", "method", "route", "view", "status", "duration_ms")

request_log = logging.getLogger("wattelt.request")


class JsonLines(logging.Formatter):
    """One JSON object per record: time (UTC), level, logger, message and our fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update({name: getattr(record, name) for name in _FIELDS if hasattr(record, name)})
        if record.exc_info and record.exc_info[0] is not None:
            kind, _error, trace = record.exc_info
            line["exception"] = kind.__name__
            line["stack"] = [
                f"{frame.filename}:{frame.lineno} in {frame.name}"
                for frame in traceback.extract_tb(trace)
            ]
        return json.dumps(line, ensure_ascii=False, default=str)


def request_id_of(request: HttpRequest) -> str:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    return given if _REQUEST_ID.match(given) else uuid.uuid4().hex


class RequestLog:
    """Log each request once it is answered (see the module's docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        began = time.perf_counter()
        request_id = request_id_of(request)
        request.request_id = request_id  # type: ignore[attr-defined]
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        user = getattr(request, "user", None)
        match = request.resolver_match
        request_log.info(
            "%s %s %s",
            request.method,
            match.route if match else "(no route)",
            response.status_code,
            extra={
                "request_id": request_id,
                "user_id": user.pk if user is not None and user.is_authenticated else None,
                "method": request.method,
                "route": match.route if match else None,
                "view": match.view_name if match else None,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - began) * 1000, 1),
            },
        )
        return response
