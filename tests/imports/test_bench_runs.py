"""The import benchmark (bench/imports.py) runs end to end on a small file, so its code
does not rot; with `--runs` each run after the first loads into the same world again:
every row the bulk way, each run's figures printed and their median taken."""

from __future__ import annotations

import pytest
from bench import imports
from django.db import connection

from wattelt.instrument.models import Measurement


@pytest.mark.skipif(connection.vendor != "postgresql", reason="bench.imports needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_three_runs_load_the_same_file_into_the_same_world(capsys, caplog, settings):
    settings.IMPORT_EXCLUSIVE_ROWS = 10  # the exclusive load, as at a million rows
    status = imports.main(["--rows", "40", "--runs", "3"])
    printed = capsys.readouterr().out + caplog.text  # the phases are logged
    assert status == 0, printed
    for run in (1, 2, 3):
        assert f"committed and visible), run {run}:" in printed
    assert printed.count("first pass (40 rows, 40 the bulk way)") == 4  # the check, 3 runs
    assert "40 measurements saved (median of 3 runs: " in printed
    assert Measurement.objects.count() == 40
