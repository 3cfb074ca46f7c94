"""The access log viewer for the privacy officer: filter, page through, export."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render

from wattelt.organisations import roles
from wattelt.organisations.two_factor import sudo_mode
from wattelt.spreadsheets import SafeCsvWriter
from wattelt.web import StaffRequest

from .forms import AccessLogFilter
from .models import AccessLog, AccessLogQuerySet, refusals_per_user
from .services import log_access

FIELDS = [
    "at",
    "username",
    "role",
    "on_behalf_of",
    "organisation_id",
    "resident_id",
    "object_type",
    "object_id",
    "action",
    "purpose",
    "outcome",
    "client_address",
]


def _filtered(request: StaffRequest) -> tuple[AccessLogFilter, AccessLogQuerySet]:
    if not roles.is_privacy_officer(request.user):
        raise Http404
    visible = AccessLog.objects.visible_to(request.user)
    form = AccessLogFilter(request.GET or None)
    records = form.apply(visible) if request.GET else visible
    return form, records.order_by("-at", "-id")


def _resident_filter(form: AccessLogFilter) -> int | None:
    if not form.is_valid():
        return None
    resident: int | None = form.cleaned_data["resident"]
    return resident


@login_required
@sudo_mode(reads=True)
def access_log(request: StaffRequest) -> HttpResponse:
    form, records = _filtered(request)
    resident = _resident_filter(form)
    log_access(request, "read", "access_log", resident or "all", resident, purpose="privacy")
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/access_log.html",
        {
            "form": form,
            "page": page,
            "page_query": query.urlencode(),
            "refusals": refusals_per_user(records),
        },
    )


@login_required
@sudo_mode(reads=True)
def access_log_export(request: StaffRequest) -> HttpResponse:
    form, records = _filtered(request)
    resident = _resident_filter(form)
    log_access(request, "export", "access_log", resident or "all", resident, purpose="privacy")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="toegangslog.csv"'
    writer = SafeCsvWriter(response)
    writer.writerow(FIELDS)
    for record in records.values_list(*FIELDS).iterator():
        writer.writerow(record)
    return response
