"""The pseudonymised record-level data set for research.

One row per confirmed measurement and chosen life domain (a measurement without a chosen
domain gets one row with the domain empty). Residents and trajectories appear under
pseudonyms: HMAC-SHA256 of their id with a random key made for this export only, never
stored or shown, so two exports cannot be linked to each other or to a resident. No
names, BSN, contact data or notes; the birth year instead of the birth date; dates
coarsened to the month. Team and district names are kept (they are not about a person)."""

from __future__ import annotations

import hashlib
import hmac
import io
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import QuerySet

from wattelt.instrument.models import ChosenDomain, Measurement
from wattelt.organisations import roles
from wattelt.organisations.models import Staff
from wattelt.spreadsheets import SafeCsvWriter

COLUMNS = [
    "resident",
    "birth_year",
    "district",
    "team",
    "trajectory",
    "trajectory_started",
    "trajectory_ended",
    "closing_reason",
    "measurement",
    "measurement_kind",
    "measured",
    "quality_of_life",
    "domain",
    "prioritised",
    "resident_chip",
    "professional_chip",
    "carer_chip",
]


def may_export_research_data(user: Staff) -> bool:
    """Organisation-level roles that answer for the data (quality officer, organisation
    admin); not coaches, professionals or the municipality's analyst."""
    return roles.answers_for_organisation_data(user)


class Pseudonyms:
    """Per-export pseudonyms: the key lives in this object only."""

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)

    def of(self, kind: str, id: int) -> str:
        digest = hmac.new(self._key, f"{kind}:{id}".encode(), hashlib.sha256).hexdigest()
        return digest[:16]


@dataclass(frozen=True)
class ResearchExport:
    csv: str
    residents: list[tuple[int, int]]  # (trajectory id, resident id) for the access log
    rows: int


def research_measurements(user: Staff, year: int | None) -> QuerySet[Measurement]:
    """The confirmed measurements of the user's organisation (optionally of one year)."""
    measurements = Measurement.objects.for_research_by(user)
    if year is not None:
        measurements = measurements.filter(measured_on__year=year)
    return measurements


def _month(value: object) -> str:
    return value.strftime("%Y-%m") if value is not None else ""  # type: ignore[attr-defined]


def _rows(measurements: QuerySet[Measurement], names: Pseudonyms) -> Iterator[list[object]]:
    fields = (
        "pk",
        "kind",
        "measured_on",
        "quality_of_life",
        "trajectory_id",
        "trajectory__resident_id",
        "trajectory__resident__date_of_birth__year",
        "trajectory__resident__district__name",
        "trajectory__team__name",
        "trajectory__started_on",
        "trajectory__ended_on",
        "trajectory__closing_reason",
    )
    choices: dict[int, list[dict[str, object]]] = {}
    for choice in (
        ChosenDomain.objects.filter(measurement__in=measurements)
        .order_by("measurement_id", "domain__position")
        .values(
            "measurement_id",
            "domain__key",
            "prioritised",
            "resident_chip",
            "professional_chip",
            "carer_chip",
        )
    ):
        choices.setdefault(choice["measurement_id"], []).append(dict(choice))
    for m in measurements.order_by("trajectory_id", "measured_on", "pk").values(*fields):
        base: list[object] = [
            names.of("resident", m["trajectory__resident_id"]),
            m["trajectory__resident__date_of_birth__year"],
            m["trajectory__resident__district__name"],
            m["trajectory__team__name"],
            names.of("trajectory", m["trajectory_id"]),
            _month(m["trajectory__started_on"]),
            _month(m["trajectory__ended_on"]),
            m["trajectory__closing_reason"],
            names.of("measurement", m["pk"]),
            m["kind"],
            _month(m["measured_on"]),
            m["quality_of_life"],
        ]
        chosen = choices.get(m["pk"]) or [{}]
        for c in chosen:
            yield [
                *base,
                c.get("domain__key", ""),
                c.get("prioritised", ""),
                c.get("resident_chip", ""),
                c.get("professional_chip", ""),
                c.get("carer_chip", ""),
            ]


def research_export(user: Staff, year: int | None) -> ResearchExport:
    """The data set as CSV (a fixed number of queries), with a fresh pseudonym key."""
    measurements = research_measurements(user, year)
    names = Pseudonyms()
    out = io.StringIO()
    writer = SafeCsvWriter(out, delimiter=";")
    writer.writerow(COLUMNS)
    count = 0
    for row in _rows(measurements, names):
        writer.writerow(["" if v is None else v for v in row])
        count += 1
    included = sorted(
        set(measurements.values_list("trajectory_id", "trajectory__resident_id").distinct())
    )
    return ResearchExport(out.getvalue(), included, count)
