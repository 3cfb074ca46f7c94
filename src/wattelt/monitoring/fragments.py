"""The dashboard's figures, rendered once per published cube, filter and language (the
dashboard's tables and the CSV export).

Rendering the figure tables is most of a dashboard request's CPU (a municipality's
dashboard: ~70 ms of ~80). What they show depends only on the published cube (its id,
build and publish time), the filters, the names of the scope's districts and teams, the
language and the day (which quarters have begun). The rendered HTML is kept in the
`figures` cache under a digest of exactly those, so:

- a new publish (a new build or publish time) or a renamed district or team gives a
  new key: nothing has to be invalidated, an old entry is simply never asked for again
  and ages out;
- the cached HTML holds only what the dashboard shows anyone with that scope: published,
  suppressed figures and their labels; never resident data, nothing of the person
  (the page around it, the access log entry and the research link stay per request).

The `figures` cache is local memory per process (settings.CACHES): a hit costs no query
and no unpickling from a database, the entries are small (20-80 KB) and bounded
(MAX_ENTRIES), and a process that starts empty only renders once per key.

The first view after a publish would still render (a whole municipality's year: ~70 ms
of CPU, over 100 ms at 1M on a busy machine). So the publish run renders the
whole-scope selections of each cube it built (`warm`: the year and its quarters, all
ages, in each staff language) and stores them with the cube (`PublishedFigures`); a
process missing a key in memory looks there (one query) before it renders. A republish
after a change in one district leaves most districts' and teams' figures as they were:
such a selection keeps the HTML the earlier build stored, with a new "figures as of"
line (`AS_OF_MARK`), instead of being rendered again (`report_digest`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import re
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import get_language

from wattelt.organisations.models import District, Team
from wattelt.release import code_version

from .cube import YEAR, Period, Scope
from .forms import DashboardFilter, available_periods
from .models import PublishedCube, PublishedFigures
from .published import insert_rows, scope_identity
from .report import Report, build_report

CACHE = "figures"
FILTER_FORM = "_form.html"
SECONDS = 24 * 60 * 60


def figures_key(
    scope: Scope,
    form: DashboardFilter,
    districts: Sequence[District],
    teams: Sequence[Team],
    form_of: str,
) -> str | None:
    """The cache key of the figures this valid filter shows as `form_of` ("html": the
    dashboard's tables, "csv": the export), or None when there is no published cube yet
    (the first view publishes it; that view is not cached)."""
    stored = _stored_cube(scope, form.choice.period.year)
    if stored is None:
        return None
    return _figures_key(form_of, scope, stored, form, districts, teams)


Stored = tuple[int, str, dt.datetime]
"""A published cube as the figures' keys name it: (id, build, when built)."""


def _stored_cube(scope: Scope, year: int) -> Stored | None:
    kind, key = scope_identity(scope)
    return (
        PublishedCube.objects.filter(kind=kind, scope_key=key, year=year)
        .values_list("pk", "build", "built_at")
        .first()
    )


def _figures_key(
    form_of: str,
    scope: Scope,
    stored: Stored,
    form: DashboardFilter,
    districts: Sequence[District],
    teams: Sequence[Team],
) -> str:
    return "dashboard-figures:" + _digest(form_of, scope, stored, form, districts, teams)


def selection_key(
    scope: Scope, form: DashboardFilter, districts: Sequence[District], teams: Sequence[Team]
) -> str:
    """The dashboard's figures of this valid filter whatever the publish: `figures_key`
    without the build (what `warm` compares across publishes)."""
    return _digest("html", scope, None, form, districts, teams)


def _digest(
    form_of: str,
    scope: Scope,
    stored: object,
    form: DashboardFilter,
    districts: Sequence[District],
    teams: Sequence[Team],
) -> str:
    identity = repr(
        (
            form_of,
            *scope_identity(scope),
            stored,
            form.choice,
            form.query,
            [(d.pk, d.name) for d in districts],
            [(t.pk, t.name) for t in teams],
            get_language(),
            timezone.localdate().isoformat(),
            code_version(),  # a deploy never serves the previous release's rendering
        )
    )
    return hashlib.sha256(identity.encode()).hexdigest()


def report_digest(report: Report) -> str:
    """What the figures of a report show, but for when they were published (lazy
    translations as the active language says them); "" (never the same) for a report
    json cannot write (a mapping keyed by something other than text or numbers)."""
    try:
        shown = json.dumps(dataclasses.replace(report, figures_at=None), default=_plain)
    except TypeError:
        return ""
    return hashlib.sha256(shown.encode()).hexdigest()


def _plain(value: object) -> object:
    """For json: a dataclass as the list of its fields (without copying them, as
    `dataclasses.asdict` would), anything else as its text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [getattr(value, name) for name in _field_names(type(value))]
    return str(value)


@functools.cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(kind))


AS_OF = re.compile(r'<p class="dashboard-as-of">.*?</p>', re.DOTALL)
"""The line of the figures that says when they were published (monitoring/_as_of.html)."""
AS_OF_MARK = "<!--figures-as-of-->"
"""Where the stored figures (`PublishedFigures.html`) say when they were published: the
line itself is stored beside them (`as_of`), so a republish that keeps the figures
changes that line only."""


def _stored_html(html: str) -> tuple[str, str]:
    """Rendered figures as stored: (the HTML with the mark for its "as of" line, the line)."""
    line = AS_OF.search(html)
    if line is None:
        return html, ""
    return html[: line.start()] + AS_OF_MARK + html[line.end() :], line.group(0)


def _as_of(report: Report) -> str:
    return _stored_html(render_to_string("monitoring/_as_of.html", {"report": report}))[1]


def cached(key: str | None) -> str | None:
    """The figures of that key: from this process's memory, else as the publish run
    rendered them (then kept in memory too); None when neither has them."""
    if not key:
        return None
    html: str | None = caches[CACHE].get(key)
    if html is None:
        row = PublishedFigures.objects.filter(key=key).values_list("html", "as_of").first()
        if row is not None:
            html = row[0].replace(AS_OF_MARK, row[1], 1)
            caches[CACHE].set(key, html, SECONDS)
    return html


def keep(key: str | None, html: str) -> None:
    if key:
        caches[CACHE].set(key, html, SECONDS)


def filter_form(form: DashboardFilter, figures_at: str | None) -> str:
    """The filter form's HTML, rendered once per figures key and bound values (its
    select boxes list every period, district and team: about half of a dashboard view's
    CPU when rendered each time). It depends on nothing else: the choices (the scope's
    districts and teams, the periods of the day) and the language are in the figures
    key, the values as the request gave them are added. Only a valid filter has a key
    (an invalid one is rendered with its errors, each time)."""
    if not figures_at:
        return render_to_string(FILTER_FORM, {"form": form})
    bound = repr([(name, form.data.get(name)) for name in form.fields])
    key = f"{figures_at}:form:{hashlib.sha256(bound.encode()).hexdigest()}"
    html: str | None = caches[CACHE].get(key)
    if html is None:
        html = render_to_string(FILTER_FORM, {"form": form})
        keep(key, html)
    return html


def context(form: DashboardFilter, report: Report | None, **more: object) -> dict[str, object]:
    """What the monitoring templates render a valid or invalid filter with."""
    return {
        "form": form,
        "report": report,
        "sections": report.sections if report else [],
        "series": report.series if report else [],
        "filter_query": form.query,
        **more,
    }


def render_figures(form: DashboardFilter, report: Report | None) -> str:
    return render_to_string("monitoring/_figures.html", context(form, report))


WARM_AGES = ("all",)
"""The age groups of the selections a publish renders (the dashboard's default)."""


def _selections(
    periods: Sequence[Period], districts: Sequence[District], teams: Sequence[Team]
) -> Iterator[tuple[str, dict[str, str]]]:
    """(language, filter data) of what `warm` renders: the whole scope in the year and
    each quarter begun, in every staff language; each district and each team in the
    year, in the default language (the first view of a district or team, at the cost
    of one render each, ~10-30 ms)."""
    for language, _name in settings.LANGUAGES:
        for period in periods:
            for age in WARM_AGES:
                yield language, {"period": period.value, "age_group": age}
    years = [period for period in periods if period.quarter == YEAR]
    for period in years if settings.MONITORING_WARM_AREAS else []:
        for field, areas in (("district", districts), ("team", teams)):
            for area in areas:
                yield settings.LANGUAGE_CODE, {"period": period.value, field: str(area.pk)}


class Warmed(NamedTuple):
    stored: int
    rendered: int
    """Of those stored: rendered anew (the others kept the earlier build's HTML)."""


def warm(scope: Scope, year: int, today: dt.date | None = None) -> Warmed:
    """Render the dashboard's figures of the scope's published `year` that a first view
    after a publish most likely asks for (`_selections`) and store them with the cube,
    replacing what an earlier build stored. A selection whose figures are what the
    earlier build stored for it (`report_digest`; a republish leaves most districts and
    teams as they were) keeps that HTML with the new "figures as of" line instead of
    being rendered again. Stores nothing for a year the dashboard does not offer or with
    settings.MONITORING_WARM_DASHBOARD off."""
    if not settings.MONITORING_WARM_DASHBOARD:
        return Warmed(0, 0)
    today = today or timezone.localdate()
    periods = [p for p in available_periods(today) if p.year == year]
    districts, teams = list(scope.districts()), list(scope.teams())
    stored = _stored_cube(scope, year)
    if stored is None or not periods:
        return Warmed(0, 0)
    cube_id = stored[0]
    earlier = {
        (selection, digest): pk
        for pk, selection, digest in PublishedFigures.objects.filter(cube_id=cube_id)
        .exclude(digest="")
        .values_list("pk", "selection", "digest")
    }
    rendered: dict[str, PublishedFigures] = {}
    kept: dict[str, PublishedFigures] = {}
    for language, data in _selections(periods, districts, teams):
        with translation.override(language):
            # As the view reads a request: the defaults, then the query (in its order).
            asked = {**DashboardFilter.defaults(today), **data}
            form = DashboardFilter(asked, districts, teams, today)
            if not form.is_valid():
                continue
            figures_at = _figures_key("html", scope, stored, form, districts, teams)
            report = build_report(scope, form.choice, districts, teams, today)
            selection, digest = selection_key(scope, form, districts, teams), report_digest(report)
            same = earlier.get((selection, digest)) if digest else None
            if same is not None:  # the same figures: a new key and "as of" line only
                kept[figures_at] = PublishedFigures(pk=same, key=figures_at, as_of=_as_of(report))
                continue
            html, as_of = _stored_html(render_figures(form, report))
            rendered[figures_at] = PublishedFigures(
                cube_id=cube_id,
                key=figures_at,
                selection=selection,
                digest=digest,
                html=html,
                as_of=as_of,
            )
    with transaction.atomic():
        replaced = Q(cube_id=cube_id) | Q(key__in=[*rendered, *kept])
        PublishedFigures.objects.filter(replaced).exclude(
            pk__in=[row.pk for row in kept.values()]
        ).delete()
        # A row another run deleted meanwhile is not updated: its first view renders.
        PublishedFigures.objects.bulk_update(kept.values(), ["key", "as_of"])
        insert_rows(list(rendered.values()))
    return Warmed(len(rendered) + len(kept), len(rendered))
