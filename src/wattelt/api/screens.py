"""The organisation admin's screen for API clients: register one for the organisation or
one team with scopes (the secret is shown once), see them, revoke one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wattelt.organisations import roles
from wattelt.organisations.models import Organisation, Role
from wattelt.organisations.two_factor import sudo_mode
from wattelt.web import StaffRequest, add_service_errors

from . import services
from .forms import SCOPE_LABELS, ClientForm
from .models import ApiClient


def _administered(request: StaffRequest) -> Organisation:
    if not roles.has_organisation_role(request.user, Role.Name.ORGANISATION_ADMIN):
        raise Http404
    organisation = request.user.organisation
    assert organisation is not None
    return organisation


@login_required
@sudo_mode()
def clients(request: StaffRequest) -> HttpResponse:
    organisation = _administered(request)
    form = ClientForm(organisation, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            registered = services.register_client(
                request.user,
                organisation,
                form.cleaned_data["name"],
                form.cleaned_data["scopes"],
                form.chosen_team(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return render(request, "api/secret.html", {"registered": registered})
    listed = ApiClient.objects.filter(organisation=organisation).select_related(
        "team", "application", "registered_by"
    )
    context = {
        "organisation": organisation,
        "form": form,
        "clients": listed,
        "scope_labels": SCOPE_LABELS,
    }
    return render(request, "api/clients.html", context)


@login_required
@sudo_mode()
@require_POST
def revoke(request: StaffRequest, pk: int) -> HttpResponse:
    organisation = _administered(request)
    client = ApiClient.objects.filter(organisation=organisation, pk=pk, revoked_at=None).first()
    if client is None:
        raise Http404
    services.revoke_client(client)
    messages.success(request, _("“%(name)s” can no longer use the API.") % {"name": client.name})
    return redirect("api_clients:clients")
