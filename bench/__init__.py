"""Benchmarks for wattelt on a large synthetic data set (PostgreSQL only).

    bin/with-postgres env WATTELT_DEBUG=1 .venv/bin/python -m bench.pages
    bin/with-postgres env WATTELT_DEBUG=1 .venv/bin/python -m bench.generate --residents 2000

Importing the package sets Django up the way manage.py does (src/ on the path,
DJANGO_SETTINGS_MODULE=wattelt.settings), so the modules can import the models.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"


def setup_django() -> None:
    """Put src/ on the path and run django.setup() once; a clear message on bad settings."""
    if str(SRC) not in sys.path:
        sys.path.insert(0, str(SRC))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wattelt.settings")
    from django.apps import apps

    if apps.ready:
        return
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        raise SystemExit(
            f"bench: Django settings are not usable: {exc}\n"
            "Run it as: bin/with-postgres env WATTELT_DEBUG=1 .venv/bin/python -m bench.pages"
        ) from exc


setup_django()
