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
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from django.core.cache import caches
from django.utils import timezone
from django.utils.translation import get_language

from wattelt.organisations.models import District, Team

from .cube import Scope
from .forms import DashboardFilter
from .models import PublishedCube
from .published import scope_identity

CACHE = "figures"
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
    kind, key = scope_identity(scope)
    year = form.choice.period.year
    stored = (
        PublishedCube.objects.filter(kind=kind, scope_key=key, year=year)
        .values_list("pk", "build", "built_at")
        .first()
    )
    if stored is None:
        return None
    identity = repr(
        (
            form_of,
            kind,
            key,
            stored,
            form.choice,
            form.query,
            [(d.pk, d.name) for d in districts],
            [(t.pk, t.name) for t in teams],
            get_language(),
            timezone.localdate().isoformat(),
        )
    )
    return "dashboard-figures:" + hashlib.sha256(identity.encode()).hexdigest()


def cached(key: str | None) -> str | None:
    return caches[CACHE].get(key) if key else None


def keep(key: str | None, html: str) -> None:
    if key:
        caches[CACHE].set(key, html, SECONDS)
