"""A resident's file with their names and BSN everywhere (tests/privacy/conftest.py), and
the test database as a server in another process reaches it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from django.db import connection

from tests.privacy.conftest import build_full_file
from wattelt.organisations.models import Staff
from wattelt.residents.models import Trajectory


@pytest.fixture
def full_file(trajectory: Trajectory, alice: Staff, charlie: Staff) -> Trajectory:
    return build_full_file(trajectory, alice, charlie)


def served_database_url(folder: Path) -> str:
    """pytest's test database as a URL for another process (gunicorn). On SQLite that
    database lives in pytest's memory, so the other process gets a file copy of it in
    `folder` (SQLite's online backup)."""
    if connection.vendor != "postgresql":
        copy = folder / "serve.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(copy) as target:
            connection.connection.backup(target)
        target.close()
        return f"sqlite:///{copy}"
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
