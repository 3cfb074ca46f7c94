"""Dossier screening findings are the resident's data too: in the access request
(inzage) and blanked on erasure."""

from __future__ import annotations

import json
import subprocess

from django.urls import reverse

from tests.conftest import client_for, staff_with_role
from tests.privacy.conftest import FIRST_NAME, IDENTIFIERS, database_texts_containing
from wattelt.organisations.models import Role
from wattelt.privacy.services import anonymise_resident, resident_data
from wattelt.screening import services as screening
from wattelt.screening.models import ScreeningItem
from wattelt.screening.services import ReviewInput, SampleInput

NOTE = f"{FIRST_NAME} zegt dat de doelen niet van haar zijn."
DISCUSSION = f"Met {FIRST_NAME} de doelen herschreven."


def _screened_and_discussed(trajectory, alice) -> ScreeningItem:
    officer = staff_with_role("quinn", trajectory.team.organisation, Role.Name.QUALITY_OFFICER)
    sample = screening.draw_sample(
        trajectory.team.organisation,
        officer,
        SampleInput(trajectory.started_on, trajectory.started_on, 5),
    )
    item = sample.items.get(trajectory=trajectory)
    answers = dict.fromkeys(ScreeningItem.QUESTIONS, "yes")
    item = screening.screen(item, officer, ReviewInput(**answers, notes=NOTE))
    item = screening.share(item, officer)
    return screening.record_discussion(item, alice, DISCUSSION)


def test_erasure_blanks_the_screening_notes(full_file, alice):
    item = _screened_and_discussed(full_file, alice)
    anonymise_resident(full_file.resident)
    item.refresh_from_db()
    assert (item.notes, item.discussion_note) == ("", "")
    assert item.goals_own_words == "yes"  # the answers stay: counts do not shift
    assert database_texts_containing(*IDENTIFIERS) == []


def test_inzage_holds_the_screening_findings(full_file, alice, privacy_officer, tmp_path):
    _screened_and_discussed(full_file, alice)
    found = resident_data(full_file.resident)["screening"]
    assert len(found) == 1
    assert found[0]["notes"] == NOTE and found[0]["discussion_note"] == DISCUSSION
    assert found[0]["trajectory"] == full_file.pk
    assert [a["question"] for a in found[0]["answers"]] == list(ScreeningItem.QUESTIONS)
    assert {a["answer"] for a in found[0]["answers"]} == {"yes"}
    client = client_for(privacy_officer, sudo=True)
    response = client.get(reverse("privacy:inzage_json", args=[full_file.resident_id]))
    assert json.loads(response.content)["screening"][0]["notes"] == NOTE
    # The document still renders with the findings in the data.
    response = client.get(reverse("privacy:inzage_pdf", args=[full_file.resident_id]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    path = tmp_path / "inzage.pdf"
    path.write_bytes(response.content)
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    text = done.stdout.decode()
    assert FIRST_NAME in text
    assert NOTE in " ".join(text.split()), "the screener's notes are in the document"


def test_inzage_of_a_resident_never_screened_has_no_findings(full_file):
    assert resident_data(full_file.resident)["screening"] == []
