"""Inzage: the resident gets everything the organisation holds about them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from django.http import QueryDict
from django.urls import reverse

from tests.conftest import client_for
from tests.privacy.conftest import BSN, FIRST_NAME
from wattelt.audit.models import AccessLog
from wattelt.instrument import preparation
from wattelt.privacy.services import resident_data


def test_resident_data_holds_the_whole_file(full_file, alice, charlie):
    data = resident_data(full_file.resident)
    assert data["resident"]["bsn"] == BSN
    assert data["resident"]["first_name"] == FIRST_NAME
    assert data["resident"]["phone"] == "0612345678"
    (trajectory,) = data["trajectories"]
    assert trajectory["next_appointment"].startswith("dinsdag")
    statuses = sorted(m["status"] for m in trajectory["measurements"])
    assert statuses == ["confirmed", "confirmed", "superseded"]
    start = next(m for m in trajectory["measurements"] if m["version"] == 2)
    chips = {c["domain"]: c for c in start["choices"]}
    assert chips["geld"]["resident_chip"] == 25
    assert start["snapshot"]["choices"]
    superseded = next(m for m in trajectory["measurements"] if m["status"] == "superseded")
    assert superseded["snapshot"]["goals"][0]["how_we_know"].endswith("op de brief")
    assert {c["professional_chip"] for c in superseded["choices"]} == {40, None}
    goal = trajectory["goals"][0]
    assert FIRST_NAME in goal["own_words"]
    assert goal["reviews"][0]["note"].endswith("de bank gebeld")
    assert goal["progress"][0]["author"] == str(charlie)
    assert trajectory["consents"][0]["note"]
    assert trajectory["not_filled_in"][0]["reason"] == "other"
    lookers = {(a["who"], a["action"], a["purpose"]) for a in data["access_log"]}
    assert ("alice", "read", "care") in lookers
    assert all(set(a) >= {"at", "who", "role", "action", "purpose"} for a in data["access_log"])


def test_resident_data_takes_a_fixed_number_of_queries(full_file, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        resident_data(full_file.resident)


def test_inzage_json_is_a_logged_download(full_file, privacy_officer):
    client = client_for(privacy_officer, sudo=True)
    response = client.get(reverse("privacy:inzage_json", args=[full_file.resident_id]))
    assert response["Content-Type"].startswith("application/json")
    assert FIRST_NAME not in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["resident"]["bsn"] == BSN
    assert len(data["trajectories"][0]["measurements"]) == 3
    assert data["trajectories"][0]["goals"]
    record = AccessLog.objects.get(action="export", object_type="inzage")
    assert (record.resident_id, record.purpose) == (full_file.resident_id, "avg-inzage")
    # The export itself is in the list of looks it hands over.
    assert any(a["purpose"] == "avg-inzage" for a in data["access_log"])


def test_inzage_pdf_is_a_logged_document(full_file, privacy_officer, tmp_path):
    client = client_for(privacy_officer, sudo=True)
    response = client.get(reverse("privacy:inzage_pdf", args=[full_file.resident_id]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    record = AccessLog.objects.get(action="print", object_type="inzage")
    assert (record.resident_id, record.purpose) == (full_file.resident_id, "avg-inzage")
    text = _pdf_text(response.content, tmp_path)
    assert BSN in text
    assert FIRST_NAME in text
    assert "alice" in text


def test_inzage_pdf_holds_the_residents_own_preparation(full_file, privacy_officer, tmp_path):
    form = QueryDict(mutable=True)
    form.setlist("chosen", ["wonen"])
    form.update({"chip-resident-wonen": "30", "topics": "Mijn huur is omhoog gegaan."})
    data = preparation.parse_preparation(full_file, form)
    preparation.save_preparation(full_file, data, send=True)
    client = client_for(privacy_officer, sudo=True)
    response = client.get(reverse("privacy:inzage_pdf", args=[full_file.resident_id]))
    text = " ".join(_pdf_text(response.content, tmp_path).split())
    assert "Mijn huur is omhoog gegaan." in text
    assert "voorbereid" in text  # the section's heading, in Dutch


def _pdf_text(pdf: bytes, folder: Path) -> str:
    """The PDF's text, read by poppler's pdftotext (make test installs it)."""
    path = folder / "inzage.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return done.stdout.decode()
