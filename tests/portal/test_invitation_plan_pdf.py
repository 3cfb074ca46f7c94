"""The plan PDF with the invitation (issue 12): the professional prints the resident's
plan with the QR code, the link and the steps on its last page, never the code; only an
open invitation of that resident, and the print is in the access log."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import client_for, confirmed_measurement
from wattelt.audit.models import AccessLog
from wattelt.portal import invitations
from wattelt.portal.models import Invitation
from wattelt.residents import services as residents
from wattelt.residents.models import Trajectory

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def screen_token(client: Client, resident) -> tuple[str, str, str]:
    """The professional invites: (link path, code, token) from the invitation screen,
    the token from the hidden field of its "Plan with invitation" form."""
    response = client.post(reverse("portal:invite", args=[resident.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    code = re.search(r'invitation-code__digits" dir="ltr">(\d{3}) (\d{3})<', page)
    link = re.search(r"http://testserver(/mijn/uitnodiging/[^/]+/)", page)
    token = re.search(r'name="token" value="([^"]+)"', page)
    assert code and link and token
    return link.group(1), code.group(1) + code.group(2), token.group(1)


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "plan.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def flat(text: str) -> str:
    """The text without spaces, line breaks and bidi marks (a link wraps over lines)."""
    return re.sub(r"[\s\u200e\u200f\u202a-\u202e]+", "", text)


def print_plan(client: Client, resident, token: str):
    return client.post(reverse("portal:invitation_plan_pdf", args=[resident.pk]), {"token": token})


def test_the_screen_offers_the_plan_with_the_invitation(alice, resident, trajectory):
    page = client_for(alice).post(reverse("portal:invite", args=[resident.pk])).content.decode()
    assert "Plan met uitnodiging (PDF)" in page
    assert reverse("portal:invitation_plan_pdf", args=[resident.pk]) in page


def test_the_plan_pdf_has_the_link_and_the_steps_but_never_the_code(
    alice, resident, trajectory, tmp_path
):
    confirmed_measurement(trajectory, alice)
    professional = client_for(alice)
    link, code, token = screen_token(professional, resident)
    response = print_plan(professional, resident, token)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    text = pdf_text(response.content, tmp_path)
    assert "Het plan van Fatima" in text  # the plan itself comes first
    assert f"http://testserver{link}" in flat(text)
    assert "Scan de QR-code met de camera van uw telefoon" in text
    assert code not in flat(text)
    assert f"{code[:3]} {code[3:]}" not in text
    # the invitation is still open: printing does not use it
    assert Invitation.objects.get(token_hash=invitations.token_hash(token)).used_at is None
    log = AccessLog.objects.filter(action="print", object_type="plan").get()
    assert log.resident_id == resident.pk and log.object_id == str(trajectory.pk)


def test_the_invitation_is_in_the_residents_language(alice, resident, trajectory, tmp_path):
    resident.language = "ar"
    resident.save(update_fields=["language"])
    professional = client_for(alice)
    _link, _code, token = screen_token(professional, resident)
    response = print_plan(professional, resident, token)
    text = pdf_text(response.content, tmp_path)
    assert token in flat(text)
    assert "Scan" not in text  # the steps are in Arabic, not Dutch or English
    assert re.search(r"[\u0600-\u06ff\ufb50-\ufeff]", text)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"used_at": timezone.now}, "al gebruikt"),
        ({"voided_at": timezone.now}, "werkt niet meer"),
        ({"expires_at": lambda: timezone.now() - dt.timedelta(seconds=1)}, "verlopen"),
    ],
)
def test_a_closed_invitation_is_not_printed(alice, resident, trajectory, change, message):
    professional = client_for(alice)
    _link, _code, token = screen_token(professional, resident)
    Invitation.objects.filter(token_hash=invitations.token_hash(token)).update(
        **{field: make() for field, make in change.items()}
    )
    response = print_plan(professional, resident, token)
    assert response.status_code == 302
    page = professional.get(response["Location"]).content.decode()
    assert message in page
    assert not AccessLog.objects.filter(action="print").exists()


def test_a_wrong_token_is_not_printed(alice, resident, trajectory):
    professional = client_for(alice)
    response = print_plan(professional, resident, "not-a-token")
    assert response.status_code == 302
    assert "bestaat niet" in professional.get(response["Location"]).content.decode()
    missing = print_plan(professional, resident, "")
    assert missing.status_code == 302


def test_an_earlier_invitation_replaced_by_a_new_one_is_not_printed(alice, resident, trajectory):
    professional = client_for(alice)
    _link, _code, old = screen_token(professional, resident)
    screen_token(professional, resident)
    response = print_plan(professional, resident, old)
    assert response.status_code == 302
    assert "werkt niet meer" in professional.get(response["Location"]).content.decode()


def test_another_residents_token_is_not_found(alice, resident, trajectory, team, district):
    other = residents.register_resident(
        residents.ResidentInput(
            first_name="Rik",
            last_name="de Vries",
            date_of_birth=dt.date(1979, 2, 3),
            district=district,
            bsn="123456782",
        ),
        alice,
    )
    residents.open_trajectory(other, team, alice, timezone.localdate())
    professional = client_for(alice)
    _link, _code, token = screen_token(professional, resident)
    response = print_plan(professional, other, token)
    assert response.status_code == 404
    refused = AccessLog.objects.filter(object_type="portal_invitation", action="print").get()
    assert refused.resident_id == resident.pk


def test_the_coach_and_an_outsider_cannot_print(alice, bob, charlie, resident, trajectory):
    _link, _code, token = screen_token(client_for(alice), resident)
    assert print_plan(client_for(bob), resident, token).status_code == 403
    assert print_plan(client_for(charlie), resident, token).status_code == 404


@pytest.mark.parametrize("language", ["nl", "ar"])
def test_render_the_pdf_to_png_for_a_look(alice, resident, trajectory, language, tmp_path):
    """Writes test-artifacts/portal-plan-invitation-pdf-<language>-<page>.png to look at."""
    confirmed_measurement(trajectory, alice)
    resident.language = language
    resident.save(update_fields=["language"])
    professional = client_for(alice)
    _link, _code, token = screen_token(professional, resident)
    pdf = tmp_path / "plan.pdf"
    pdf.write_bytes(print_plan(professional, resident, token).content)
    ARTIFACTS.mkdir(exist_ok=True)
    prefix = ARTIFACTS / f"portal-plan-invitation-pdf-{language}"
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(prefix)], check=True)
    assert list(ARTIFACTS.glob(f"portal-plan-invitation-pdf-{language}-*.png"))


def test_the_open_trajectorys_plan_is_printed_before_a_closed_later_one(
    alice, resident, trajectory, team
):
    today = timezone.localdate()
    Trajectory.objects.filter(pk=trajectory.pk).update(
        started_on=today - dt.timedelta(days=10), ended_on=today
    )
    still_open = residents.open_trajectory(resident, team, alice, today - dt.timedelta(days=300))
    professional = client_for(alice)
    _link, _code, token = screen_token(professional, resident)
    assert print_plan(professional, resident, token).status_code == 200
    log = AccessLog.objects.filter(action="print", object_type="plan").get()
    assert log.object_id == str(still_open.pk)
