"""Tablet mode: a session handed to a resident reaches only the pages handed over."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from wattelt.organisations import handover

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class TabletMode:
    """While the session is in tablet mode only the pages handed over (the questionnaire
    and its hand-back, or the board in conversation mode: `organisations.handover`), the
    language switches, logging out (which ends it) and static files are reached. Any other
    page redirects to the first page handed over; any other POST gets a 403.

    Goes after authentication, the second factor and the security headers (so its own
    answers carry them too): just before AxesMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._open_paths: frozenset[str] | None = None

    def open_paths(self) -> frozenset[str]:
        if self._open_paths is None:
            names = ("set_language", "residents:choose_language", "logout")
            self._open_paths = frozenset(reverse(name) for name in names)
        return self._open_paths

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            not handover.is_locked(request)
            or not request.user.is_authenticated
            or request.path in self.open_paths()
            or request.path in handover.pages(request)
            or request.path.startswith(settings.STATIC_URL or "/static/")
        ):
            return self.get_response(request)
        if request.method in SAFE_METHODS:
            return redirect(handover.home(request) or "feedback:tablet")
        return render(request, "feedback/tablet_locked.html", status=403)
