"""WSGI entry point for gunicorn."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wattelt.settings")
application = get_wsgi_application()


def warm_up() -> None:
    """Import every URLconf and view module, and load the Dutch translations, now
    instead of on a worker's first request. Django does both lazily; on this 2-core
    machine the first request of each fresh worker took 7-25 s while it imported the
    views' libraries (PDF, spreadsheets, the API). With gunicorn's preload_app the master
    does it once and every worker, also one started after a crash, forks warm."""
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018 (the property imports the modules)
    get_resolver().reverse_dict  # noqa: B018 (builds the reverse lookup once)
    with translation.override("nl"):
        translation.gettext("Wat telt")


def settle() -> None:
    """Take what the start-up made (modules, classes, URL patterns, translations: ~120,000
    objects) out of the cycle collector's full collections (`gc.freeze`). They live as
    long as the process, yet every full collection walked them all again: 45-78 ms on
    this machine, in the middle of whichever request happened to trigger it, nine times
    in 120 requests of the coach's start page (those requests took 95-117 ms; with the
    start-up frozen none took more than 40 ms; bench/RESULTS.md, "Lead, stop 38"). With
    preload_app the master settles once before it forks; every worker inherits it. What
    is frozen is never collected: only objects that live as long as the process are
    there when this runs (the URL resolver and the translations are cached for good)."""
    gc.collect()
    gc.freeze()


warm_up()
settle()
