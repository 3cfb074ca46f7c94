"""Monitoring pages: the dashboard, the presentation for a team meeting, the aggregate
exports (CSV, XLSX), the quarterly PDF report, and the pseudonymised research export.

Every aggregate comes from `report.build_report`, which reads the suppressed cube: the
same figures everywhere, no resident named."""

from __future__ import annotations

from functools import cached_property

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from wattelt.audit.services import log_access, log_list_access
from wattelt.organisations.models import District, Municipality, Team
from wattelt.organisations.two_factor import sudo_mode
from wattelt.replica import reads_from_replica
from wattelt.web import StaffRequest

from . import fragments
from .cube import dashboard_scope
from .exports import report_csv, report_pdf, report_xlsx
from .forms import DashboardFilter, ResearchExportForm
from .report import Report, build_report
from .research import may_export_research_data, research_export


class _Page:
    """The scope, the filters and (when they are valid) the report of one request."""

    def __init__(self, request: StaffRequest) -> None:
        scope = dashboard_scope(request.user)
        if scope is None:
            raise Http404
        self.scope = scope
        self.teams: list[Team] = list(scope.teams())
        self.districts: list[District] = list(scope.districts())
        self.form = DashboardFilter(
            {**DashboardFilter.defaults(), **request.GET.dict()}, self.districts, self.teams
        )
        self.valid = self.form.is_valid()

    @cached_property
    def report(self) -> Report | None:
        """Built when first asked for (the dashboard may have its figures rendered)."""
        if not self.valid:
            return None
        return build_report(self.scope, self.form.choice, self.districts, self.teams)

    @property
    def filename(self) -> str:
        return f"monitoring-{self.form.choice.period.value}"

    def context(self, **more: object) -> dict[str, object]:
        return fragments.context(self.form, self.report, **more)


@login_required
@reads_from_replica
def dashboard(request: StaffRequest) -> HttpResponse:
    page = _Page(request)
    log_access(request, "read", "dashboard", "figures", None, purpose="monitoring")
    key = (
        fragments.figures_key(page.scope, page.form, page.districts, page.teams, "html")
        if page.valid
        else None
    )
    figures = fragments.cached(key)
    if figures is None:
        figures = fragments.render_figures(page.form, page.report)
        fragments.keep(key, figures)
    return render(
        request,
        "monitoring/dashboard.html",
        {
            "form": page.form,
            "form_html": mark_safe(fragments.filter_form(page.form, key)),  # the form's own
            "figures": mark_safe(figures),  # our own template's output
            "may_research": may_export_research_data(request.user),
        },
    )


@login_required
@reads_from_replica
def presentation(request: StaffRequest) -> HttpResponse:
    """One figure per screen, large, with previous and next (links; arrow keys with JS)."""
    page = _Page(request)
    figures = page.report.all_sections if page.report else []
    try:
        number = int(request.GET.get("figure", "1"))
    except ValueError:
        number = 1
    number = min(max(number, 1), max(len(figures), 1))
    log_access(request, "read", "dashboard", "presentation", None, purpose="monitoring")
    return render(
        request,
        "monitoring/presentation.html",
        page.context(
            figure=figures[number - 1] if figures else None,
            number=number,
            count=len(figures),
            previous=number - 1 if number > 1 else None,
            next=number + 1 if number < len(figures) else None,
            base_query=page.form.query,
        ),
    )


def _export(request: StaffRequest, kind: str) -> HttpResponse:
    page = _Page(request)
    if not page.valid:
        # Bad filters: the dashboard says what is wrong.
        return render(request, "monitoring/dashboard.html", page.context(), status=200)
    log_access(request, "export", "dashboard", kind, None, purpose="monitoring")
    if kind == "csv":
        key = fragments.figures_key(page.scope, page.form, page.districts, page.teams, "csv")
        body = fragments.cached(key)
        if body is None:
            assert page.report is not None
            body = report_csv(page.report)
            fragments.keep(key, body)
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    else:
        assert page.report is not None
        response = HttpResponse(
            report_xlsx(page.report),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{page.filename}.{kind}"'
    return response


@login_required
@reads_from_replica
def export_csv(request: StaffRequest) -> HttpResponse:
    return _export(request, "csv")


@login_required
@reads_from_replica
def export_xlsx(request: StaffRequest) -> HttpResponse:
    return _export(request, "xlsx")


@login_required
@reads_from_replica
def report(request: StaffRequest) -> HttpResponse:
    """The quarterly (or yearly) report as a PDF."""
    page = _Page(request)
    if page.report is None:
        return render(request, "monitoring/dashboard.html", page.context(), status=200)
    log_access(request, "print", "dashboard", "report", None, purpose="monitoring")
    municipality = Municipality.objects.filter(organisations__teams__in=page.teams[:1]).first()
    pdf = report_pdf(request, page.report, municipality.name if municipality else "")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{page.filename}.pdf"'
    return response


@login_required
@sudo_mode(reads=True)
@require_http_methods(["GET", "POST"])
def research(request: StaffRequest) -> HttpResponse:
    """The pseudonymised record-level data set, for the organisation's quality officer
    and admin, after password and code again, with a stated purpose; logged per resident."""
    if not may_export_research_data(request.user):
        raise Http404
    form = ResearchExportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        purpose = form.cleaned_data["purpose"]
        year = form.cleaned_data["year"]
        export = research_export(request.user, year)
        per_resident = {resident: trajectory for trajectory, resident in export.residents}
        log_list_access(
            request,
            "export",
            "research_export",
            [(trajectory, resident) for resident, trajectory in sorted(per_resident.items())],
            purpose=purpose,
        )
        log_access(request, "export", "research_export", year or "all", None, purpose=purpose)
        response = HttpResponse("\ufeff" + export.csv, content_type="text/csv; charset=utf-8")
        name = _("research") + f"-{year or 'all'}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render(request, "monitoring/research.html", {"form": form})
