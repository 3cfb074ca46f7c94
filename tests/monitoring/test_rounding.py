"""Means and shares are rounded half away from zero to the shown precision, by one
function used by the page, CSV, XLSX and PDF alike (issue 14: they were cut off)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from wattelt.monitoring.report import fmt, rounded
from wattelt.monitoring.suppression import HIDDEN_LABEL


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (9.4765, 1, "9.5"),
        (-0.583, 1, "-0.6"),
        (0.25, 1, "0.3"),
        (-0.25, 1, "-0.3"),
        (0.285, 2, "0.29"),  # the decimal as written, not the float below it
        (90.5, 0, "91"),
        (-90.5, 0, "-91"),
        (2.449, 1, "2.4"),
    ],
)
def test_rounded_half_away_from_zero(value: float, places: int, expected: str) -> None:
    assert rounded(value, places) == Decimal(expected)


@pytest.mark.parametrize(
    ("value", "kind", "shown"),
    [
        (9.4765, "mean", "+9,5"),
        (-0.583, "mean", "-0,6"),
        (-0.04, "mean", "0,0"),  # no "-0,0"
        (0.04, "mean", "0,0"),
        (0.906, "share", "91%"),
        (0.905, "share", "91%"),
        (0.004, "share", "0%"),
        (1.0, "share", "100%"),
        (None, "mean", "-"),
        ("<10", "mean", "<10"),
        (HIDDEN_LABEL, "share", HIDDEN_LABEL),
    ],
)
def test_shown_figures_are_rounded_not_cut_off(value: object, kind: str, shown: str) -> None:
    with translation.override("nl"):
        assert fmt(value, kind) == shown
