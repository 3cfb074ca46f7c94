"""Demo questionnaires for the demo organisation, with some answers so the results page
shows both a summary and a suppressed one ("<10"). Made through the services."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from wattelt.organisations.models import Membership, Organisation, Role, Staff

from . import services
from .models import FeedbackLink, Question, Questionnaire

RESIDENT_TITLE = "Hoe was het gesprek met Wat telt?"
PROFESSIONAL_TITLE = "Werken met Wat telt"

RESIDENT_QUESTIONS = [
    services.QuestionInput("Ik kon vertellen wat voor mij belangrijk is."),
    services.QuestionInput("Het bord hielp mij om te laten zien hoe het gaat."),
    services.QuestionInput("De doelen in mijn plan zijn echt van mij."),
    services.QuestionInput("Wat kan er beter?", Question.Kind.OPEN, required=False),
]
PROFESSIONAL_QUESTIONS = [
    services.QuestionInput("Wat telt helpt mij om de inwoner in de regie te zetten."),
    services.QuestionInput("Het invullen kost mij niet meer tijd dan vroeger."),
    services.QuestionInput("Ik weet hoe ik doelen concreet maak met vragen."),
    services.QuestionInput("Welke tip heb je voor collega's?", Question.Kind.OPEN, required=False),
]
TIPS = [
    "Meer tijd voor het gesprek",
    "Fijn dat ik zelf de fiches mocht leggen",
    "De plaatjes hielpen",
    "Graag het plan op papier",
    "",
]


def _staff(organisation: Organisation) -> tuple[Staff, Staff]:
    admin = Staff.objects.filter(
        organisation=organisation, roles__name=Role.Name.ORGANISATION_ADMIN
    ).first()
    professional = Staff.objects.filter(
        memberships__team__organisation=organisation,
        memberships__role=Membership.Role.PROFESSIONAL,
    ).first()
    fallback = Staff.objects.filter(organisation=organisation).first()
    assert fallback is not None, "the demo organisation has staff"
    return admin or fallback, professional or fallback


@transaction.atomic
def seed(organisation: Organisation) -> None:
    """Idempotent: nothing happens when the demo questionnaires exist."""
    if Questionnaire.objects.filter(organisation=organisation, title=RESIDENT_TITLE).exists():
        return
    admin, professional = _staff(organisation)
    opened = timezone.localdate() - dt.timedelta(days=120)
    resident = services.create_questionnaire(
        organisation,
        admin,
        services.QuestionnaireInput(
            RESIDENT_TITLE,
            Questionnaire.Audience.RESIDENT,
            anonymous=True,
            opens_on=opened,
            introduction="Een paar korte vragen over het gesprek. Je antwoorden zijn anoniem.",
        ),
        RESIDENT_QUESTIONS,
    )
    services.create_questionnaire(
        organisation,
        admin,
        services.QuestionnaireInput(
            PROFESSIONAL_TITLE,
            Questionnaire.Audience.PROFESSIONAL,
            anonymous=True,
            opens_on=opened,
            repeat=Questionnaire.Repeat.QUARTER,
        ),
        PROFESSIONAL_QUESTIONS,
    )
    rng = random.Random(5)
    questions = list(resident.questions.all())
    # Twelve residents answered: enough for a summary this quarter.
    for _ in range(12):
        token = services.hand_out(resident, professional, FeedbackLink.Channel.LINK)
        raw: dict[str, object] = {
            f"q{q.pk}": rng.choice(TIPS) if q.kind == Question.Kind.OPEN else rng.randint(3, 5)
            for q in questions
        }
        services.answer_with_link(token, raw)
