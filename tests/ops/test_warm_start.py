"""A gunicorn worker forks warm: loading the WSGI application (what the master does with
preload_app) imports every view module, so no user waits for the imports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _printed_by_a_fresh_process(code: str) -> list[str]:
    """What `code` prints in a new interpreter with the app's settings, word by word."""
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            "PYTHONPATH": "src",
            "DJANGO_SETTINGS_MODULE": "wattelt.settings",
            "WATTELT_DEBUG": "1",
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_loading_the_wsgi_application_imports_the_views_and_their_libraries() -> None:
    code = (
        "import sys, wattelt.wsgi; "
        "print(' '.join(m for m in ('wattelt.monitoring.views', 'wattelt.instrument.views', "
        "'wattelt.api.views', 'wattelt.implementation.views') if m in sys.modules))"
    )
    assert _printed_by_a_fresh_process(code) == [
        "wattelt.monitoring.views",
        "wattelt.instrument.views",
        "wattelt.api.views",
        "wattelt.implementation.views",
    ]


def test_loading_the_wsgi_application_leaves_the_start_up_out_of_full_collections() -> None:
    """What the start-up made is frozen (`gc.freeze`): a worker's full collections walk
    only what its requests made since, not every module, class and URL pattern again."""
    code = (
        "import gc; import wattelt.wsgi; "
        "print(gc.get_freeze_count() > 50_000, len(gc.get_objects()) < gc.get_freeze_count())"
    )
    assert _printed_by_a_fresh_process(code) == ["True", "True"]
