"""Mijn Wat telt: the resident's own pages. Every view is behind `resident_required`
and reads only the signed-in resident's data (the `owned_by` rules), logging each read
with the resident as actor."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from wattelt.residents.language import CODES, safe_next, template_context

from .menu import MENU
from .session import PortalRequest, resident_required, sign_out

OWN_VIEW = "own view"
"""The access log's purpose for a resident's look at their own data."""


def portal_context(request: PortalRequest, **extra: object) -> dict[str, object]:
    """What templates/portal/base.html needs: the resident's language and its switch."""
    language = request.portal_resident.language
    menu = [
        {"section": section, "url": reverse(name), "label": label} for section, name, label in MENU
    ]
    return {
        **template_context(language, reverse("portal:language"), request.path),
        "portal_menu": menu,
        **extra,
    }


@require_POST
@resident_required
def language(request: PortalRequest) -> HttpResponse:
    """The resident chooses the language of their screens (also in the conversation)."""
    code = request.POST.get("language", "")
    resident = request.portal_resident
    if code in CODES and code != resident.language:
        resident.language = code
        resident.save(update_fields=["language"])
    return redirect(safe_next(request, reverse("portal:home")))


@require_POST
def sign_out_view(request: HttpRequest) -> HttpResponse:
    sign_out(request)
    return redirect("portal:sign_in")
