"""The import screen: upload a file (check or import), follow its progress, read the
problems. The work itself is done by `manage.py run_imports` (services.run)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from wattelt.organisations.models import Organisation
from wattelt.organisations.two_factor import sudo_mode
from wattelt.web import StaffRequest

from . import services
from .forms import ImportForm
from .models import ImportJob

PROBLEMS_PER_PAGE = 100


def _organisation(request: StaffRequest) -> Organisation:
    organisation = services.importing_organisation(request.user)
    if organisation is None:
        raise Http404
    return organisation


@login_required
@sudo_mode()
def import_list(request: StaffRequest) -> HttpResponse:
    organisation = _organisation(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = services.submit(
            organisation, request.user, upload.name, upload.read(), form.cleaned_data["dry_run"]
        )
        return redirect("imports:detail", job.pk)
    jobs = ImportJob.objects.filter(organisation=organisation).defer("content")[:20]
    return render(request, "imports/list.html", {"form": form, "jobs": jobs})


@login_required
def import_detail(request: StaffRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request)
    job = get_object_or_404(ImportJob.objects.defer("content"), pk=pk, organisation=organisation)
    page = Paginator(job.problems, PROBLEMS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "imports/detail.html", {"job": job, "page": page})


@login_required
def column_template(request: StaffRequest) -> HttpResponse:
    """An empty CSV with every column the organisation's catalogue allows."""
    organisation = _organisation(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="wat-telt-import.csv"'
    response.write("\ufeff" + ";".join(services.columns_for(organisation)) + "\r\n")
    return response
