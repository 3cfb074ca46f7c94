"""The health URLs, the JSON log lines and secrets from files, without a server."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client

from wattelt import health
from wattelt.logs import JsonLines

ROOT = Path(__file__).resolve().parents[2]


def test_health_urls_answer_without_login_or_host_check(db: None) -> None:
    client = Client(HTTP_HOST="10.0.0.7:8000")  # the probe uses the server's address
    live = client.get("/health/live")
    assert (live.status_code, live.json()) == (200, {"status": "live"})
    ready = client.get("/health/ready")
    assert ready.status_code == 200 and ready.json()["migrations"] == "ok"
    assert "sessionid" not in ready.cookies


def test_not_ready_while_migrations_are_missing(db: None, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(health, "_migrations_applied", False)
    monkeypatch.setattr(health, "unapplied_migrations", lambda alias="default": 3)
    ready = Client().get("/health/ready")
    assert ready.status_code == 503
    assert ready.json() == {"status": "not ready", "database": "ok", "migrations": "3 not applied"}


def test_not_ready_when_the_database_does_not_answer(django_db_blocker: Any) -> None:
    """A database that is down: an alias to the same kind of database where none runs."""
    down = dict(connection.settings_dict)
    if connection.vendor == "postgresql":
        down.update(PORT="1", HOST="127.0.0.1", OPTIONS={"connect_timeout": 2})
    else:
        down["NAME"] = "/nonexistent/folder/wattelt.sqlite3"
    connections.settings["down"] = down
    try:
        with django_db_blocker.unblock():
            ready, checks = health.readiness("down")
    finally:
        connections["down"].close()
        del connections.settings["down"]
    assert not ready
    assert checks == {"database": "unreachable (OperationalError)"}


def test_a_logged_exception_keeps_its_type_and_place_not_its_message() -> None:
    try:
        raise ValueError('duplicate key (bsn)=(111222333) for "Fatima Yilmaz"')
    except ValueError:
        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "boom", (), None)
        record.exc_info = sys.exc_info()
    line = json.loads(JsonLines().format(record))
    assert line["exception"] == "ValueError"
    assert any("test_health_and_logs.py" in place for place in line["stack"])
    assert "111222333" not in json.dumps(line) and "Fatima" not in json.dumps(line)


def _settings_value(name: str, **environment: str) -> subprocess.CompletedProcess[str]:
    code = f"from django.conf import settings; print(settings.{name})"
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={"PYTHONPATH": "src", "DJANGO_SETTINGS_MODULE": "wattelt.settings", **environment},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("present", [True, False])
def test_the_secret_key_can_come_from_a_file(tmp_path: Path, present: bool) -> None:
    secret = tmp_path / "key"
    if present:
        secret.write_text("  from-a-mounted-secret-file  \n")
    result = _settings_value("SECRET_KEY", WATTELT_SECRET_KEY_FILE=str(secret))
    if present:
        assert result.stdout.strip() == "from-a-mounted-secret-file"
    else:
        assert "WATTELT_SECRET_KEY_FILE" in result.stderr and "No such file" in result.stderr


def test_the_log_level_may_be_written_in_lower_case() -> None:
    result = _settings_value(
        "LOGGING['root']['level']", WATTELT_DEBUG="1", WATTELT_LOG_LEVEL="warning"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "WARNING"


def test_an_unknown_log_level_stops_the_start_with_its_name() -> None:
    result = _settings_value("LOGGING", WATTELT_DEBUG="1", WATTELT_LOG_LEVEL="loud")
    assert result.returncode != 0
    assert "WATTELT_LOG_LEVEL" in result.stderr and "expected one of" in result.stderr
