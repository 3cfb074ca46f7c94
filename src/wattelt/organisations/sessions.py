"""Session limits: 30 minutes idle (the session cookie's age, renewed on every request)
and 12 hours absolute since login, whatever the activity."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

LOGGED_IN_AT = "wattelt_logged_in_at"


@receiver(user_logged_in)
def remember_login_time(sender: Any, request: HttpRequest, **kwargs: Any) -> None:
    request.session[LOGGED_IN_AT] = time.time()


class AbsoluteSessionLimit:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            logged_in_at = request.session.get(LOGGED_IN_AT, 0)
            if time.time() - logged_in_at > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                messages.info(
                    request, _("You were logged out after 12 hours. Please log in again.")
                )
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)
