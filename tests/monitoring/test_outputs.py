"""Presentation, CSV, XLSX and PDF show exactly the dashboard's figures; the research
export is pseudonymised, for the organisation's quality officer and admin only, logged."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.conftest import client_for, staff_with_role
from tests.monitoring.test_dashboard import trajectories
from wattelt.audit.models import AccessLog
from wattelt.organisations.models import Role
from wattelt.residents.models import Resident

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DASHBOARD = reverse("monitoring:dashboard")


@pytest.fixture
def data(alice, bob, team, district, catalogue):  # type: ignore[no-untyped-def]
    trajectories(12, team, alice, district, measured=True)
    trajectories(
        3,
        team,
        alice,
        district,
        measured=True,
        born=__import__("datetime").date(2015, 5, 5),
        name="Jong",
    )
    return bob


def dashboard_figures(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    report = response.context["report"]
    return [
        [section.title, label, header, value]
        for section in report.all_sections
        for label, values in section.rows
        for header, value in zip(section.headers, values, strict=True)
    ]


def test_presentation_shows_one_figure_per_screen_with_previous_and_next(data):
    client = client_for(data)
    url = reverse("monitoring:presentation")
    first = client.get(url)
    assert first.status_code == 200
    count = first.context["count"]
    assert count == len(client.get(DASHBOARD).context["report"].all_sections) > 5
    html = first.content.decode()
    assert first.context["figure"].id == "registration"
    assert 'rel="next"' in html and 'rel="prev"' not in html
    assert "monitoring/presentation.js" in html and "<script>" not in html
    last = client.get(url, {"figure": count, "age_group": "adult"})
    assert 'rel="prev"' in last.content.decode() and 'rel="next"' not in last.content.decode()
    assert "age_group=adult" in last.content.decode()  # the filters stay with the links
    for figure in ("abc", "-4", "99999"):
        assert client.get(url, {"figure": figure}).status_code == 200
    bad = client.get(url, {"period": "2999"})
    assert bad.status_code == 200 and 'role="alert"' in bad.content.decode()


def test_csv_has_exactly_the_dashboard_figures_and_describes_the_selection(data):
    client = client_for(data)
    params = {"age_group": "adult"}
    figures = dashboard_figures(client.get(DASHBOARD, params))
    response = client.get(reverse("monitoring:export_csv"), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert ["Leeftijdsgroep", "Volwassenen (18 en ouder)"] in rows
    header = rows.index(["Cijfer", "Rij", "Kolom", "Waarde"])
    assert rows[header + 1 :] == figures
    assert "<10" in text and "Bewoner" not in text and "Jong" not in text
    assert AccessLog.objects.filter(object_type="dashboard", action="export").exists()


def test_xlsx_has_exactly_the_dashboard_figures(data):
    client = client_for(data)
    figures = dashboard_figures(client.get(DASHBOARD))
    response = client.get(reverse("monitoring:export_xlsx"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    selection = {row[0]: row[1] for row in book.worksheets[0].iter_rows(values_only=True)}
    assert selection["Periode"] and "<10" in selection["Onderdrukking"]
    rows = [list(r) for r in book.worksheets[1].iter_rows(values_only=True)]
    assert rows[1:] == figures
    assert len(book.worksheets) == 2 + len(client.get(DASHBOARD).context["report"].all_sections)


def test_the_report_is_a_pdf_with_the_same_figures(data, alice, team, district):
    trajectories(25, team, alice, district, measured=True, name="Meer")
    response = client_for(data).get(reverse("monitoring:report"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "monitoring-report.pdf").write_bytes(response.content)  # to look at
    assert AccessLog.objects.filter(object_type="dashboard", action="print").exists()


def test_exports_with_bad_filters_give_the_message_not_a_file(data):
    for name in ("monitoring:export_csv", "monitoring:export_xlsx", "monitoring:report"):
        response = client_for(data).get(reverse(name), {"period": "2999"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        assert 'role="alert"' in response.content.decode()


# --- the research data set --------------------------------------------------------------------

RESEARCH = reverse("monitoring:research")


@pytest.fixture
def quinn(organisation):  # type: ignore[no-untyped-def]
    return staff_with_role("quinn", organisation, Role.Name.QUALITY_OFFICER)


def research_csv(user, purpose: str = "Effectonderzoek 2026") -> list[list[str]]:  # type: ignore[no-untyped-def]
    response = client_for(user, sudo=True).post(RESEARCH, {"purpose": purpose, "year": ""})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def test_research_export_has_no_names_bsn_or_birth_dates(data, quinn):
    for resident in Resident.objects.all():
        resident.bsn = "123456782"
        resident.phone = "0612345678"
        resident.email = "bewoner@example.org"
        resident.save()
    rows = research_csv(quinn)
    header, body = rows[0], rows[1:]
    assert "resident" in header and "birth_year" in header
    assert len({r[header.index("resident")] for r in body}) == 15
    text = "\n".join(";".join(r) for r in rows)
    for forbidden in ("Bewoner", "Jong", "123456782", "0612345678", "example.org", "1980-01-01"):
        assert forbidden not in text
    assert {r[header.index("birth_year")] for r in body} == {"1980", "2015"}
    measured = {r[header.index("measured")] for r in body}
    assert all(len(m) == 7 for m in measured)  # by month: yyyy-mm


def test_two_exports_give_different_pseudonyms(data, quinn):
    first, second = research_csv(quinn), research_csv(quinn)
    column = first[0].index("resident")
    assert {r[column] for r in first[1:]}.isdisjoint({r[column] for r in second[1:]})
    assert len(first) == len(second)


def test_research_export_is_logged_per_resident_with_its_purpose(data, quinn):
    research_csv(quinn, "Evaluatie wijkteams")
    records = AccessLog.objects.filter(object_type="research_export")
    per_resident = records.exclude(resident_id=None)
    assert per_resident.count() == 15
    assert set(per_resident.values_list("purpose", flat=True)) == {"Evaluatie wijkteams"}
    assert records.filter(resident_id=None, action="export").count() == 1


def test_research_export_needs_a_purpose_and_sudo(data, quinn):
    response = client_for(quinn, sudo=True).post(RESEARCH, {"purpose": ""})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert not AccessLog.objects.filter(object_type="research_export").exists()
    without_sudo = client_for(quinn).get(RESEARCH)
    assert without_sudo.status_code == 302 and "next=" in without_sudo["Location"]


def test_research_export_is_only_for_the_organisation_roles(data, alice, organisation):
    anna = staff_with_role("anna", organisation, Role.Name.MUNICIPALITY_ANALYST)
    for user in (data, alice, anna):  # coach, professional, analyst
        response = client_for(user, sudo=True).post(RESEARCH, {"purpose": "Onderzoek"})
        assert response.status_code == 404
    olga = staff_with_role("olga", organisation, Role.Name.ORGANISATION_ADMIN)
    assert client_for(olga, sudo=True).get(RESEARCH).status_code == 200
