"""`Idempotency-Key` on writes: the first request with a key is carried out and its answer
stored with a hash of the request; a retry with the same key and body gets that answer
again (nothing is written twice), the same key with another body a 422 problem."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response

from .models import ClientPrincipal, IdempotentRequest
from .problems import Conflict, Unprocessable

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 100


def request_hash(request: Request) -> str:
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _key(request: Request) -> str:
    key = request.headers.get(HEADER, "").strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise exceptions.ValidationError(
            {
                HEADER: [
                    _("Send an Idempotency-Key header: a unique text of 1 to %(n)s characters.")
                    % {"n": MAX_KEY_LENGTH}
                ]
            }
        )
    return key


def _replay(stored: IdempotentRequest, digest: str) -> Response:
    if stored.request_hash != digest:
        raise Unprocessable(
            _("This Idempotency-Key was used before for another request; use a new key.")
        )
    headers = {"Location": stored.location} if stored.location else {}
    return Response(stored.response, status=stored.status_code, headers=headers)


def once(request: Request, carry_out: Callable[[], tuple[int, dict[str, Any], str]]) -> Response:
    """Carry out the write once per key: `carry_out` returns status, body and location,
    and runs in the same transaction as the stored answer."""
    principal = request.user
    assert isinstance(principal, ClientPrincipal)
    key = _key(request)
    digest = request_hash(request)
    stored = IdempotentRequest.objects.filter(client=principal.client, key=key).first()
    if stored is not None:
        return _replay(stored, digest)
    try:
        with transaction.atomic():
            status, body, location = carry_out()
            IdempotentRequest.objects.create(
                client=principal.client,
                key=key,
                request_hash=digest,
                status_code=status,
                response=body,
                location=location,
            )
    except IntegrityError as clash:
        # The same key at the same moment: the other request won and this one's write
        # was rolled back with it.
        stored = IdempotentRequest.objects.filter(client=principal.client, key=key).first()
        if stored is None:
            raise Conflict(
                _("Another request changed this trajectory at the same moment.")
            ) from clash
        return _replay(stored, digest)
    headers = {"Location": location} if location else {}
    return Response(body, status=status, headers=headers)
