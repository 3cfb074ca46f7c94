"""What the API shows of each resource: Dutch camelCase names (the NL API Design Rules),
English code behind them; links to related resources instead of nested copies."""

from __future__ import annotations

import datetime as dt
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from wattelt.instrument.models import ChosenDomain, Domain, Goal, Measurement, NotFilledIn
from wattelt.residents.models import Consent, Resident, Trajectory


class UtcDateTime(serializers.DateTimeField):
    """Date-times in UTC, ISO 8601 with "Z" (the rules' /core/date-time)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(default_timezone=dt.UTC, **kwargs)


def _link(view_name: str, source: str, **kwargs: Any) -> serializers.HyperlinkedRelatedField:
    return serializers.HyperlinkedRelatedField(
        view_name=f"api:{view_name}", source=source, read_only=True, **kwargs
    )


class InwonerSerializer(serializers.ModelSerializer[Resident]):
    url = serializers.HyperlinkedIdentityField(view_name="api:inwoner-detail")
    voornaam = serializers.CharField(source="first_name")
    achternaam = serializers.CharField(source="last_name")
    geboortedatum = serializers.DateField(source="date_of_birth")
    wijk = serializers.CharField(source="district.name")
    bsn = serializers.SerializerMethodField(
        help_text="Only for the team in charge; null for a specialist."
    )

    class Meta:
        model = Resident
        fields = ["url", "id", "voornaam", "achternaam", "geboortedatum", "wijk", "bsn"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_bsn(self, resident: Resident) -> str | None:
        in_care: set[int] = self.context.get("in_care", set())
        return (resident.bsn or None) if resident.pk in in_care else None


class TrajectSerializer(serializers.ModelSerializer[Trajectory]):
    url = serializers.HyperlinkedIdentityField(view_name="api:traject-detail")
    inwoner = _link("inwoner-detail", "resident")
    team = serializers.CharField(source="team.name")
    startdatum = serializers.DateField(source="started_on")
    einddatum = serializers.DateField(source="ended_on", allow_null=True)
    sluitreden = serializers.ChoiceField(
        source="closing_reason", choices=Trajectory.ClosingReason.choices, allow_blank=True
    )
    open = serializers.BooleanField(source="is_open")

    class Meta:
        model = Trajectory
        fields = ["url", "id", "inwoner", "team", "startdatum", "einddatum", "sluitreden", "open"]


class LeefgebiedScoreSerializer(serializers.ModelSerializer[ChosenDomain]):
    code = serializers.CharField(source="domain.key")
    inwoner = serializers.IntegerField(source="resident_chip", allow_null=True)
    professional = serializers.IntegerField(source="professional_chip", allow_null=True)
    naaste = serializers.IntegerField(source="carer_chip", allow_null=True)
    prioriteit = serializers.BooleanField(source="prioritised")

    class Meta:
        model = ChosenDomain
        fields = ["code", "inwoner", "professional", "naaste", "prioriteit"]


class MetingSerializer(serializers.ModelSerializer[Measurement]):
    url = serializers.HyperlinkedIdentityField(view_name="api:meting-detail")
    traject = _link("traject-detail", "trajectory")
    soort = serializers.ChoiceField(source="kind", choices=Measurement.Kind.choices)
    status = serializers.ChoiceField(
        choices=[Measurement.Status.CONFIRMED, Measurement.Status.SUPERSEDED]
    )
    gemetenOp = serializers.DateField(source="measured_on")
    kwaliteitVanLeven = serializers.IntegerField(source="quality_of_life", allow_null=True)
    naaste = serializers.CharField(source="carer_relation", help_text="Who the carer is.")
    versie = serializers.IntegerField(source="version")
    bevestigdOp = UtcDateTime(source="confirmed_at", allow_null=True)
    corrigeert = _link("meting-detail", "corrects", allow_null=True)
    leefgebieden = LeefgebiedScoreSerializer(source="choices", many=True)

    class Meta:
        model = Measurement
        fields = [
            "url",
            "id",
            "traject",
            "soort",
            "status",
            "gemetenOp",
            "kwaliteitVanLeven",
            "naaste",
            "versie",
            "bevestigdOp",
            "corrigeert",
            "leefgebieden",
        ]


GOAL_FIELDS = {
    "own_words": "eigenWoorden",
    "what_changes": "watVerandert",
    "first_step": "eersteStap",
    "by_resident": "doorInwoner",
    "by_network": "doorNetwerk",
    "by_professional": "doorProfessional",
    "by_specialist": "doorSpecialist",
    "how_we_know": "hoeWeWetenHet",
}
"""The goal's text fields, model name to API name (also used when writing)."""


class DoelSerializer(serializers.ModelSerializer[Goal]):
    url = serializers.HyperlinkedIdentityField(view_name="api:doel-detail")
    traject = _link("traject-detail", "trajectory")
    gesteldIn = _link("meting-detail", "stated_in")
    streefdatum = serializers.DateField(source="due_on", allow_null=True)
    status = serializers.ChoiceField(choices=Goal.Status.choices)
    leefgebieden = serializers.SlugRelatedField(
        source="domains", slug_field="key", many=True, read_only=True
    )

    class Meta:
        model = Goal
        fields = [
            "url",
            "id",
            "traject",
            "gesteldIn",
            *GOAL_FIELDS.values(),
            "streefdatum",
            "status",
            "leefgebieden",
        ]
        extra_kwargs = {api: {"source": name} for name, api in GOAL_FIELDS.items()}


class ToestemmingSerializer(serializers.ModelSerializer[Consent]):
    url = serializers.HyperlinkedIdentityField(view_name="api:toestemming-detail")
    traject = _link("traject-detail", "trajectory")
    organisatie = serializers.CharField(source="organisation.name")
    delen = serializers.ListField(
        source="parts",
        child=serializers.ChoiceField(choices=["plan", "goals", "measurements"]),
    )
    geldigVanaf = serializers.DateField(source="valid_from")
    geldigTot = serializers.DateField(source="valid_until", allow_null=True)
    ingetrokkenOp = UtcDateTime(source="withdrawn_at", allow_null=True)
    actief = serializers.BooleanField(source="is_active")

    class Meta:
        model = Consent
        fields = [
            "url",
            "id",
            "traject",
            "organisatie",
            "delen",
            "geldigVanaf",
            "geldigTot",
            "ingetrokkenOp",
            "actief",
        ]


class NietIngevuldSerializer(serializers.ModelSerializer[NotFilledIn]):
    url = serializers.HyperlinkedIdentityField(view_name="api:niet-ingevuld-detail")
    traject = _link("traject-detail", "trajectory")
    soort = serializers.ChoiceField(source="kind", choices=Measurement.Kind.choices)
    reden = serializers.ChoiceField(source="reason", choices=NotFilledIn.Reason.choices)
    toelichting = serializers.CharField(source="note")
    datum = serializers.DateField(source="recorded_on")

    class Meta:
        model = NotFilledIn
        fields = ["url", "id", "traject", "soort", "reden", "toelichting", "datum"]


class LeefgebiedSerializer(serializers.ModelSerializer[Domain]):
    code = serializers.CharField(source="key")
    positie = serializers.IntegerField(source="position")
    naam = serializers.CharField(source="label")
    uitleg = serializers.CharField(source="explanation")
    pictogram = serializers.CharField()

    class Meta:
        model = Domain
        fields = ["code", "positie", "naam", "uitleg", "pictogram"]
