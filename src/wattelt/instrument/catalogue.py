"""The default catalogue of 14 life domains (plain Dutch, English translation).

The real Wat telt card texts are Movisie's; organisations load their own through the
admin as a new catalogue version. This default set is what every organisation starts with.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from wattelt.organisations.models import Organisation

from . import catalogue_texts
from .models import Catalogue, Domain, Measurement

# key, Dutch label, English label, Dutch explanation, English explanation
DEFAULT_DOMAINS: list[tuple[str, str, str, str, str]] = [
    (
        "wonen",
        "Wonen",
        "Housing",
        "Een fijne en veilige plek om te wonen.",
        "A good and safe place to live.",
    ),
    (
        "geld",
        "Geld",
        "Money",
        "Genoeg geld om rond te komen, en grip op schulden.",
        "Enough money to get by, and a grip on debts.",
    ),
    (
        "werk",
        "Werk en dagbesteding",
        "Work and daytime activity",
        "Werk, vrijwilligerswerk of iets zinvols om overdag te doen.",
        "Work, volunteering or something worthwhile to do during the day.",
    ),
    (
        "school",
        "School en leren",
        "School and learning",
        "Naar school gaan, een opleiding volgen, nieuwe dingen leren.",
        "Going to school, taking a course, learning new things.",
    ),
    (
        "lichaam",
        "Lichamelijke gezondheid",
        "Physical health",
        "Hoe het met je lichaam gaat: gezond, fit, pijn of ziekte.",
        "How your body is doing: healthy, fit, pain or illness.",
    ),
    (
        "gevoel",
        "Hoe ik me voel",
        "Mental wellbeing",
        "Hoe je je voelt: rust, zorgen, somberheid of stress.",
        "How you feel: calm, worries, low mood or stress.",
    ),
    (
        "verslaving",
        "Alcohol, drugs en gokken",
        "Alcohol, drugs and gambling",
        "Drinken, gebruiken of gokken, en of het je in de weg zit.",
        "Drinking, using or gambling, and whether it gets in your way.",
    ),
    (
        "zelfzorg",
        "Zelfzorg en huishouden",
        "Self-care and household",
        "Voor jezelf zorgen: eten, wassen, opruimen, post.",
        "Taking care of yourself: meals, washing, tidying up, post.",
    ),
    (
        "relaties",
        "Gezin en relaties",
        "Family and relationships",
        "Je partner, familie en de mensen met wie je samenwoont.",
        "Your partner, family and the people you live with.",
    ),
    (
        "opvoeding",
        "Opvoeding",
        "Raising children",
        "Zorgen voor je kinderen en ze opvoeden.",
        "Caring for your children and bringing them up.",
    ),
    (
        "contacten",
        "Vrienden en contacten",
        "Friends and social contacts",
        "Mensen om mee te praten, op wie je kunt rekenen.",
        "People to talk to, people you can count on.",
    ),
    (
        "meedoen",
        "Meedoen en vrije tijd",
        "Taking part and leisure",
        "Hobby's, sport, clubs en meedoen in de buurt.",
        "Hobbies, sport, clubs and taking part in the neighbourhood.",
    ),
    (
        "veiligheid",
        "Veiligheid en justitie",
        "Safety and justice",
        "Je veilig voelen, thuis en buiten; politie of justitie.",
        "Feeling safe at home and outside; police or justice.",
    ),
    (
        "zingeving",
        "Zingeving",
        "Meaning",
        "Wat je energie geeft en waar je voor leeft.",
        "What gives you energy and what you live for.",
    ),
]


@transaction.atomic
def ensure_default_catalogue() -> Catalogue:
    """Create version 1 of the default catalogue unless it exists; never change it after."""
    catalogue, created = Catalogue.objects.get_or_create(
        organisation=None,
        version=1,
        defaults={"name": "Wat telt (standaard)", "published": True},
    )
    if created:
        domains = [
            Domain(
                catalogue=catalogue,
                key=key,
                position=position,
                labels={"nl": nl, "en": en},
                explanations={"nl": nl_text, "en": en_text},
                pictogram=key,
            )
            for position, (key, nl, en, nl_text, en_text) in enumerate(DEFAULT_DOMAINS, start=1)
        ]
        for domain in domains:
            add_default_translations(domain)
        Domain.objects.bulk_create(domains)
    return catalogue


def add_default_translations(domain: Any) -> bool:
    """Give a default card the languages and the young people's wording it lacks (the
    words it has stay: a measurement keeps the words it was made in); the added
    languages are marked for a native speaker's check. Also used by a migration, with
    its historical model. Whether anything was added."""
    key = domain.key
    if key not in catalogue_texts.LABELS:
        return False
    added: list[str] = []
    for code, label in catalogue_texts.LABELS[key].items():
        if not domain.labels.get(code):
            domain.labels = {**domain.labels, code: label}
            added.append(code)
        if not domain.explanations.get(code):
            text = catalogue_texts.EXPLANATIONS[key][code]
            domain.explanations = {**domain.explanations, code: text}
    changed = bool(added)
    if not domain.youth_labels:
        domain.youth_labels = dict(catalogue_texts.YOUTH_LABELS[key])
        domain.youth_explanations = dict(catalogue_texts.YOUTH_EXPLANATIONS[key])
        changed = True
    if domain.youth_position is None:
        domain.youth_position = catalogue_texts.YOUTH_POSITIONS[key]
        changed = True
    unchecked = [c for c in catalogue_texts.UNCHECKED if c not in domain.unchecked_languages]
    if unchecked:
        domain.unchecked_languages = [*domain.unchecked_languages, *unchecked]
        changed = True
    return changed


@transaction.atomic
def copy_as_new_version(catalogue: Catalogue, organisation: Organisation | None) -> Catalogue:
    """Start a new, unpublished version for the organisation from an existing one; edit
    it in the admin and publish it. Earlier measurements keep the version they used."""
    latest = Catalogue.objects.filter(organisation=organisation).order_by("-version").first()
    copy = Catalogue.objects.create(
        organisation=organisation,
        version=(latest.version + 1) if latest else 1,
        name=catalogue.name,
        published=False,
    )
    Domain.objects.bulk_create(
        Domain(
            catalogue=copy,
            key=d.key,
            position=d.position,
            labels=d.labels,
            explanations=d.explanations,
            pictogram=d.pictogram,
            youth_labels=d.youth_labels,
            youth_explanations=d.youth_explanations,
            youth_position=d.youth_position,
            unchecked_languages=d.unchecked_languages,
        )
        for d in catalogue.domains.all()
    )
    return copy


def is_in_use(catalogue: Catalogue) -> bool:
    return Measurement.objects.filter(catalogue=catalogue).exists()
