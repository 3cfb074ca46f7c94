"""Monitoring fixtures: every test starts with an empty cache and no published cube
loaded in memory (the suppressed cube is cached per scope and data version, published
cubes are kept per process, and test databases reuse ids). The publish run does not
render the dashboard's figures (MONITORING_WARM_DASHBOARD) unless a test turns it on
(`warm_dashboard`): most tests read what the dashboard rendered from its template
context, which a view served from rendered figures does not have."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache, caches

from wattelt.monitoring.published import forget_loaded


@pytest.fixture(autouse=True)
def no_warming(settings) -> None:  # type: ignore[no-untyped-def]
    settings.MONITORING_WARM_DASHBOARD = False


@pytest.fixture
def warm_dashboard(settings) -> None:  # type: ignore[no-untyped-def]
    settings.MONITORING_WARM_DASHBOARD = True


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    cache.clear()
    caches["figures"].clear()
    forget_loaded()
    yield
    cache.clear()
    caches["figures"].clear()
    forget_loaded()
