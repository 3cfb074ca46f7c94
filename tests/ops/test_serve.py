"""Smoke test of the production mode: deploy/serve.sh (what `make serve` and the image
run) with debug off and the secret key from a file, against the test database; then the
start page, a static file, both health URLs, the error page and the log, as a load
balancer and a browser behind our TLS proxy would see them.

It serves the test database pytest made, already migrated, so the deploy's migrate finds
nothing to do. On SQLite that database lives in pytest's memory, out of reach of another
process, so the server gets a file copy of it (SQLite's online backup).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.ops.conftest import served_database_url

ROOT = Path(__file__).resolve().parents[2]
SEARCH_TERM = "Jansen"  # a name someone searched for: must never reach the log

pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[str]
    log: Path
    static_root: Path

    def get(self, path: str, **headers: str) -> requests.Response:
        # As our TLS proxy forwards it (SECURE_PROXY_SSL_HEADER): no redirect to https.
        headers = {"X-Forwarded-Proto": "https", **headers}
        return requests.get(self.url + path, headers=headers, allow_redirects=False, timeout=10)

    def log_lines(self) -> list[str]:
        return [line for line in self.log.read_text().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory,
    django_db_setup: None,
    django_db_blocker: Any,
) -> Iterator[Server]:
    """One server for the module's tests: starting it (migrate, collectstatic, gunicorn)
    is the slow part."""
    tmp_path = tmp_path_factory.mktemp("serve")
    with django_db_blocker.unblock():
        database_url = served_database_url(tmp_path)
    secret = tmp_path / "secret_key"
    secret.write_text("smoke-test-secret-key-read-from-a-file-0123456789\n")
    port = _free_port()
    environment = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "WATTELT_SECRET_KEY_FILE": str(secret),
        "DATABASE_URL": database_url,
        "WATTELT_ALLOWED_HOSTS": "127.0.0.1",
        "WATTELT_STATIC_ROOT": str(tmp_path / "static"),
        "WATTELT_BIND": f"127.0.0.1:{port}",
        "WATTELT_WORKERS": "2",
        "PYTHON": str(ROOT / ".venv" / "bin" / "python"),
    }
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(ROOT / "deploy" / "serve.sh")],
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    running = Server(f"http://127.0.0.1:{port}", process, log, tmp_path / "static")
    try:
        # Generous: on a loaded CI machine (seven test legs on two cores) starting Django
        # three times (migrate, collectstatic, gunicorn) has taken over a minute.
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()
            try:
                if running.get("/health/live").status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.2)
        else:
            pytest.fail(f"gunicorn did not answer within 300 s:\n{log.read_text()}")
        yield running
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_production_mode_serves_pages_static_files_and_health(server: Server) -> None:
    live, ready = server.get("/health/live"), server.get("/health/ready")
    assert (live.status_code, live.json()) == (200, {"status": "live"})
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "database": "ok", "migrations": "ok"}
    assert ready.headers["Cache-Control"] == "no-store"

    start = server.get("/")
    assert start.status_code == 302 and start.headers["Location"].startswith("/inloggen/")
    login = server.get(start.headers["Location"])
    assert login.status_code == 200
    assert "Strict-Transport-Security" in login.headers  # behind the proxy: HTTPS
    assert "X-Request-ID" in login.headers

    # Static files: hashed names in the page, compressed, cached for a year, immutable.
    manifest = json.loads((server.static_root / "staticfiles.json").read_text())
    stylesheet = "/static/" + manifest["paths"]["nlds/nlds.css"]
    assert stylesheet in login.text
    for encoding in ("br", "gzip"):
        css = server.get(stylesheet, **{"Accept-Encoding": encoding})
        assert css.status_code == 200
        assert css.headers["Content-Encoding"] == encoding
        assert "max-age=315360000" in css.headers["Cache-Control"]
        assert "immutable" in css.headers["Cache-Control"]

    # The error page without debug: our template, no traceback, no settings.
    missing = server.get("/bestaat-niet/")
    assert missing.status_code == 404
    assert "utrecht-heading-1" in missing.text and "Traceback" not in missing.text


def test_the_log_is_json_lines_without_personal_data(server: Server) -> None:
    server.get(f"/inloggen/?next=/&zoek={SEARCH_TERM}", **{"X-Request-ID": "probe-request-1"})
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and "probe-request-1" not in server.log.read_text():
        time.sleep(0.1)
    records = []
    for line in server.log_lines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            # Only the output of the deploy steps before gunicorn (migrate) is plain text.
            assert not records, f"a log line of the running server is not JSON: {line}"
    request = next(r for r in records if r.get("request_id") == "probe-request-1")
    assert request["logger"] == "wattelt.request"
    assert request["status"] == 200 and request["route"] == "inloggen/"
    assert request["user_id"] is None and request["duration_ms"] >= 0
    assert {"time", "level", "method", "view"} <= set(request)
    assert SEARCH_TERM not in server.log.read_text()
    assert any(r["logger"].startswith("gunicorn") for r in records)  # gunicorn's own: JSON too
