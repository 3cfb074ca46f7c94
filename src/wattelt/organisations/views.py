"""Enrolling and using the second factor, and re-authentication for sudo mode."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from wattelt.web import StaffRequest

from . import lockout, two_factor
from .forms import CodeForm, ReauthenticateForm


@login_required
def enrol(request: StaffRequest) -> HttpResponse:
    """First login: link an authenticator app (QR code or key), confirm with a code."""
    if two_factor.has_second_factor(request.user):
        return redirect("two_factor_verify")
    device = two_factor.pending_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm_enrolment(request.user, device, form.cleaned_data["code"])
        if codes is not None:
            two_factor.complete_login(request, device)
            return render(
                request,
                "registration/recovery_codes.html",
                {"codes": codes, "next": two_factor.safe_next(request)},
            )
        form.add_error(
            "code",
            _("This code is not right. Check the time on your phone and try the newest code."),
        )
    return render(
        request,
        "registration/enrol.html",
        {
            "form": form,
            "qr": two_factor.qr_code_svg(device),
            "key": device.key,
            "next": request.GET.get("next", ""),
        },
    )


@login_required
def verify(request: StaffRequest) -> HttpResponse:
    """Every login after the first: the code from the app, or a recovery code."""
    if not two_factor.has_second_factor(request.user):
        return redirect("two_factor_enrol")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = two_factor.check_code(request.user, form.cleaned_data["code"])
        if device is not None:
            two_factor.complete_login(request, device)
            return redirect(two_factor.safe_next(request))
        form.add_error(
            "code", _("This code is not right, or a recovery code that was used before.")
        )
    return render(
        request, "registration/verify.html", {"form": form, "next": request.GET.get("next", "")}
    )


@login_required
@two_factor.sudo_mode(reads=True)
def recovery_codes(request: StaffRequest) -> HttpResponse:
    """New recovery codes (the old ones stop working); needs a fresh confirmation."""
    if request.method == "POST":
        codes = two_factor.new_recovery_codes(request.user)
        return render(request, "registration/recovery_codes.html", {"codes": codes, "next": "/"})
    return render(request, "registration/new_recovery_codes.html")


@login_required
def reauthenticate(request: StaffRequest) -> HttpResponse:
    """Sudo mode: password and code again, valid for 10 minutes. Failures count towards
    the lockout like failed logins; a session that reaches it is ended."""
    if not two_factor.is_verified(request.user):
        # Before the second step of the login there is nothing to confirm.
        return redirect(
            f"{reverse('two_factor_verify')}?{urlencode({'next': two_factor.safe_next(request)})}"
        )
    form = ReauthenticateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = lockout.confirm_password_and_code(
            request, request.user, form.cleaned_data["password"], form.cleaned_data["code"]
        )
        if lockout.is_locked_out(request):
            return lockout.refuse_locked_out(request)
        if confirmed:
            two_factor.mark_reauthenticated(request)
            request.session.cycle_key()
            return redirect(two_factor.safe_next(request))
        form.add_error(None, _("Password or code is not right."))
    return render(
        request,
        "registration/reauthenticate.html",
        {"form": form, "next": request.GET.get("next", "")},
    )
