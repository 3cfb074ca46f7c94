"""The privacy officer's screens: find a resident, hand out their data (inzage), and
register, decide and carry out erasure requests. Re-authentication before every page;
every look and change is in the access log."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wattelt.audit.services import log_access, log_list_access
from wattelt.organisations.two_factor import sudo_mode
from wattelt.residents.access import visible_one
from wattelt.residents.models import Resident
from wattelt.residents.search import posted_search, search_residents
from wattelt.web import StaffRequest, add_service_errors

from . import services
from .access import privacy_organisation_id, residents_handled_by
from .forms import DecisionForm, ErasureRequestForm, ExecuteForm
from .models import ErasureRequest

PAGE_SIZE = 25
OPEN_REQUESTS_SHOWN = 50
INZAGE = "avg-inzage"
ERASURE = "avg-erasure"


def handled_resident(request: StaffRequest, pk: int) -> Resident:
    """The resident if the user handles requests for them; 404 otherwise."""
    return visible_one(
        residents_handled_by(request.user).select_related("district", "organisation"),
        pk,
        object_type="resident",
        resident_field="pk",
        purpose="privacy",
    )


def handled_request(request: StaffRequest, pk: int) -> ErasureRequest:
    return visible_one(
        ErasureRequest.objects.handled_by(request.user).select_related(
            "resident", "requested_by", "decided_by", "executed_by"
        ),
        pk,
        object_type="erasure_request",
        resident_field="resident_id",
        purpose="privacy",
    )


@login_required
@sudo_mode(reads=True)
def start(request: StaffRequest) -> HttpResponse:
    """Open erasure requests, and the search for a resident within the organisation."""
    if privacy_organisation_id(request.user) is None:
        raise Http404
    residents = residents_handled_by(request.user)
    requests = ErasureRequest.objects.handled_by(request.user)
    open_requests = list(
        (requests.pending() | requests.awaiting_execution()).order_by("received_on", "id")[
            :OPEN_REQUESTS_SHOWN
        ]
    )
    query, page_number = posted_search(request)
    results = search_residents(residents, query).select_related("district")
    page = Paginator(results.order_by("last_name", "first_name", "pk"), PAGE_SIZE).get_page(
        page_number
    )
    log_access(request, "read", "erasure_requests", "open", None, purpose=ERASURE)
    if query:
        shown = [(r.pk, r.pk) for r in page]
        log_list_access(request, "search", "resident", shown, purpose=INZAGE)
    context = {"open_requests": open_requests, "page": page, "query": query}
    return render(request, "privacy/start.html", context)


@login_required
@sudo_mode(reads=True)
def resident(request: StaffRequest, pk: int) -> HttpResponse:
    found = handled_resident(request, pk)
    log_access(request, "read", "resident", found.pk, found.pk, purpose=INZAGE)
    context = {
        "resident": found,
        "trajectories": found.trajectories.aggregate(
            total=Count("id"),
            open=Count("id", filter=Q(ended_on__isnull=True)),
            last_closed_on=Max("ended_on"),
        ),
        "erasure_requests": ErasureRequest.objects.handled_by(request.user).filter(resident=found),
        "youth_care": services.youth_care_applies(found),
    }
    return render(request, "privacy/resident.html", context)


def _download_name(resident: Resident, extension: str) -> str:
    # The file name is seen in downloads folders and mail: an id, never a name.
    return f'attachment; filename="inzage-inwoner-{resident.pk}.{extension}"'


@login_required
@sudo_mode(reads=True)
def inzage_json(request: StaffRequest, pk: int) -> HttpResponse:
    found = handled_resident(request, pk)
    log_access(request, "export", "inzage", found.pk, found.pk, purpose=INZAGE)
    body = json.dumps(services.resident_data(found), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = _download_name(found, "json")
    return response


@login_required
@sudo_mode(reads=True)
def inzage_pdf(request: StaffRequest, pk: int) -> HttpResponse:
    found = handled_resident(request, pk)
    log_access(request, "print", "inzage", found.pk, found.pk, purpose=INZAGE)
    pdf = services.render_inzage_pdf(request, services.resident_data(found))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = _download_name(found, "pdf")
    return response


@login_required
@sudo_mode(reads=True)
def register_erasure(request: StaffRequest, pk: int) -> HttpResponse:
    found = handled_resident(request, pk)
    form = ErasureRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.register_erasure_request(
                found, request.user, form.cleaned_data["received_on"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            log_access(request, "create", "erasure_request", created.pk, found.pk, ERASURE)
            messages.success(
                request, _("Erasure request %(ref)s is registered.") % {"ref": created.reference}
            )
            return redirect("privacy:erasure", created.pk)
    log_access(request, "read", "resident", found.pk, found.pk, purpose=ERASURE)
    return render(request, "privacy/register_erasure.html", {"resident": found, "form": form})


def _erasure_page(
    request: StaffRequest,
    erasure_request: ErasureRequest,
    decision_form: DecisionForm | None = None,
    execute_form: ExecuteForm | None = None,
) -> HttpResponse:
    """The request with the form fit for its state; a rejected form comes back with its
    errors next to the fields (status 400), and nothing was changed."""
    log_access(
        request,
        "read",
        "erasure_request",
        erasure_request.pk,
        erasure_request.resident_number,
        ERASURE,
    )
    resident = erasure_request.resident
    context = {
        "erasure_request": erasure_request,
        "decision_form": decision_form or DecisionForm(),
        "execute_form": execute_form or ExecuteForm(),
        "youth_care": resident is not None and services.youth_care_applies(resident),
        "open_trajectories": (
            resident.trajectories.filter(ended_on__isnull=True).count() if resident else 0
        ),
    }
    status = 400 if decision_form or execute_form else 200
    return render(request, "privacy/erasure.html", context, status=status)


@login_required
@sudo_mode(reads=True)
def erasure(request: StaffRequest, pk: int) -> HttpResponse:
    return _erasure_page(request, handled_request(request, pk))


@login_required
@sudo_mode(reads=True)
@require_POST
def decide(request: StaffRequest, pk: int) -> HttpResponse:
    erasure_request = handled_request(request, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            decided = services.decide_erasure(
                erasure_request,
                request.user,
                decision=data["decision"],
                reason=data["decision_reason"],
                legal_hold=data["legal_hold"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            number = decided.resident_number
            log_access(request, "change", "erasure_request", decided.pk, number, ERASURE)
            messages.success(request, _("The decision is recorded."))
            return redirect("privacy:erasure", decided.pk)
    return _erasure_page(request, erasure_request, decision_form=form)


@login_required
@sudo_mode(reads=True)
@require_POST
def execute(request: StaffRequest, pk: int) -> HttpResponse:
    erasure_request = handled_request(request, pk)
    form = ExecuteForm(request.POST)
    if form.is_valid():
        try:
            done = services.execute_erasure(erasure_request, request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            number = done.resident_number
            log_access(request, "delete", "resident", number, number, ERASURE)
            messages.success(request, _("The personal data are erased."))
            return redirect("privacy:erasure", done.pk)
    return _erasure_page(request, erasure_request, execute_form=form)
