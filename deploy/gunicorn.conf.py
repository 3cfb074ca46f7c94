"""Gunicorn configuration of Wat telt in production (`make serve`, the container image).

Every value can be changed from the environment without editing this file:
WATTELT_BIND (default 0.0.0.0:8000), WATTELT_WORKERS (default 2 x cores + 1),
WATTELT_THREADS (default 1), WATTELT_TIMEOUT (seconds, default 60).
"""

from __future__ import annotations

import os

wsgi_app = "wattelt.wsgi:application"
pythonpath = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")

bind = os.environ.get("WATTELT_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WATTELT_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
threads = int(os.environ.get("WATTELT_THREADS", "1"))
# A PDF of a long file takes a few seconds; a request still busy after a minute is stuck.
timeout = int(os.environ.get("WATTELT_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (plus jitter, so not all at once): any
# slow leak in a library stays bounded.
max_requests = 2000
max_requests_jitter = 200
# Load the app before forking: a broken configuration stops the master at once, with
# the message, instead of every worker failing in a loop; every worker forks warm, with
# the start-up's objects frozen out of its full collections (wattelt/wsgi.py, `settle`).
preload_app = True
# Behind our TLS proxy: trust its X-Forwarded-Proto (Django's SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("WATTELT_FORWARDED_ALLOW_IPS", "127.0.0.1")
# No access log of gunicorn's own: it writes the query string, which can hold search
# terms (names). Django's RequestLog (wattelt/logs.py) writes one JSON line per request.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("WATTELT_LOG_LEVEL", "info").lower()
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "wattelt.logs.JsonLines"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stdout",
        }
    },
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": loglevel.upper(), "propagate": False},
        "gunicorn.access": {"handlers": [], "propagate": False},
    },
}
# /dev/shm for the workers' heartbeat files: a container's /tmp may be a slow overlay.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
