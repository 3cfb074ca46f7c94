"""The monitoring benchmark (bench/monitoring.py) runs end to end on a small data set, so
its code does not rot: generation, summary rebuild, the dashboard for every scope and
filter, the cube, and DuckDB computing the same figures from the raw rows."""

from __future__ import annotations

import pytest
from bench import monitoring


@pytest.mark.django_db
def test_bench_pipeline_at_2000_residents(capsys):
    # The page computes its cached cube on the first request of each scope (slow on
    # purpose here: thousands of queries); one filter per scope keeps the test short.
    status = monitoring.run(
        1000, requests=1, cold=0, runs=1, duck_runs=1, migrate=False, page_filters=1
    )
    printed = capsys.readouterr().out
    assert status == 0, printed
    assert "monitoring summary rebuilt" in printed
    assert "analyst (municipality)" in printed and "coach (own teams)" in printed
    assert "DISAGREES" not in printed
    assert printed.count(" yes\n") == 6  # DuckDB equals ours for every selection
