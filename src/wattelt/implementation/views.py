"""The organisation admin's settings screen, the team coach's reminder list and the
adoption figures."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from wattelt.audit.services import log_list_access
from wattelt.charts import LineChart, Point, line_chart
from wattelt.instrument.models import NotFilledIn
from wattelt.organisations import roles
from wattelt.organisations.two_factor import sudo_mode
from wattelt.residents.services import DUE_SOON_DAYS
from wattelt.web import StaffRequest, add_service_errors

from . import adoption, services
from .forms import PolicyForm

PAGE_SIZE = 25
NO_VALUE = "-"
NEEDS_ATTENTION = "aandacht"


@login_required
@sudo_mode()
def organisation_settings(request: StaffRequest) -> HttpResponse:
    """How the organisation uses Wat telt. Only its organisation admin; saving asks for
    password and code again."""
    organisation = services.administered_organisation(request.user)
    if organisation is None:
        raise Http404
    current = services.current_policy(organisation)
    form = PolicyForm(request.POST or None, initial=dataclasses.asdict(current))
    if request.method == "POST" and form.is_valid():
        try:
            changes = services.change_policy(
                organisation, request.user, services.PolicyInput(**form.cleaned_data)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if changes:
                messages.success(request, _("The settings are saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("implementation:organisation_settings")
    context = {
        "organisation": organisation,
        "form": form,
        "history": services.policy_history(organisation),
    }
    return render(request, "implementation/organisation_settings.html", context)


@login_required
def team_reminders(request: StaffRequest) -> HttpResponse:
    """The coach's view of the team's open trajectories: which measurements are due,
    overdue, or never started. Team coaches only."""
    if not roles.is_coach(request.user):
        raise Http404
    needs_attention = request.GET.get("toon") == NEEDS_ATTENTION
    trajectories = services.coach_team_list(request.user, needs_attention)
    page = Paginator(trajectories, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [
        (t, services.reminder_state(t, t.team.organisation.start_measurement_grace_days, today))
        for t in page
    ]
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    counts = services.coach_team_list(request.user).aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=Q(measurement_due_on__lt=today)),
        due=Count("pk", filter=Q(measurement_due_on__gte=today, measurement_due_on__lte=soon)),
    )
    log_list_access(request, "read", "trajectory", [(t.pk, t.resident_id) for t in page])
    context = {
        "page": page,
        "rows": rows,
        "counts": counts,
        "needs_attention": needs_attention,
        "page_query": f"toon={NEEDS_ATTENTION}" if needs_attention else "",
    }
    return render(request, "implementation/team_reminders.html", context)


# --- adoption ------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendSection:
    """One chart and the table beside it: a row per month, a column per indicator."""

    id: str
    title: str
    explanation: str
    chart: LineChart
    headers: list[str]
    rows: list[tuple[str, list[str]]]


def _shown(value: adoption.IndicatorValue) -> str:
    if value.value is None:
        return NO_VALUE
    if value.unit == "percent":
        return f"{number_format(value.value, 0)}%"
    return number_format(value.value, 1)


def _with_counts(value: adoption.IndicatorValue) -> str:
    if value.value is None:
        return NO_VALUE
    return f"{_shown(value)} ({value.numerator}/{value.denominator})"


def _point(value: adoption.IndicatorValue) -> Point:
    if value.value is None:
        return Point(None, NO_VALUE)
    return Point(round(value.value, 1), _shown(value))


def _month_label(month: adoption.Month, first: bool) -> str:
    """Short, for the chart's axis: "jan '26", the year only at January and at the start."""
    name = date_format(month.first_day, "b")
    return f"{name} '{month.first_day:%y}" if first or month.month == 1 else name


def _trend_section(
    id: str,
    title: str,
    explanation: str,
    keys: list[str],
    report: adoption.AdoptionReport,
) -> TrendSection:
    labels = [_month_label(m.month, n == 0) for n, m in enumerate(report.trend)]
    names = [str(adoption.INDICATORS[key]) for key in keys]
    values = {key: [m.counts.indicator(key, report.offered) for m in report.trend] for key in keys}
    chart = line_chart(
        title,
        labels,
        [(name, [_point(v) for v in values[key]]) for name, key in zip(names, keys, strict=True)],
        width=640,
        id=f"chart-{id}",
    )
    rows = [
        (
            date_format(m.month.first_day, "F Y") + ("" if m.complete else " *"),
            [_with_counts(values[key][n]) for key in keys],
        )
        for n, m in enumerate(report.trend)
    ]
    return TrendSection(id, title, explanation, chart, [_("Month"), *names], rows)


def _parse_month(raw: str) -> adoption.Month | None:
    try:
        day = dt.datetime.strptime(raw, "%Y-%m").date()
    except ValueError:
        return None
    return adoption.Month.of(day)


@dataclass
class AdoptionFilter:
    end: adoption.Month
    team_id: int | None = None
    professional_id: int | None = None
    problems: list[str] = dataclasses.field(default_factory=list)


