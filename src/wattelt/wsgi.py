"""WSGI entry point for gunicorn."""

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


warm_up()
