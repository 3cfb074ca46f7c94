"""Recording a confirmed measurement through the API: the board's services and
validation, one transaction, and an Idempotency-Key so a retry never records twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from wattelt.audit.models import AccessLog
from wattelt.instrument import services as instrument
from wattelt.instrument.models import Goal, Measurement

from .conftest import Caller


def start_body(trajectory: Any, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "traject": trajectory.pk,
        "gemetenOp": (timezone.localdate() - dt.timedelta(days=3)).isoformat(),
        "kwaliteitVanLeven": 6,
        "leefgebieden": [
            {"code": "wonen", "inwoner": 70, "professional": 60},
            {"code": "geld", "inwoner": 20, "prioriteit": True},
        ],
        "doelen": [{"eigenWoorden": "Ik wil rust over mijn geld", "leefgebieden": ["geld"]}],
    }
    body.update(changes)
    return body


def test_a_confirmed_measurement_is_recorded_as_on_the_board(own: Caller, trajectory: Any) -> None:
    response = own.post("/api/v1/metingen", start_body(trajectory), key="m-1")
    assert response.status_code == 201, response.content
    measurement = Measurement.objects.get()
    assert response["Location"] == response.json()["url"]
    assert response.json()["id"] == measurement.pk
    assert measurement.status == Measurement.Status.CONFIRMED
    assert measurement.kind == Measurement.Kind.START
    assert own.client is not None
    assert measurement.created_by_id == own.client.principal_id
    assert measurement.confirmed_by_id == own.client.principal_id
    chips = {
        c.domain.key: (c.resident_chip, c.professional_chip) for c in measurement.choices.all()
    }
    assert chips == {"wonen": (70, 60), "geld": (20, None)}
    assert Goal.objects.get().own_words == "Ik wil rust over mijn geld"
    assert measurement.snapshot is not None
    logged = AccessLog.objects.get(action="create")
    assert logged.username == own.client.principal.username
    assert logged.object_id == str(measurement.pk)


def test_every_invalid_field_is_named_at_once_and_nothing_is_saved(
    own: Caller, trajectory: Any
) -> None:
    body = start_body(
        trajectory,
        kwaliteitVanLeven=11,
        leefgebieden=[{"code": "wonen", "inwoner": 150}, {"code": "maan", "inwoner": 10}],
    )
    response = own.post("/api/v1/metingen", body, key="m-2")
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    names = {p["name"] for p in response.json()["invalidParams"]}
    assert names == {"kwaliteitVanLeven", "leefgebieden", "leefgebieden.0.inwoner"}
    assert not Measurement.objects.exists()


def test_shape_errors_are_named_all_at_once(own: Caller, trajectory: Any) -> None:
    body = {"traject": "een", "gemetenOp": "gisteren", "leefgebieden": [{"inwoner": "x"}]}
    response = own.post("/api/v1/metingen", body, key="m-3")
    assert response.status_code == 400
    names = {p["name"] for p in response.json()["invalidParams"]}
    assert names == {
        "traject",
        "gemetenOp",
        "kwaliteitVanLeven",
        "leefgebieden.0.code",
        "leefgebieden.0.inwoner",
    }


def test_a_goal_needs_the_residents_own_words(own: Caller, trajectory: Any) -> None:
    body = start_body(
        trajectory, doelen=[{"eigenWoorden": " ", "watVerandert": "x", "leefgebieden": ["geld"]}]
    )
    response = own.post("/api/v1/metingen", body, key="m-4")
    assert response.status_code == 400, response.content
    assert [p["name"] for p in response.json()["invalidParams"]] == ["doelen.0.eigenWoorden"]
    assert not Measurement.objects.exists()


def test_a_retry_with_the_same_key_records_nothing_new(own: Caller, trajectory: Any) -> None:
    first = own.post("/api/v1/metingen", start_body(trajectory), key="same")
    again = own.post("/api/v1/metingen", start_body(trajectory), key="same")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again["Location"] == first["Location"]
    assert Measurement.objects.count() == 1


def test_the_same_key_with_another_body_is_refused(own: Caller, trajectory: Any) -> None:
    assert own.post("/api/v1/metingen", start_body(trajectory), key="k").status_code == 201
    other = own.post("/api/v1/metingen", start_body(trajectory, kwaliteitVanLeven=8), key="k")
    assert other.status_code == 422
    assert other["Content-Type"] == "application/problem+json"
    assert Measurement.objects.count() == 1


def test_a_key_is_required(own: Caller, trajectory: Any) -> None:
    response = own.post("/api/v1/metingen", start_body(trajectory))
    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == "Idempotency-Key"


def test_a_draft_on_the_board_is_never_overwritten(
    own: Caller, trajectory: Any, alice: Any
) -> None:
    draft = instrument.start_measurement(trajectory, alice)
    response = own.post("/api/v1/metingen", start_body(trajectory), key="d")
    assert response.status_code == 409
    assert list(Measurement.objects.all()) == [draft]


def test_a_closed_trajectory_takes_no_measurement(own: Caller, trajectory: Any) -> None:
    trajectory.ended_on = timezone.localdate()
    trajectory.save()
    response = own.post("/api/v1/metingen", start_body(trajectory), key="c")
    assert response.status_code == 400
    assert not Measurement.objects.exists()