def _adoption_filter(
    request: StaffRequest, access: adoption.AdoptionAccess, today: dt.date
) -> tuple[AdoptionFilter, list[tuple[int, str]]]:
    """The month, team and professional asked for; what cannot be shown is named in a
    message and left out, never an error page."""
    current = adoption.Month.of(today)
    chosen = AdoptionFilter(end=current)
    raw = request.GET.get("maand", "").strip()
    if raw:
        month = _parse_month(raw)
        if month is None or month.year < FIRST_YEAR:
            chosen.problems.append(
                _(
                    "“%(value)s” is not a month we can show: write it as year-month, e.g. "
                    "%(example)s. Showing the twelve months up to this month."
                )
                % {"value": raw[:20], "example": current.key}
            )
        elif month > current:
            chosen.problems.append(
                _("%(value)s lies in the future. Showing the twelve months up to this month.")
                % {"value": raw}
            )
        else:
            chosen.end = month
    raw = request.GET.get("team", "").strip()
    if raw:
        if raw.isdigit() and int(raw) in access.team_ids:
            chosen.team_id = int(raw)
        else:
            chosen.problems.append(
                _(
                    "There is no team “%(value)s” among the teams whose figures you may "
                    "see. Showing all of them."
                )
                % {"value": raw[:20]}
            )
    people = (
        adoption.professionals_of(adoption.detail_teams(access, chosen.team_id))
        if access.per_professional
        else []
    )
    raw = request.GET.get("medewerker", "").strip()
    if raw:
        if raw.isdigit() and int(raw) in {pk for pk, _name in people}:
            chosen.professional_id = int(raw)
        else:
            chosen.problems.append(
                _(
                    "There is no professional “%(value)s” whose own figures you may see "
                    "(in this team). Showing the team figures."
                )
                % {"value": raw[:20]}
            )
    return chosen, people


@login_required
def adoption_page(request: StaffRequest) -> HttpResponse:
    """Is Wat telt used (blijven gebruiken): per team and professional, per month.
    Figures about professionals, no resident data; see adoption.AdoptionAccess for who
    sees what."""
    access = adoption.adoption_access(request.user)
    if access is None:
        raise Http404
    today = timezone.localdate()
    chosen, people = _adoption_filter(request, access, today)
    report = adoption.adoption_report(
        access, chosen.end, chosen.team_id, chosen.professional_id, people, today
    )
    registration = ["start_within_14_days", "follow_up_on_time", "end_measurement"]
    views = [f"{name}_view_used" for name in report.offered]
    sections = [
        _trend_section(
            "registration",
            _("Measurements recorded"),
            _("Start measurements, follow-ups and end measurements, per month."),
            registration,
            report,
        ),
    ]
    if views:
        sections.append(
            _trend_section(
                "views",
                _("Perspectives used"),
                _("Share of the measurements with the professional's or the carer's chip."),
                views,
                report,
            )
        )
    sections.append(
        _trend_section(
            "goals",
            _("Goals per measurement"),
            _("Goals stated per confirmed measurement."),
            ["goals_per_measurement"],
            report,
        )
    )
    reasons = NotFilledIn.Reason.choices
    scope_name = _scope_name(access, chosen, people)
    context = {
        "access": access,
        "chosen": chosen,
        "people": people,
        "report": report,
        "sections": sections,
        "scope_name": scope_name,
        "months": [(m.month.key, date_format(m.month.first_day, "F Y")) for m in report.trend],
        "month_options": _month_options(today),
        "reason_headers": [label for _value, label in reasons],
        "reason_rows": [
            (
                date_format(m.month.first_day, "F Y"),
                [m.counts.not_filled_in.get(value, 0) for value, _label in reasons],
                m.counts.not_filled_in_total,
            )
            for m in report.trend
        ],
        "team_rows": _group_rows(report.teams, report.offered),
        "professional_rows": _group_rows(report.professionals, report.offered),
        "indicator_headers": [str(adoption.INDICATORS[k]) for k in _table_keys(report.offered)],
        "thresholds": [
            (str(dict(adoption.PHASES)[t.phase]), str(adoption.INDICATORS[t.indicator]), t)
            for t in adoption.THRESHOLDS
        ],
        "indicator_labels": {k: str(v) for k, v in adoption.INDICATORS.items()},
        "min_cases": adoption.MIN_CASES,
        "start_days": adoption.START_WINDOW_DAYS,
        "tolerance_days": adoption.FOLLOW_UP_TOLERANCE_DAYS,
        "recent": ", ".join(date_format(m.first_day, "F Y") for m in report.recent),
        "plan_url": _plan_url(),
    }
    return render(request, "implementation/adoption.html", context)


FIRST_YEAR = 2000


def _table_keys(offered: list[str]) -> list[str]:
    return [
        "start_within_14_days",
        "follow_up_on_time",
        "end_measurement",
        *(f"{name}_view_used" for name in offered),
        "goals_per_measurement",
    ]


def _group_rows(
    groups: list[adoption.GroupRow], offered: list[str]
) -> list[tuple[adoption.GroupRow, list[str]]]:
    keys = _table_keys(offered)
    return [(g, [_with_counts(g.counts.indicator(k, offered)) for k in keys]) for g in groups]


def _scope_name(
    access: adoption.AdoptionAccess, chosen: AdoptionFilter, people: list[tuple[int, str]]
) -> str:
    if chosen.professional_id is not None:
        return dict(people)[chosen.professional_id]
    if chosen.team_id is not None:
        return next(t.name for t in access.teams if t.pk == chosen.team_id)
    if access.whole_organisation:
        return access.organisation.name
    return ", ".join(t.name for t in access.teams)


def _month_options(today: dt.date) -> list[tuple[str, str]]:
    current = adoption.Month.of(today)
    return [((current - n).key, date_format((current - n).first_day, "F Y")) for n in range(0, 36)]


def _plan_url() -> str:
    """The implementation plan's page, when the plan app has one."""
    try:
        return reverse(PLAN_URL_NAME)
    except NoReverseMatch:
        return ""


PLAN_URL_NAME = "implementation_plan:plan"
