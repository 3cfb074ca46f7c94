"""The organisation admin's notification screen: receiving systems and their deliveries.
No resident data here: notifications name objects by URL only."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wattelt.organisations.models import Organisation
from wattelt.organisations.two_factor import sudo_mode
from wattelt.web import StaffRequest, add_service_errors

from . import services
from .forms import DeliveryFilter, SubscriptionForm
from .models import Subscription

PAGE_SIZE = 25


def _organisation(request: StaffRequest) -> Organisation:
    organisation = services.administered_organisation(request.user)
    if organisation is None:
        raise Http404
    return organisation


@login_required
def overview(request: StaffRequest) -> HttpResponse:
    organisation = _organisation(request)
    form = DeliveryFilter(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    deliveries = services.recent_deliveries(organisation, status)
    page = Paginator(deliveries, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "organisation": organisation,
        "subscriptions": services.subscriptions_with_counts(organisation),
        "filter": form,
        "page": page,
        "page_query": f"status={status}" if status else "",
    }
    return render(request, "notifications/overview.html", context)


@login_required
@sudo_mode()
def subscribe(request: StaffRequest) -> HttpResponse:
    """A new receiving system. The secret is on the answer to the POST only: it is shown
    once and never again."""
    organisation = _organisation(request)
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            subscription = services.subscribe(
                organisation, request.user, services.SubscriptionInput(**form.cleaned_data)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return render(request, "notifications/secret.html", {"subscription": subscription})
    return render(request, "notifications/subscribe.html", {"form": form})


@login_required
@require_POST
@sudo_mode()
def stop(request: StaffRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request)
    subscription = get_object_or_404(Subscription, pk=pk, organisation=organisation)
    services.stop(subscription)
    messages.success(
        request, _("%(name)s receives no more notifications.") % {"name": subscription}
    )
    return redirect("notifications:overview")
