"""The plan in the resident's language: on screen and as PDF, Arabic right to left and
Tigrinya in Ge'ez script with fonts that have the letters (WeasyPrint, fonts installed by
`make browser`). The PDFs are kept in test-artifacts/ to look at."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from tests.conftest import client_for, confirmed_measurement
from wattelt.residents import services as residents

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

# What the plan must say in each language (a heading of ours, a card of the catalogue)
# and a font that must be in the PDF for its script.
EXPECTED = {
    "ar": ("أهدافي", "المال", "Noto-Sans-Arabic"),
    "ti": ("ሸቶታተይ", "ገንዘብ", "Noto-Sans-Ethiopic"),
    "uk": ("Мої цілі", "Гроші", "DejaVu-Sans"),
}


def pdf_text(path: Path) -> tuple[str, str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return text, fonts


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils: make browser")
@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_the_plan_pdf_speaks_the_residents_language(code, trajectory, alice):
    confirmed_measurement(trajectory, alice, goal__0__first_step="Bellen met de bank")
    residents.set_language(trajectory.resident, code)
    response = client_for(alice).get(reverse("instrument:plan_pdf", args=[trajectory.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"plan-{code}.pdf"
    path.write_bytes(response.content)
    text, fonts = pdf_text(path)
    heading, card, font = EXPECTED[code]
    assert heading in text and card in text, text
    assert font in fonts, fonts
    assert "Ik wil rust over mijn geld" in text  # the goal stays in the resident's own words
    assert "My goals" not in text and "Mijn doelen" not in text


def test_the_plan_on_screen_is_in_the_residents_language_inside_the_staff_page(trajectory, alice):
    confirmed_measurement(trajectory, alice)
    residents.set_language(trajectory.resident, "ar")
    response = client_for(alice).get(reverse("instrument:plan", args=[trajectory.pk]))
    html = response.content.decode()
    assert '<div lang="ar" dir="rtl" class="plan-language">' in html
    assert "أهدافي" in html and "المال" in html
    assert 'lang="nl"' in html.split("<body")[0]  # the staff page around it stays Dutch
    assert "Voortgangsnotitie" in html or "Progress note" not in html


def test_a_young_resident_gets_the_youth_wording(trajectory, alice):
    resident = trajectory.resident
    resident.date_of_birth = resident.date_of_birth.replace(year=2011)
    resident.save()
    confirmed_measurement(trajectory, alice, days_ago=10)
    html = client_for(alice).get(reverse("instrument:plan", args=[trajectory.pk])).content.decode()
    assert "Waar ik woon" in html  # "Wonen" in the young people's words
