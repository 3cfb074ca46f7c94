"""How the adoption page shows the report: the trend charts with their tables, the rows
per team and per professional, the reasons for not filling in, in the active language."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.formats import date_format, number_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from wattelt.charts import LineChart, Point, line_chart
from wattelt.instrument.models import NotFilledIn

from .access import AdoptionAccess
from .indicators import FOLLOW_UP_TOLERANCE_DAYS, INDICATORS, START_WINDOW_DAYS, IndicatorValue
from .lights import MIN_CASES, PHASES, THRESHOLDS
from .months import Month
from .report import AdoptionReport, GroupRow

if TYPE_CHECKING:
    from ..forms import AdoptionFilter

NO_VALUE = "-"
MONTH_CHOICES = 36
"""The filter offers this many months, up to the current one."""
REGISTRATION = ["start_within_14_days", "follow_up_on_time", "end_measurement"]


@dataclass(frozen=True)
class TrendSection:
    """One chart and the table beside it: a row per month, a column per indicator."""

    id: str
    title: str
    explanation: str
    chart: LineChart
    headers: list[str]
    rows: list[tuple[str, list[str]]]


@dataclass(frozen=True)
class TableRow:
    """A team or a professional in their table: the figures, and the link to their trend."""

    group: GroupRow
    cells: list[str]
    href: str
    chosen: bool = False


def shown(value: IndicatorValue) -> str:
    if value.value is None:
        return NO_VALUE
    if value.unit == "percent":
        return f"{number_format(value.value, 0)}%"
    return number_format(value.value, 1)


def with_counts(value: IndicatorValue) -> str:
    if value.value is None:
        return NO_VALUE
    return f"{shown(value)} ({value.numerator}/{value.denominator})"


def _point(value: IndicatorValue) -> Point:
    if value.value is None:
        return Point(None, NO_VALUE)
    return Point(round(value.value, 1), shown(value))


def _month_label(month: Month, first: bool) -> str:
    """Short, for the chart's axis: "jan '26", the year only at January and at the start."""
    name = date_format(month.first_day, "b")
    return f"{name} '{month.first_day:%y}" if first or month.month == 1 else name


def _month_name(month: Month) -> str:
    return date_format(month.first_day, "F Y")


def trend_section(
    id: str, title: str, explanation: str, keys: list[str], report: AdoptionReport
) -> TrendSection:
    labels = [_month_label(m.month, n == 0) for n, m in enumerate(report.trend)]
    names = [str(INDICATORS[key]) for key in keys]
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
            _month_name(m.month) + ("" if m.complete else " *"),
            [with_counts(values[key][n]) for key in keys],
        )
        for n, m in enumerate(report.trend)
    ]
    return TrendSection(id, title, explanation, chart, [_("Month"), *names], rows)


def trend_sections(report: AdoptionReport) -> list[TrendSection]:
    """Registration, the optional views the organisation offers, goals."""
    sections = [
        trend_section(
            "registration",
            _("Measurements recorded"),
            _("Start measurements, follow-ups and end measurements, per month."),
            REGISTRATION,
            report,
        ),
    ]
    if report.offered:
        sections.append(
            trend_section(
                "views",
                _("Perspectives used"),
                _("Share of the measurements with the professional's or the carer's chip."),
                [f"{name}_view_used" for name in report.offered],
                report,
            )
        )
    sections.append(
        trend_section(
            "goals",
            _("Goals per measurement"),
            _("Goals stated per confirmed measurement."),
            ["goals_per_measurement"],
            report,
        )
    )
    return sections


def table_keys(offered: list[str]) -> list[str]:
    return [*REGISTRATION, *(f"{name}_view_used" for name in offered), "goals_per_measurement"]


def _cells(group: GroupRow, offered: list[str]) -> list[str]:
    return [with_counts(group.counts.indicator(k, offered)) for k in table_keys(offered)]


def team_rows(report: AdoptionReport, chosen: AdoptionFilter) -> list[TableRow]:
    return [
        TableRow(
            team,
            _cells(team, report.offered),
            "?" + urlencode({"team": str(team.id), "maand": chosen.end.key}),
        )
        for team in report.teams
    ]


def professional_rows(report: AdoptionReport, chosen: AdoptionFilter) -> list[TableRow]:
    team = {"team": str(chosen.team_id)} if chosen.team_id else {}
    return [
        TableRow(
            person,
            _cells(person, report.offered),
            "?" + urlencode({**team, "medewerker": str(person.id), "maand": chosen.end.key}),
            chosen=person.id == chosen.professional_id,
        )
        for person in report.professionals
    ]


def reason_rows(report: AdoptionReport) -> list[tuple[str, list[int], int]]:
    return [
        (
            _month_name(m.month),
            [m.counts.not_filled_in.get(value, 0) for value, _label in NotFilledIn.Reason.choices],
            m.counts.not_filled_in_total,
        )
        for m in report.trend
    ]


def scope_name(access: AdoptionAccess, chosen: AdoptionFilter) -> str:
    if chosen.professional_id is not None:
        return dict(chosen.people)[chosen.professional_id]
    if chosen.team_id is not None:
        return next(t.name for t in access.teams if t.pk == chosen.team_id)
    if access.whole_organisation:
        return access.organisation.name
    return ", ".join(t.name for t in access.teams)


def month_options(today: dt.date) -> list[tuple[str, str]]:
    current = Month.of(today)
    return [((current - n).key, _month_name(current - n)) for n in range(MONTH_CHOICES)]


def adoption_context(
    access: AdoptionAccess, chosen: AdoptionFilter, report: AdoptionReport, today: dt.date
) -> dict[str, Any]:
    """Everything the template shows."""
    return {
        "access": access,
        "chosen": chosen,
        "people": chosen.people,
        "report": report,
        "sections": trend_sections(report),
        "scope_name": scope_name(access, chosen),
        "month_options": month_options(today),
        "reason_headers": [label for _value, label in NotFilledIn.Reason.choices],
        "reason_rows": reason_rows(report),
        "team_rows": team_rows(report, chosen),
        "professional_rows": professional_rows(report, chosen),
        "indicator_headers": [str(INDICATORS[k]) for k in table_keys(report.offered)],
        "thresholds": [
            (str(dict(PHASES)[t.phase]), str(INDICATORS[t.indicator]), t) for t in THRESHOLDS
        ],
        "indicator_labels": {k: str(v) for k, v in INDICATORS.items()},
        "min_cases": MIN_CASES,
        "start_days": START_WINDOW_DAYS,
        "reminder_days": access.organisation.start_measurement_grace_days,
        "tolerance_days": FOLLOW_UP_TOLERANCE_DAYS,
        "recent": ", ".join(_month_name(m) for m in report.recent),
    }
