"""Signing in to Mijn Wat telt: the front door (DigiD, a passkey, an invitation), the
invitation with its code and the first passkey, signing in with a passkey, and DigiD.

Before sign-in the page speaks the language the resident chose on it (kept in the
session, `residents:choose_language`); an invitation's pages the resident's own unless
they chose another."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from wattelt.audit.services import client_address, log_access
from wattelt.residents.language import chosen_in_session, resident_language, speaking
from wattelt.residents.language import template_context as language_context
from wattelt.residents.models import Resident

from . import digid, invitations, passkeys
from .session import EXPIRED, sign_in
from .views import OWN_VIEW

INVITATION = "portal_invitation_id"
"""The invitation whose code was right, in this session, until a passkey is made."""


def _frame(request: HttpRequest, code: str, **extra: object) -> dict[str, object]:
    return {
        **language_context(code, reverse("residents:choose_language"), request.get_full_path()),
        **extra,
    }


def _next(request: HttpRequest) -> str:
    target = request.GET.get("next", "")
    return target if target.startswith("/mijn/") and "//" not in target else reverse("portal:home")


def _signed_in(request: HttpRequest, resident: Resident, method: str) -> None:
    sign_in(request, resident, method)
    invitations.note_sign_in(resident, method)


@never_cache
def front_door(request: HttpRequest) -> HttpResponse:
    """DigiD when configured, a passkey, or "I have an invitation"."""
    code = resident_language(request)
    expired = bool(request.session.pop(EXPIRED, False))
    next_url = _next(request)
    with speaking(code):
        return render(
            request,
            "portal/sign_in.html",
            _frame(
                request,
                code,
                expired=expired,
                digid=digid.enabled(),
                next_url=next_url,
                problem=request.session.pop("portal_sign_in_problem", ""),
            ),
        )


def _invitation_language(request: HttpRequest, resident: Resident | None) -> str:
    return chosen_in_session(request) or (resident.language if resident else "nl")


@never_cache
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the invitation: the resident types the code read out to them, then
    makes a passkey on this phone."""
    try:
        found = invitations.invitation_for(token)
    except invitations.InvitationRefused as refused:
        code = _invitation_language(request, None)
        with speaking(code):
            return render(
                request,
                "portal/invitation.html",
                _frame(request, code, problem=str(refused)),
                status=410,
            )
    code = _invitation_language(request, found.resident)
    problem = ""
    confirmed = request.session.get(INVITATION) == found.pk
    if request.method == "POST" and not confirmed:
        address = client_address(request) or "unknown"
        with speaking(code):
            try:
                invitations.check_code(found, request.POST.get("code", ""), address)
            except invitations.InvitationRefused as refused:
                problem = str(refused)
            else:
                request.session[INVITATION] = found.pk
                return redirect("portal:invitation", token=token)
    with speaking(code):
        return render(
            request,
            "portal/invitation.html",
            _frame(request, code, invitation=found, confirmed=confirmed, problem=problem),
        )


def _confirmed_invitation(request: HttpRequest) -> invitations.Invitation | None:
    return invitations.open_invitation(request.session.get(INVITATION))


def _credential(request: HttpRequest) -> str:
    """The browser's WebAuthn answer: a JSON body (anything else is no answer)."""
    if request.content_type != "application/json":
        return ""
    return request.body.decode(errors="replace")


def _language_of(request: HttpRequest) -> str:
    found = _confirmed_invitation(request)
    return _invitation_language(request, found.resident if found else None)


@require_POST
def registration_options(request: HttpRequest) -> HttpResponse:
    found = _confirmed_invitation(request)
    if found is None:
        with speaking(resident_language(request)):
            return JsonResponse({"error": _expired_message()}, status=400)
    return HttpResponse(
        passkeys.registration_options(request, found.resident), content_type="application/json"
    )


def _expired_message() -> str:
    return gettext("This page was open too long. Please start again with your invitation.")


@require_POST
def register_passkey(request: HttpRequest) -> HttpResponse:
    """The passkey made on the phone: stored, the invitation used, the old passkeys
    revoked, and the resident signed in."""
    found = _confirmed_invitation(request)
    with speaking(_language_of(request)):
        if found is None:
            return JsonResponse({"error": _expired_message()}, status=400)
        try:
            passkey = passkeys.register(request, found, _credential(request))
        except (passkeys.PasskeyRefused, invitations.InvitationRefused) as refused:
            return JsonResponse({"error": str(refused)}, status=400)
    request.session.pop(INVITATION, None)
    _signed_in(request, passkey.resident, "passkey")
    log_access(request, "create", "passkey", passkey.pk, passkey.resident_id, purpose=OWN_VIEW)
    return JsonResponse({"next": reverse("portal:home")})


@require_POST
def sign_in_options(request: HttpRequest) -> HttpResponse:
    return HttpResponse(passkeys.sign_in_options(request), content_type="application/json")


@require_POST
def sign_in_with_passkey(request: HttpRequest) -> HttpResponse:
    with speaking(resident_language(request)):
        try:
            resident = passkeys.authenticate(request, _credential(request))
        except passkeys.PasskeyRefused as refused:
            return JsonResponse({"error": str(refused)}, status=400)
    next_url = _next(request)
    _signed_in(request, resident, "passkey")
    return JsonResponse({"next": next_url})


def digid_start(request: HttpRequest) -> HttpResponse:
    if not digid.enabled():
        return redirect("portal:sign_in")
    callback = request.build_absolute_uri(reverse("portal:digid_callback"))
    return redirect(digid.authorization_url(request, callback, _next(request)))


@never_cache
def digid_callback(request: HttpRequest) -> HttpResponse:
    if not digid.enabled():
        return redirect("portal:sign_in")
    with speaking(resident_language(request)):
        try:
            resident, next_url = digid.finish(
                request, request.GET.get("state", ""), request.GET.get("code", "")
            )
        except digid.DigiDRefused as refused:
            request.session["portal_sign_in_problem"] = str(refused)
            return redirect("portal:sign_in")
    _signed_in(request, resident, "digid")
    return redirect(next_url)
