"""A realistic example plan for the demo organisation, made through the same services as
the screens: version 1 as first agreed, version 2 after the first evaluation. The
content follows the implementation guide (Implementatiewijzer Wat telt) and its
examples from Eindhoven and Utrecht."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from wattelt.organisations.models import Organisation, Role, Staff

from . import services
from .models import ImplementationPlan, Phase, PlanGoal, PlanVersion, TargetGroup

MEMBERS = [
    ("Manager kwaliteit en veiligheid", "projectleider: overzicht, aanspreekpunt, bewaakt doelen"),
    ("Teamleider Wijkteam Noord", "inhoudelijke kennis van de uitvoering"),
    ("Wijkteamprofessional Noord", "ambassadeur; haalt feedback op in de teams"),
    ("Wijkteamprofessional Zuid", "ambassadeur; kritische blik uit de pilot"),
    ("Communicatieadviseur", "kernboodschap, nieuwsbrief en intranet"),
    ("Kwaliteitsmedewerker", "dossierscreening en cijfers"),
]

CURRENT_PRACTICE = (
    "De professionals werken nu met de zelfredzaamheidsmatrix (ZRM): de professional "
    "beoordeelt de situatie en draagt oplossingen aan. Met Wat telt staat de beleving van "
    "de inwoner centraal; de inwoner kiest de leefgebieden en formuleert zelf de doelen.\n"
    "Voortgang wordt nu niet systematisch gevolgd: er is geen vervolgmeting. Veel "
    "professionals gebruiken de papieren versie en registreren die daarna niet, omdat dat "
    "als dubbel werk voelt ('registratieallergie').\n"
    "Voor de implementatie betekent dit: een andere gesprekshouding (aansluiten in plaats "
    "van oplossen), het digitale bord als gespreksinstrument zodat er niets dubbel hoeft, "
    "en afspraken over wanneer een start-, vervolg- en eindmeting gedaan wordt."
)

OPPORTUNITIES = """Wat telt sluit aan bij onze visie: de inwoner aan het roer
Een groep koplopers uit de pilot wil ambassadeur zijn
De gemeente wil de resultaten per wijk zien en financiert de training
Het digitale bord is het gespreksinstrument: geen dubbele registratie
Herinneringen in het systeem voor vervolgmetingen"""

THREATS = """Registratieallergie: 'registreren om het registreren'
Weerstand bij een deel van de professionals tegen een nieuw instrument
Hoge werkdruk en personeelswisselingen in twee teams
Teamleiders sturen (nog) niet op het gebruik
Inwoners zijn gewend dat de hulpverlener oplossingen aandraagt"""

EVALUATION = (
    "Elk kwartaal bespreekt de projectgroep de voortgang op de implementatiedoelen met de "
    "cijfers uit Wat telt (startmetingen, vervolgmetingen op tijd).\n"
    "De ambassadeurs halen in het werkoverleg feedback op bij de professionals: wordt Wat "
    "telt gebruikt, waarom wel of niet, wat gaat goed, wat zijn belemmeringen?\n"
    "Twee keer per jaar screent de kwaliteitsmedewerker een steekproef van dossiers: zijn "
    "de doelen echt van de inwoner? De bevindingen worden met de professionals besproken.\n"
    "Met een korte vragenlijst vragen we inwoners hoe zij het gesprek met Wat telt ervaren.\n"
    "Per fase (weten, begrijpen, willen, kunnen gebruiken, blijven gebruiken) kijken we waar "
    "extra inzet nodig is en passen we het plan aan."
)

GROUPS = [
    "Professionals",
    "Inwoners",
    "Directie/bestuur/management",
    "Opdrachtgever/financier (gemeente)",
]

MATRIX = {
    ("Professionals", Phase.KNOW): [
        "Kernboodschap over het waarom in nieuwsbrief en op intranet",
        "Ambassadeurs vertellen in het teamoverleg over de pilot",
    ],
    ("Professionals", Phase.UNDERSTAND): [
        "Beknopte handleiding en voorlichtingsfilmpje",
        "Presentatie over het verschil met de ZRM",
    ],
    ("Professionals", Phase.WANT): [
        "Interactieve bijeenkomst waarin weerstand serieus besproken wordt",
        "Zelf uitproberen met een collega",
    ],
    ("Professionals", Phase.ABLE): [
        "Training in groepen van 8-12 met rollenspel",
        "Workshop SMART vragen stellen bij doelen",
        "Vragenuurtje van het instructieteam",
    ],
    ("Professionals", Phase.KEEP): [
        "Wat telt in werkoverleg, intervisie en jaargesprekken",
        "Inwerkprogramma voor nieuwe collega's",
        "Cijfers per wijk bespreken in het team",
    ],
    ("Inwoners", Phase.KNOW): ["Informatie over Wat telt in de folder en op de website"],
    ("Inwoners", Phase.UNDERSTAND): ["Voorlichtingsfilmpje voor inwoners"],
    ("Inwoners", Phase.WANT): ["Inwoners vertellen in testimonials wat het hun opleverde"],
    ("Inwoners", Phase.KEEP): ["Korte vragenlijst na het gesprek"],
    ("Directie/bestuur/management", Phase.UNDERSTAND): [
        "Presentatie in het MT: wat levert Wat telt op als monitoringsinstrument"
    ],
    ("Directie/bestuur/management", Phase.WANT): ["Wat telt opnemen in visie en beleidsplan"],
    ("Directie/bestuur/management", Phase.KEEP): [
        "Wat telt in het managementsturingssysteem en de rapportages"
    ],
    ("Opdrachtgever/financier (gemeente)", Phase.KNOW): ["Kennismaking met de wethouder"],
    ("Opdrachtgever/financier (gemeente)", Phase.KEEP): [
        "Afspraken over de kwartaalrapportage per wijk"
    ],
}


def _planning(year: int) -> list[services.PlanningInput]:
    rows = [
        (1, "Startbijeenkomst met ambassadeurs", "Projectleider", "2500"),
        (1, "Nieuwsbrief en intranetpagina", "Communicatieadviseur", "0"),
        (1, "Training instructieteam", "Kwaliteitsmedewerker", "3200"),
        (2, "Trainingen voor alle professionals (6 groepen)", "Instructieteam", "7800"),
        (2, "Voorlichtingsfilmpje professionals en inwoners", "Communicatieadviseur", "4500"),
        (3, "Workshop doelen stellen", "Instructieteam", "1800"),
        (3, "Eerste dossierscreening", "Kwaliteitsmedewerker", "0"),
        (4, "Evaluatie met professionals en inwoners", "Projectgroep", "600"),
        (4, "Opfrisactie met posters en stickers", "Ambassadeurs", "350"),
    ]
    return [
        services.PlanningInput(year, q, activity, owner, Decimal(cost))
        for q, activity, owner, cost in rows
    ]


def _editor(organisation: Organisation) -> Staff | None:
    return (
        Staff.objects.filter(
            organisation=organisation,
            roles__name__in=[Role.Name.QUALITY_OFFICER, Role.Name.ORGANISATION_ADMIN],
        )
        .order_by("roles__name", "pk")
        .first()
    )


@transaction.atomic
def seed(organisation: Organisation) -> None:
    """The example plan, unless the organisation has a plan already (idempotent)."""
    by = _editor(organisation)
    if by is None or ImplementationPlan.objects.filter(organisation=organisation).exists():
        return
    today = timezone.localdate()
    _first_version(organisation, by, started=today - dt.timedelta(days=150))
    _after_first_evaluation(organisation, by, today)


def _first_version(organisation: Organisation, by: Staff, started: dt.date) -> None:
    """The plan as agreed five months ago; its goals count from then."""
    year = started.year
    draft = services.start_draft(organisation, by)
    draft = services.save_members(draft, by, [services.MemberInput(n, r) for n, r in MEMBERS])
    draft = services.save_texts(draft, by, "analyse", {"current_practice": CURRENT_PRACTICE})
    draft = services.save_goals(
        draft,
        by,
        [
            services.GoalInput(
                "Over een half jaar hebben alle professionals de training gevolgd en voelen "
                "zij zich in staat Wat telt te gebruiken.",
                target_date=started + dt.timedelta(days=182),
            ),
            services.GoalInput(
                "80% van de nieuwe trajecten heeft binnen 30 dagen een startmeting.",
                "start_within_14_days",
                Decimal(80),
                started + dt.timedelta(days=365),
            ),
            services.GoalInput(
                "70% van de vervolgmetingen wordt op tijd gedaan.",
                "follow_up_on_time",
                Decimal(70),
                started + dt.timedelta(days=365),
            ),
        ],
    )
    draft = services.save_target_groups(
        draft, by, [services.TargetGroupInput(name, g.key) for name, g in _groups(draft)]
    )
    draft = services.save_texts(
        draft, by, "kansen", {"opportunities": OPPORTUNITIES, "threats": THREATS}
    )
    keys = {g.name: str(g.key) for g in draft.target_groups.all()}
    draft = services.save_matrix(
        draft, by, {(keys[group], phase.value): texts for (group, phase), texts in MATRIX.items()}
    )
    draft = services.save_texts(draft, by, "evaluatie", {"evaluation": EVALUATION})
    draft = services.save_planning(draft, by, _planning(year))
    PlanGoal.objects.filter(version=draft).update(set_on=started)
    first = services.publish(draft, by, None, "Vastgesteld door de projectgroep.")
    PlanVersion.objects.filter(pk=first.pk).update(
        published_at=timezone.now() - dt.timedelta(days=150)
    )


def _after_first_evaluation(organisation: Organisation, by: Staff, today: dt.date) -> None:
    """One goal sharpened, one added, an activity for team coaches."""
    draft = services.start_draft(organisation, by)
    goals = [
        services.GoalInput(g.description, g.indicator_key, g.target, g.target_date, g.key)
        for g in draft.goals.all()
    ]
    goals.append(
        services.GoalInput(
            "Gemiddeld staat er bij elke meting minstens één doel in de woorden van de inwoner.",
            "goals_per_measurement",
            Decimal(1),
            today + dt.timedelta(days=180),
        )
    )
    draft = services.save_goals(draft, by, goals)
    groups = [services.TargetGroupInput(g.name, g.key) for g in draft.target_groups.all()]
    groups.append(services.TargetGroupInput("Teamcoaches"))
    draft = services.save_target_groups(draft, by, groups)
    coaches = draft.target_groups.get(name="Teamcoaches")
    cells: dict[tuple[str, str], list[str]] = {}
    for activity in draft.activities.select_related("target_group"):
        cells.setdefault((str(activity.target_group.key), activity.phase), []).append(activity.text)
    cells[(str(coaches.key), Phase.KEEP.value)] = [
        "Sturen op gebruik: 'Hoe komt het dat je Wat telt niet gebruikt?'"
    ]
    draft = services.save_matrix(draft, by, cells)
    services.publish(
        draft, by, None, "Bijgesteld na de eerste evaluatie: teamcoaches als doelgroep."
    )


def _groups(draft: PlanVersion) -> list[tuple[str, TargetGroup]]:
    """The guide's four target groups, named as in its format."""
    return list(zip(GROUPS, draft.target_groups.all(), strict=True))
