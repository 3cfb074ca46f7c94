"""Demo FAQ entries for the demo organisation, added through the service."""

from __future__ import annotations

from django.db import transaction

from wattelt.organisations.models import Organisation, Role, Staff

from . import services
from .models import FaqEntry

ENTRIES = [
    (
        "Moet ik Wat telt bij elke inwoner invullen?",
        "Bij elke nieuwe inwoner met een ondersteuningsvraag, tenzij het niet past, "
        "bijvoorbeeld in een crisis of als de inwoner niet wil. Leg dan vast waarom het "
        "niet is ingevuld: dat telt ook mee.",
    ),
    (
        "Wat doe ik als de inwoner en ik het oneens zijn over een fiche?",
        "Leg je eigen fiche ernaast, in je eigen kleur. De kijk van de inwoner blijft "
        "staan; het verschil is een mooi begin van het gesprek.\n\n"
        "In de cijfers telt alleen de fiche van de inwoner.",
    ),
    (
        "Hoe vaak doe ik een vervolgmeting?",
        "Elke drie maanden zolang het traject loopt, en een eindmeting bij het afsluiten. "
        "Je ziet op je startpagina wanneer de volgende meting nodig is.",
    ),
    (
        "Waar vind ik meer over Wat telt?",
        "Bij Movisie: https://www.movisie.nl/wattelt . Vragen? Loop binnen bij de "
        "ambassadeur van je team.",
    ),
]


@transaction.atomic
def seed(organisation: Organisation) -> None:
    """Idempotent: nothing happens when the organisation has FAQ entries."""
    if FaqEntry.objects.filter(organisation=organisation).exists():
        return
    admin = (
        Staff.objects.filter(organisation=organisation, roles__name=Role.Name.ORGANISATION_ADMIN)
        .order_by("pk")
        .first()
    ) or Staff.objects.filter(organisation=organisation).order_by("pk").first()
    assert admin is not None, "the demo organisation has staff"
    for question, answer in ENTRIES:
        services.add_entry(organisation, admin, question, answer)
