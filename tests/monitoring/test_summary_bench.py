"""The monitoring benchmark (bench/monitoring.py) runs end to end on a small data set, so
its code does not rot: generation, summary rebuild, publishing, the dashboard for every
scope and filter, and DuckDB computing the same figures from the raw rows."""

from __future__ import annotations

import pytest
from bench import monitoring


@pytest.mark.django_db
def test_bench_pipeline_at_2000_residents(capsys, settings):
    # The pipeline, not the interval audit (tests/monitoring/test_attacker.py has that;
    # with it, publishing 2,000 residents' six scopes takes minutes).
    settings.MONITORING_AUDIT_WIDTH = 0
    status = monitoring.run(1000, requests=1, cold=1, runs=1, duck_runs=1, migrate=False)
    printed = capsys.readouterr().out
    assert status == 0, printed
    assert "monitoring summary rebuilt" in printed
    assert "analyst (municipality)" in printed and "coach (own teams)" in printed
    assert "FAILED" not in printed and printed.count("whole publish") == 6
    assert "DISAGREES" not in printed
    assert printed.count(" yes\n") == 6  # DuckDB equals ours for every selection
