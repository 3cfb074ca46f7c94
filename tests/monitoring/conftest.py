"""Monitoring fixtures: every test starts with an empty cache and no published cube
loaded in memory (the suppressed cube is cached per scope and data version, published
cubes are kept per process, and test databases reuse ids)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from wattelt.monitoring.published import forget_loaded


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    cache.clear()
    forget_loaded()
    yield
    cache.clear()
    forget_loaded()
