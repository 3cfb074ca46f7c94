"""How the adoption page shows the report: the trend charts with their tables, the rows
per team and per professional, the reasons for not filling in, in the active language."""

from __future__ import annotations

import datetime as dt
import hashlib
import pickle
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.cache import caches
from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.utils import numberformat
from django.utils.formats import date_format, get_format
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from wattelt.charts import LineChart, Point, line_chart
from wattelt.instrument.models import NotFilledIn

from .access import AdoptionAccess
from .counts import offered_views
from .indicators import (
    FOLLOW_UP_TOLERANCE_DAYS,
    INDICATORS,
    START_WINDOW_DAYS,
    IndicatorValue,
)
from .lights import MIN_CASES, PHASES, THRESHOLDS, PhaseLight
from .months import Month
from .report import AdoptionReport, GroupRow, adoption_report, report_counts
from .summary import refresh_pending_since, stamps

if TYPE_CHECKING:
    from ..forms import AdoptionFilter

NO_VALUE = "-"
MONTH_CHOICES = 36
"""The filter offers this many months, up to the current one."""
REGISTRATION = ["start_within_14_days", "follow_up_on_time", "end_measurement"]
REPORT_TEMPLATE = "implementation/_adoption_report.html"
REPORT_CACHE = "figures"
"""Local memory per process, as the dashboard's rendered figures (settings.CACHES): a
hit must cost no query."""
REPORT_CACHE_SECONDS = 15 * 60
"""How long a rendered report is kept. Its key is what it shows, so it is never
stale: this only bounds the memory."""


@dataclass(frozen=True)
class TrendSection:
    """One chart and the table beside it: a row per month, a column per indicator."""

    id: str
    title: str
    explanation: str
    chart: LineChart
    headers: list[str]
    rows: list[tuple[str, list[str]]]


LIGHTS = {
    "green": ("●", gettext_lazy("on course")),
    "amber": ("▲", gettext_lazy("needs attention")),
    "red": ("■", gettext_lazy("behind")),
    "grey": ("○", gettext_lazy("too little data")),
}


def light_html(light: PhaseLight) -> SafeString:
    """A traffic light: its mark, its word and the figure behind it. In Python, not an
    included template: the professionals' table has two per row, hundreds of rows."""
    mark, word = LIGHTS.get(light.light or "", LIGHTS["grey"])
    value = light.value
    figure = (
        format_html(
            ' <span class="light__value">({}%, {}/{})</span>',
            floatformat(value.value, 0),
            value.numerator,
            value.denominator,
        )
        if value is not None and value.value is not None
        else ""
    )
    return format_html(
        '<span class="light light--{}"><span class="light__word"><span class="light__mark"'
        ' aria-hidden="true">{}</span> {}</span>{}</span>',
        light.light,
        mark,
        word,
        figure,
    )


@dataclass(frozen=True)
class TableRow:
    """A team or a professional in their table: the figures, and the link to their trend."""

    group: GroupRow
    cells: list[str]
    href: str
    chosen: bool = False

    def html(self) -> SafeString:
        """The row as HTML (hundreds of rows: the template engine's per-variable work was
        most of the adoption page's time)."""
        return format_html(
            '<tr class="utrecht-table__row{}"><th class="utrecht-table__header-cell" scope="row">'
            '<a href="{}">{}</a></th>{}{}</tr>',
            " is-chosen" if self.chosen else "",
            self.href,
            self.group.name,
            format_html_join(
                "",
                '<td class="utrecht-table__cell utrecht-table__cell--numeric">{}</td>',
                ((cell,) for cell in self.cells),
            ),
            format_html_join(
                "",
                '<td class="utrecht-table__cell">{}</td>',
                ((light_html(light),) for light in self.group.lights if light.light),
            ),
        )


@dataclass(frozen=True)
class Numbers:
    """Numbers in the active language; the separators looked up once per page, not once
    per figure (the page shows thousands)."""

    decimal: str
    grouping: Any
    thousands: str

    @classmethod
    def active(cls) -> Numbers:
        language = get_language()
        return cls(
            get_format("DECIMAL_SEPARATOR", language),
            get_format("NUMBER_GROUPING", language),
            get_format("THOUSAND_SEPARATOR", language),
        )

    def format(self, value: float, places: int) -> str:
        """As `django.utils.formats.number_format(value, places)`."""
        return str(numberformat.format(value, self.decimal, places, self.grouping, self.thousands))

    def shown(self, value: IndicatorValue) -> str:
        if value.value is None:
            return NO_VALUE
        if value.unit == "percent":
            return f"{self.format(value.value, 0)}%"
        return self.format(value.value, 1)

    def with_counts(self, value: IndicatorValue) -> str:
        if value.value is None:
            return NO_VALUE
        return f"{self.shown(value)} ({value.numerator}/{value.denominator})"


def shown(value: IndicatorValue) -> str:
    return Numbers.active().shown(value)


def with_counts(value: IndicatorValue) -> str:
    return Numbers.active().with_counts(value)


def _point(value: IndicatorValue, numbers: Numbers) -> Point:
    if value.value is None:
        return Point(None, NO_VALUE)
    return Point(round(value.value, 1), numbers.shown(value))


def _month_label(month: Month, first: bool) -> str:
    """Short, for the chart's axis: "jan '26", the year only at January and at the start."""
    name = date_format(month.first_day, "b")
    return f"{name} '{month.first_day:%y}" if first or month.month == 1 else name


def _month_name(month: Month) -> str:
    return date_format(month.first_day, "F Y")


