"""A resident's session in Mijn Wat telt, apart from staff sessions.

A resident who signs in (DigiD or a passkey) gets a session that names them
(`RESIDENT_KEY`) and no Django user: every staff URL (behind `login_required`) sends them
to the staff login, and the portal's views (behind `resident_required`) refuse a staff
session, so staff cannot act as a resident. Signing in either way starts a fresh session
(a staff login in the same browser ends). Resident sessions end after
`settings.PORTAL_IDLE_SECONDS` (15 minutes) without a request.

    @resident_required
    def plan(request: PortalRequest) -> HttpResponse:
        resident = request.portal_resident
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Concatenate, ParamSpec

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from wattelt.residents.language import speaking
from wattelt.residents.models import Resident

RESIDENT_KEY = "portal_resident_id"
SIGNED_IN_AT = "portal_signed_in_at"
LAST_SEEN = "portal_last_seen"
METHOD = "portal_method"
EXPIRED = "portal_expired"
"""Set for one request after an idle session ended, so the sign-in page can say so."""


class PortalRequest(HttpRequest):
    """A request in the portal: `portal_resident` is the signed-in resident."""

    portal_resident: Resident


def sign_in(request: HttpRequest, resident: Resident, method: str) -> None:
    """Start a resident session (method: "digid" or "passkey"). Any staff login in this
    browser ends, and the session key changes (no session fixation)."""
    if request.user.is_authenticated:
        logout(request)
    request.session.cycle_key()
    now = time.time()
    request.session[RESIDENT_KEY] = resident.pk
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN] = now
    request.session[METHOD] = method
    request.session.set_expiry(settings.PORTAL_IDLE_SECONDS)
    request.portal_resident = resident  # type: ignore[attr-defined]


def sign_out(request: HttpRequest) -> None:
    request.session.flush()
    request.portal_resident = None  # type: ignore[attr-defined]


class PortalSession:
    """Puts the signed-in resident on `request.portal_resident` (None otherwise) and ends
    a resident session after `PORTAL_IDLE_SECONDS` idle. Goes after authentication."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.portal_resident = None  # type: ignore[attr-defined]
        resident_id = request.session.get(RESIDENT_KEY)
        if resident_id is not None:
            idle = time.time() - float(request.session.get(LAST_SEEN, 0))
            resident = None
            if idle <= settings.PORTAL_IDLE_SECONDS and not request.user.is_authenticated:
                resident = Resident.objects.filter(pk=resident_id).first()
            if resident is None:
                sign_out(request)
                request.session[EXPIRED] = True
            else:
                request.portal_resident = resident  # type: ignore[attr-defined]
                request.session[LAST_SEEN] = time.time()
                request.session.set_expiry(settings.PORTAL_IDLE_SECONDS)
        return self.get_response(request)


P = ParamSpec("P")


def resident_required(
    view: Callable[Concatenate[PortalRequest, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """The portal's door: a signed-in resident, in their own language. Staff are refused
    (403: staff cannot act as a resident); anyone else goes to the portal's sign-in."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if request.user.is_authenticated:
            return render(request, "portal/staff_refused.html", status=403)
        resident = getattr(request, "portal_resident", None)
        if resident is None:
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('portal:sign_in')}?{query}")
        with speaking(resident.language) as chosen:
            response = view(request, *args, **kwargs)  # type: ignore[arg-type]
        response.headers["Content-Language"] = chosen.code
        response.headers["Cache-Control"] = "no-store"
        return response

    return wrapped
