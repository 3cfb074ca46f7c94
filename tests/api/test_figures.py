"""The figures endpoint gives exactly what the analyst's CSV holds for the same scope:
the selection described, then every figure in long form, "<10" where suppressed."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django.urls import reverse

from tests.conftest import client_for
from tests.monitoring.conftest import empty_cache
from tests.monitoring.test_dashboard import trajectories
from wattelt.audit.models import AccessLog

from .conftest import Caller

__all__ = ["empty_cache"]  # the monitoring tests' fresh cache, for these tests too


def test_the_json_is_the_csv_of_the_same_scope(
    own: Caller, bob: Any, alice: Any, team: Any, district: Any, catalogue: Any
) -> None:
    trajectories(12, team, alice, district, measured=True)
    trajectories(3, team, alice, district, measured=True, born=dt.date(2015, 5, 5), name="Jong")
    # Bob coaches exactly the team the client acts for: the same scope of figures.
    csv_text = (
        client_for(bob)
        .get(reverse("monitoring:export_csv"), {"age_group": "adult"})
        .content.decode("utf-8-sig")
    )
    rows = list(csv.reader(io.StringIO(csv_text), delimiter=";"))
    header = rows.index(["Cijfer", "Rij", "Kolom", "Waarde"])
    response = own.get("/api/v1/cijfers", leeftijdsgroep="adult")
    assert response.status_code == 200, response.content
    body = response.json()
    selection = [[item["naam"], item["waarde"]] for item in body["selectie"]]
    assert selection == rows[: header - 1]
    figures = [[f["figuur"], f["rij"], f["kolom"], f["waarde"]] for f in body["cijfers"]]
    assert figures == rows[header + 1 :]
    assert any(f[3] == "<10" for f in figures)
    assert "Jong" not in response.content.decode()
    assert AccessLog.objects.filter(object_type="figures", action="export").exists()


def test_a_bad_selection_names_each_parameter(own: Caller, catalogue: Any) -> None:
    response = own.get("/api/v1/cijfers", periode="2999", wijk="999999", leeftijdsgroep="oud")
    assert response.status_code == 400
    names = {p["name"] for p in response.json()["invalidParams"]}
    assert names == {"leeftijdsgroep"}
    response = own.get("/api/v1/cijfers", periode="2999", wijk="999999")
    names = {p["name"] for p in response.json()["invalidParams"]}
    assert names == {"periode", "wijk"}
