"""Erasure on request: decided by the privacy officer, refused under a legal hold,
carried out in one go; the resident cannot be found afterwards, the counts stay."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.conftest import client_for
from tests.privacy.conftest import (
    BSN,
    FIRST_NAME,
    IDENTIFIERS,
    LAST_NAME,
    database_texts_containing,
)
from wattelt.audit.models import AccessLog
from wattelt.instrument.models import ChosenDomain, Goal, Measurement
from wattelt.privacy import services
from wattelt.privacy.models import ErasureRequest
from wattelt.residents import services as residents
from wattelt.residents.models import Resident, Trajectory


def monitoring_facts(trajectory: Trajectory) -> dict[str, Any]:
    """What monitoring counts: must be the same before and after erasure."""
    resident = Resident.objects.get(pk=trajectory.resident_id)
    measurements = Measurement.objects.filter(trajectory=trajectory).order_by("pk")
    return {
        "resident": (resident.district_id, resident.organisation_id, resident.date_of_birth.year),
        "trajectories": list(
            Trajectory.objects.filter(resident=resident).values_list(
                "team_id", "started_on", "ended_on", "closing_reason"
            )
        ),
        "measurements": list(
            measurements.values_list("kind", "status", "measured_on", "quality_of_life")
        ),
        "chips": list(
            ChosenDomain.objects.filter(measurement__trajectory=trajectory)
            .order_by("pk")
            .values_list(
                "measurement_id",
                "domain_id",
                "resident_chip",
                "professional_chip",
                "carer_chip",
                "prioritised",
            )
        ),
        "snapshot_chips": [(m.snapshot or {}).get("choices") for m in measurements],
        "goals": list(
            Goal.objects.filter(trajectory=trajectory)
            .order_by("pk")
            .values_list("status", "due_on", "domains__key")
        ),
    }


def register_and_decide(
    trajectory: Trajectory, officer: Any, decision: str, **kwargs: str
) -> ErasureRequest:
    request = services.register_erasure_request(trajectory.resident, officer)
    return services.decide_erasure(request, officer, decision, **kwargs)


def test_erased_resident_is_nowhere_in_the_database(full_file, alice, privacy_officer):
    residents.close_trajectory(full_file, alice, "other", f"{LAST_NAME} is verhuisd")
    assert database_texts_containing(*IDENTIFIERS), "the file should name the resident"
    granted = register_and_decide(
        full_file, privacy_officer, "granted", reason=f"Verzoek per brief van {FIRST_NAME}"
    )
    done = services.execute_erasure(granted, privacy_officer)
    assert database_texts_containing(*IDENTIFIERS) == []
    assert done.executed_at is not None
    assert done.decision_reason == "Verzoek per brief van ***"
    resident = Resident.objects.get(pk=full_file.resident_id)
    assert resident.date_of_birth == dt.date(1985, 7, 1)
    assert (resident.phone, resident.email, resident.bsn) == ("", "", "")


def test_erasure_keeps_what_monitoring_counts(full_file, privacy_officer):
    before = monitoring_facts(full_file)
    chosen_before = ChosenDomain.objects.count()
    services.execute_erasure(
        register_and_decide(full_file, privacy_officer, "granted"), privacy_officer
    )
    assert monitoring_facts(full_file) == before
    assert ChosenDomain.objects.count() == chosen_before
    assert AccessLog.objects.filter(resident_id=full_file.resident_id, username="alice").exists()


def test_erasure_is_refused_under_a_legal_hold(full_file, privacy_officer):
    with pytest.raises(ValidationError) as error:
        register_and_decide(full_file, privacy_officer, "granted", legal_hold="youth_care")
    assert "legal_hold" in error.value.message_dict
    refused = services.decide_erasure(
        ErasureRequest.objects.get(), privacy_officer, "refused", legal_hold="youth_care"
    )
    with pytest.raises(ValidationError):
        services.execute_erasure(refused, privacy_officer)
    assert Resident.objects.get(pk=full_file.resident_id).bsn == BSN
    assert ErasureRequest.objects.get().executed_at is None


def test_only_a_granted_request_is_carried_out(trajectory, privacy_officer):
    pending = services.register_erasure_request(trajectory.resident, privacy_officer)
    with pytest.raises(ValidationError):
        services.execute_erasure(pending, privacy_officer)
    assert Resident.objects.get(pk=trajectory.resident_id).first_name == FIRST_NAME


def test_refusal_needs_a_reason_and_a_decision_is_taken_once(trajectory, privacy_officer):
    request = services.register_erasure_request(trajectory.resident, privacy_officer)
    with pytest.raises(ValidationError) as error:
        services.decide_erasure(request, privacy_officer, "refused")
    assert "decision_reason" in error.value.message_dict
    services.decide_erasure(request, privacy_officer, "refused", reason="Lopende rechtszaak")
    with pytest.raises(ValidationError):
        services.decide_erasure(request, privacy_officer, "granted")


def test_one_open_request_per_resident(trajectory, privacy_officer):
    services.register_erasure_request(trajectory.resident, privacy_officer)
    with pytest.raises(ValidationError):
        services.register_erasure_request(trajectory.resident, privacy_officer)


def test_privacy_officer_handles_a_request_through_the_screens(full_file, privacy_officer):
    client = client_for(privacy_officer, sudo=True)
    resident_url = reverse("privacy:resident", args=[full_file.resident_id])
    assert "Inzage (PDF)" in client.get(resident_url).content.decode()
    response = client.post(
        reverse("privacy:register_erasure", args=[full_file.resident_id]),
        {"received_on": dt.date.today().isoformat()},
    )
    request = ErasureRequest.objects.get()
    assert response["Location"] == reverse("privacy:erasure", args=[request.pk])
    decide_url = reverse("privacy:decide", args=[request.pk])
    refused = client.post(decide_url, {"decision": "granted", "legal_hold": "legal_procedure"})
    assert refused.status_code == 400
    assert refused.context["decision_form"].errors["legal_hold"]
    request.refresh_from_db()
    assert request.is_pending
    client.post(decide_url, {"decision": "granted", "decision_reason": "Geen bewaarplicht"})
    execute_url = reverse("privacy:execute", args=[request.pk])
    assert client.post(execute_url, {}).status_code == 400
    assert Resident.objects.get(pk=full_file.resident_id).bsn == BSN
    client.post(execute_url, {"confirm": "on"})
    assert database_texts_containing(*IDENTIFIERS) == []
    purposes = AccessLog.objects.filter(username="priya").values_list("action", "purpose")
    assert {("create", "avg-erasure"), ("change", "avg-erasure"), ("delete", "avg-erasure")} <= set(
        purposes
    )
    page = client.get(reverse("privacy:erasure", args=[request.pk])).content.decode()
    assert FIRST_NAME not in page


def test_legal_hold_through_the_screen_keeps_the_data(trajectory, privacy_officer):
    request = services.register_erasure_request(trajectory.resident, privacy_officer)
    client = client_for(privacy_officer, sudo=True)
    client.post(
        reverse("privacy:decide", args=[request.pk]),
        {"decision": "refused", "legal_hold": "youth_care"},
    )
    response = client.post(reverse("privacy:execute", args=[request.pk]), {"confirm": "on"})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    request.refresh_from_db()
    assert (request.decision, request.legal_hold, request.executed_at) == (
        "refused",
        "youth_care",
        None,
    )
    assert Resident.objects.get(pk=trajectory.resident_id).first_name == FIRST_NAME


def test_youth_care_is_pointed_out(trajectory, privacy_officer, team, alice, district):
    young = residents.register_resident(
        residents.ResidentInput("Sam", "Jong", dt.date.today().replace(year=2012), district), alice
    )
    residents.open_trajectory(young, team, alice)
    assert services.youth_care_applies(young)
    assert not services.youth_care_applies(trajectory.resident)
