"""Preparing the next conversation at home: the resident's board in Mijn Wat telt saves a
Preparation (never a measurement), one open per trajectory, with clear messages for bad
input and nothing half-saved; every look and save is logged with the resident as actor."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import confirmed_measurement, resident_client
from wattelt.audit.models import AccessLog
from wattelt.instrument.models import Measurement, Preparation
from wattelt.residents import services as residents
from wattelt.residents.models import Trajectory

pytestmark = pytest.mark.django_db
PREPARE = reverse("portal:prepare")


def sent(client, **fields):
    return client.post(PREPARE, {"action": "send", **fields})


def test_a_new_preparation_starts_with_last_times_domains(trajectory, alice, resident):
    confirmed_measurement(trajectory, alice)
    page = resident_client(resident).get(PREPARE)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="chosen" value="wonen" checked' in html
    assert 'name="chosen" value="geld" checked' in html
    assert 'name="chosen" value="werk" checked' not in html
    # Last time's chip is the ghost; the resident places their own anew.
    assert 'data-ghost="70"' in html
    assert 'name="topics"' in html and 'for="topics"' in html
    # Only the resident's own chip: no other perspective, grade or goals.
    assert 'name="quality_of_life"' not in html and "chip-professional-" not in html


def test_resident_sends_a_preparation_and_it_is_no_measurement(trajectory, resident):
    client = resident_client(resident)
    response = sent(
        client,
        chosen=["wonen", "geld"],
        **{"chip-resident-wonen": "30", "chip-resident-geld": "80"},
        topics="Mijn huur is omhoog gegaan.",
    )
    assert response.status_code == 302 and response["Location"] == f"{PREPARE}?done=sent"
    preparation = Preparation.objects.get()
    assert preparation.trajectory == trajectory and preparation.submitted_at is not None
    assert preparation.topics == "Mijn huur is omhoog gegaan."
    chips = {c.domain.key: c.resident_chip for c in preparation.choices.select_related("domain")}
    assert chips == {"wonen": 30, "geld": 80}
    assert not Measurement.objects.exists()
    log = AccessLog.objects.get(object_type="preparation", action="change")
    assert log.role == "resident" and log.resident_id == resident.pk
    assert "Verstuurd" in client.get(response["Location"]).content.decode()


def test_saving_again_edits_the_one_open_preparation(trajectory, resident):
    client = resident_client(resident)
    client.post(PREPARE, {"action": "save", "chosen": ["wonen"], "chip-resident-wonen": "10"})
    first = Preparation.objects.get()
    assert first.submitted_at is None
    sent(client, chosen=["geld"], topics="Schulden")
    again = Preparation.objects.get()
    assert again.pk == first.pk and again.submitted_at is not None
    assert [c.domain.key for c in again.choices.select_related("domain")] == ["geld"]
    # What the resident saved is shown again when they come back.
    html = client.get(PREPARE).content.decode()
    assert 'name="chosen" value="geld" checked' in html and "Schulden" in html


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"chosen": ["wonen"], "chip-resident-wonen": "150"},
            "chip-resident-wonen",
            "buiten de lijn",
        ),
        ({"chosen": ["maan"]}, "chosen", "Onbekend leefgebied"),
        ({"chosen": ["wonen"], "topics": "x" * 5001}, "topics", "te lang"),
        (
            {
                "chosen": ["wonen"],
                "placed-professional-wonen": "on",
                "chip-professional-wonen": "5",
            },
            "chip-professional-wonen",
            "",
        ),
        ({}, "chosen", "Kies minstens één leefgebied"),
    ],
)
def test_bad_input_names_the_problem_and_saves_nothing(
    trajectory, resident, fields, field, message
):
    client = resident_client(resident)
    response = sent(client, **{"chip-resident-wonen": "40", **fields})
    assert response.status_code == 400
    html = response.content.decode()
    assert f'data-field="{field}"' in html and message in html
    assert not Preparation.objects.exists()


def test_a_used_preparation_stays_and_preparing_again_starts_a_new_one(trajectory, alice, resident):
    from wattelt.instrument.preparation import open_together

    client = resident_client(resident)
    sent(client, chosen=["wonen"], **{"chip-resident-wonen": "25"})
    first = Preparation.objects.get()
    open_together(first, alice)
    html = client.get(PREPARE).content.decode()
    assert 'value="wonen" checked' not in html  # the next one starts afresh
    sent(client, chosen=["geld"], **{"chip-resident-geld": "60"})
    assert Preparation.objects.count() == 2
    first.refresh_from_db()
    assert [c.resident_chip for c in first.choices.all()] == [25]


def test_without_open_support_there_is_nothing_to_prepare(trajectory, alice, resident):
    residents.close_trajectory(trajectory, alice, Trajectory.ClosingReason.values[0])
    client = resident_client(resident)
    page = client.get(PREPARE)
    assert page.status_code == 200 and 'id="board"' not in page.content.decode()
    assert sent(client, chosen=["wonen"]).status_code == 200
    assert not Preparation.objects.exists()