def trend_section(
    id: str,
    title: str,
    explanation: str,
    keys: list[str],
    report: AdoptionReport,
    numbers: Numbers | None = None,
) -> TrendSection:
    numbers = numbers or Numbers.active()
    labels = [_month_label(m.month, n == 0) for n, m in enumerate(report.trend)]
    names = [str(INDICATORS[key]) for key in keys]
    values = {key: [m.counts.indicator(key, report.offered) for m in report.trend] for key in keys}
    chart = line_chart(
        title,
        labels,
        [
            (name, [_point(v, numbers) for v in values[key]])
            for name, key in zip(names, keys, strict=True)
        ],
        width=640,
        id=f"chart-{id}",
    )
    rows = [
        (
            _month_name(m.month) + ("" if m.complete else " *"),
            [numbers.with_counts(values[key][n]) for key in keys],
        )
        for n, m in enumerate(report.trend)
    ]
    return TrendSection(id, title, explanation, chart, [_("Month"), *names], rows)


def trend_sections(report: AdoptionReport) -> list[TrendSection]:
    """Registration, the optional views the organisation offers, goals."""
    numbers = Numbers.active()
    sections = [
        trend_section(
            "registration",
            _("Measurements recorded"),
            _("Start measurements, follow-ups and end measurements, per month."),
            REGISTRATION,
            report,
            numbers,
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
                numbers,
            )
        )
    sections.append(
        trend_section(
            "goals",
            _("Goals per measurement"),
            _("Goals stated per confirmed measurement."),
            ["goals_per_measurement"],
            report,
            numbers,
        )
    )
    return sections


def table_keys(offered: list[str]) -> list[str]:
    return [*REGISTRATION, *(f"{name}_view_used" for name in offered), "goals_per_measurement"]


def _cells(group: GroupRow, offered: list[str], numbers: Numbers) -> list[str]:
    return [numbers.with_counts(group.counts.indicator(k, offered)) for k in table_keys(offered)]


def team_rows(report: AdoptionReport, chosen: AdoptionFilter) -> list[TableRow]:
    numbers = Numbers.active()
    return [
        TableRow(
            team,
            _cells(team, report.offered, numbers),
            "?" + urlencode({"team": str(team.id), "maand": chosen.end.key}),
        )
        for team in report.teams
    ]


def professional_rows(report: AdoptionReport, chosen: AdoptionFilter) -> list[TableRow]:
    team = {"team": str(chosen.team_id)} if chosen.team_id else {}
    numbers = Numbers.active()
    return [
        TableRow(
            person,
            _cells(person, report.offered, numbers),
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
        "scope_lights": [
            (light, light_html(light) if light.light else None) for light in report.scope_lights
        ],
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


def report_key(
    access: AdoptionAccess,
    chosen: AdoptionFilter,
    stamped: list[tuple[int, int, str]],
    offered: list[str],
    today: dt.date,
    recalculating_since: dt.datetime | None = None,
) -> str:
    """A digest of everything the rendered report shows: the stamps of the scope's
    cells in the summary (read on every view; a new token whenever a cell of the teams
    changes, summary.py), the scope, the filter, the names of the teams and people, the
    organisation's settings, the day and the language. Any change to the figures, a
    renamed team or a new day gives a new key: nothing is invalidated by hand, nothing
    stale is served."""
    organisation = access.organisation
    inputs = (
        REPORT_TEMPLATE,
        get_language(),
        today.isoformat(),
        (
            organisation.pk,
            organisation.name,
            organisation.follow_up_interval_months,
            organisation.start_measurement_grace_days,
        ),
        tuple((team.pk, team.name) for team in access.teams),
        tuple(sorted(access.detail_team_ids)),
        access.whole_organisation,
        (chosen.end.key, chosen.team_id, chosen.professional_id),
        tuple(chosen.people),
        tuple(str(problem) for problem in chosen.problems),
        tuple(offered),
        stamped,
        recalculating_since,
    )
    digest = hashlib.sha256(pickle.dumps(inputs, protocol=pickle.HIGHEST_PROTOCOL))
    return f"adoption-report:{digest.hexdigest()}"


def rendered_report(access: AdoptionAccess, chosen: AdoptionFilter, today: dt.date) -> SafeString:
    """The page's content: the stamps of the scope's cells are read on every view (one
    small query), the summary's counts (two queries over thousands of cells at
    1,000,000 residents) and the report built and rendered only when they, or anything
    else it shows, changed (an organisation's year is hundreds of rows: ~300 ms of
    Python). Figures about professionals, no resident data."""
    stamped = stamps(access.team_ids)
    offered = offered_views(access.organisation)
    # A new follow-up interval not yet derived by the job: the page says so (summary.py).
    since = refresh_pending_since(access.organisation.pk)
    key = report_key(access, chosen, stamped, offered, today, since)
    html: str | None = caches[REPORT_CACHE].get(key)
    if html is None:
        counts = report_counts(access, chosen.end, chosen.team_id, today)
        report = adoption_report(
            access,
            chosen.end,
            chosen.team_id,
            chosen.professional_id,
            chosen.people,
            today,
            counts=counts,
            offered=offered,
        )
        context = adoption_context(access, chosen, report, today)
        html = render_to_string(REPORT_TEMPLATE, {**context, "recalculating_since": since})
        caches[REPORT_CACHE].set(key, html, REPORT_CACHE_SECONDS)
    return mark_safe(html)  # rendered by the template engine, escaped there
