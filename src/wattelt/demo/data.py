"""Demo data: a municipality with 4 districts, an organisation with 3 teams, staff, and
about 60 residents with trajectories and 1-4 measurements each. Made through the same
services as the screens, so demo data obeys every rule."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from wattelt.api import demo as api_demo
from wattelt.feedback import demo as feedback_demo
from wattelt.guide import demo as guide_demo
from wattelt.implementation.adoption import summary as adoption_summary
from wattelt.implementation_plan import demo as plan_demo
from wattelt.instrument import services as instrument
from wattelt.instrument.catalogue import DEFAULT_DOMAINS, ensure_default_catalogue
from wattelt.instrument.forms import BoardParser
from wattelt.instrument.models import Measurement, NotFilledIn
from wattelt.monitoring import summary as monitoring_summary
from wattelt.organisations.models import (
    District,
    Membership,
    Municipality,
    Organisation,
    Role,
    Staff,
    Team,
)
from wattelt.residents import services as residents
from wattelt.residents.models import Trajectory
from wattelt.screening import demo as screening_demo

DEMO_PASSWORD = "wattelt-demo-2026"
DISTRICTS = ["Centrum", "Noord", "Oost", "Zuid-West"]
TEAMS = {
    "Wijkteam Centrum": ["Centrum"],
    "Wijkteam Noord-Oost": ["Noord", "Oost"],
    "Wijkteam Zuid-West": ["Zuid-West"],
}
FIRST = [
    "Anna",
    "Bram",
    "Chaima",
    "Daan",
    "Eva",
    "Fatima",
    "Gijs",
    "Hanna",
    "Ibrahim",
    "Joost",
    "Kim",
    "Lars",
    "Mila",
    "Noah",
    "Olga",
    "Pieter",
    "Qadira",
    "Ruben",
    "Sanne",
    "Tim",
]
LAST = [
    "de Vries",
    "Jansen",
    "Bakker",
    "Yilmaz",
    "Visser",
    "Smit",
    "El Amrani",
    "Mulder",
    "de Boer",
    "Kowalski",
    "Meijer",
    "Bos",
    "Hoekstra",
    "Dekker",
    "van Dijk",
]
# Goals in the resident's own words, each with a first step, for the life domain it is
# about: a professional recognises them (a debt goal on Geld, not on Alcohol).
GOALS: dict[str, list[tuple[str, str]]] = {
    "wonen": [
        ("Ik wil een huis waar ik me veilig voel", "Samen inschrijven bij de woningcorporatie"),
        ("Ik wil niet uit mijn huis gezet worden", "Huurachterstand bespreken met de verhuurder"),
    ],
    "geld": [
        ("Ik wil mijn schulden op een rij hebben", "Alle post en rekeningen samen sorteren"),
        ("Ik wil elke maand rondkomen", "Samen een weekbudget maken"),
    ],
    "werk": [
        ("Ik wil weer een vaste dagbesteding", "Kennismaken bij het buurtcentrum"),
        ("Ik wil vrijwilligerswerk doen", "Vacatures van het vrijwilligerspunt bekijken"),
    ],
    "school": [
        ("Ik wil dat mijn zoon weer naar school gaat", "Gesprek met de leerplichtambtenaar"),
        ("Ik wil beter Nederlands leren", "Aanmelden bij het Taalhuis in de bibliotheek"),
    ],
    "lichaam": [
        ("Ik wil weer zonder pijn naar de winkel lopen", "Afspraak maken bij de huisarts"),
        ("Ik wil gezonder eten", "Samen een boodschappenlijst maken"),
    ],
    "gevoel": [
        ("Ik wil beter slapen en minder piekeren", "Afspraak bij de praktijkondersteuner ggz"),
        ("Ik wil me minder somber voelen", "Elke dag een korte wandeling maken"),
    ],
    "verslaving": [
        ("Ik wil minder drinken", "Een week bijhouden hoeveel ik drink"),
        ("Ik wil stoppen met gokken", "Contact opnemen met de verslavingszorg"),
    ],
    "zelfzorg": [
        ("Ik wil mijn huis op orde hebben", "Samen een schoonmaakrooster maken"),
        ("Ik wil zelf mijn boodschappen kunnen doen", "Met de buurvrouw een keer samen gaan"),
    ],
    "relaties": [
        ("Ik wil minder ruzie thuis", "Een gesprek met ons tweeën plannen"),
        ("Ik wil weer contact met mijn dochter", "Een kaartje sturen voor haar verjaardag"),
    ],
    "opvoeding": [
        ("Ik wil rustigere ochtenden met de kinderen", "Een vast ochtendritme afspreken"),
        ("Ik wil grenzen kunnen stellen bij mijn puber", "Aanmelden voor de oudercursus"),
    ],
    "contacten": [
        ("Ik wil een keer per week iets met vrienden doen", "Uitzoeken wat er in de wijk is"),
        ("Ik wil minder alleen zijn", "Meegaan naar de koffieochtend in het buurthuis"),
    ],
    "meedoen": [
        ("Ik wil weer naar de sportclub", "Een bijdrage aanvragen bij het Jeugdfonds Sport"),
        ("Ik wil meedoen met activiteiten in de buurt", "De wijkkrant samen doorlezen"),
    ],
    "veiligheid": [
        ("Ik wil me thuis weer veilig voelen", "Samen een veiligheidsplan maken"),
        ("Ik wil mijn boetes afbetalen", "Een betalingsregeling aanvragen bij het CJIB"),
    ],
    "zingeving": [
        ("Ik wil weer iets hebben waar ik naar uitkijk", "Opschrijven wat me vroeger blij maakte"),
    ],
}
FALLBACK_GOAL = ("Ik wil dat het op dit gebied beter gaat", "Samen een eerste stap kiezen")


def board_post(
    rng: random.Random,
    keys: list[str],
    day: dt.date,
    revision: int,
    previous: dict[str, int],
    review_goal_ids: list[int],
) -> QueryDict:
    data = QueryDict(mutable=True)
    data["measured_on"] = day.isoformat()
    data["revision"] = str(revision)
    data["quality_of_life"] = str(rng.randint(3, 9))
    chosen = rng.sample(keys, rng.randint(3, 7))
    for key in chosen:
        data.appendlist("chosen", key)
        base = previous.get(key, rng.randint(5, 95))
        data[f"chip-resident-{key}"] = str(max(0, min(100, base + rng.randint(-15, 30))))
        if rng.random() < 0.3:
            data[f"placed-professional-{key}"] = "on"
            data[f"chip-professional-{key}"] = str(rng.randint(0, 100))
    for n, key in enumerate(rng.sample(chosen, min(2, len(chosen)))):
        data.appendlist("priority", key)
        if rng.random() < 0.7:
            own_words, first_step = rng.choice(GOALS.get(key, [FALLBACK_GOAL]))
            data[f"goal-{n}-own_words"] = own_words
            data[f"goal-{n}-domains"] = key
            data[f"goal-{n}-first_step"] = first_step
    for goal_id in review_goal_ids:
        data[f"review-{goal_id}-status"] = rng.choice(["achieved", "partly", "not_achieved"])
    return data


# The organisation-wide roles, one demo account each.
ROLE_USERS = {
    "kwaliteit": Role.Name.QUALITY_OFFICER,
    "organisatiebeheer": Role.Name.ORGANISATION_ADMIN,
    "privacy": Role.Name.PRIVACY_OFFICER,
    "analist": Role.Name.MUNICIPALITY_ANALYST,
}


@transaction.atomic
def seed_demo(residents_count: int = 240, seed: int = 7) -> bool:
    """Create the demo organisation unless it exists; True when created."""
    ensure_default_catalogue()
    if Municipality.objects.filter(name="Gemeente Voorbeeld").exists():
        return False
    rng = random.Random(seed)
    municipality = Municipality.objects.create(name="Gemeente Voorbeeld")
    districts = {n: District.objects.create(municipality=municipality, name=n) for n in DISTRICTS}
    organisation = Organisation.objects.create(
        municipality=municipality, name="Sociale Wijkteams Voorbeeld"
    )
    staff_by_team: dict[Team, list[Staff]] = {}
    for number, (team_name, district_names) in enumerate(TEAMS.items(), start=1):
        team = Team.objects.create(organisation=organisation, name=team_name)
        team.districts.set([districts[n] for n in district_names])
        staff_by_team[team] = []
        for role, username in [
            ("professional", f"professional{number}a"),
            ("professional", f"professional{number}b"),
            ("teamcoach", f"coach{number}"),
        ]:
            user = _demo_staff(username, organisation, rng)
            Membership.objects.create(staff=user, team=team, role=role)
            if role == "professional":
                staff_by_team[team].append(user)
    for username, role in ROLE_USERS.items():
        user = _demo_staff(username, organisation, rng)
        Role.objects.create(staff=user, name=role)
    Staff.objects.create_superuser(
        username="beheer", password=DEMO_PASSWORD, email="", organisation=organisation
    )
    # Demo accounts get an authenticator already; `manage.py demo_code <user>` shows the code.
    TOTPDevice.objects.bulk_create(
        TOTPDevice(user=user, name="demo", confirmed=True) for user in Staff.objects.all()
    )
    keys = [key for key, *_ in DEFAULT_DOMAINS]
    today = timezone.localdate()
    teams = list(staff_by_team)
    # The two summaries derived once for all trajectories, not after each write (which
    # took half of the seed's time); the same rows either way.
    with monitoring_summary.deferred(), adoption_summary.deferred():
        for _ in range(residents_count):
            team = rng.choice(teams)
            _demo_trajectory(rng, team, rng.choice(staff_by_team[team]), keys, today)
        _specialist_organisation(rng, municipality, keys, today)
    # The implementation tools of each area, on top of the registrations above.
    screening_demo.seed(organisation)
    plan_demo.seed(organisation)
    feedback_demo.seed(organisation)
    guide_demo.seed(organisation)
    api_demo.seed(organisation)
    return True


def _demo_staff(username: str, organisation: Organisation, rng: random.Random) -> Staff:
    return Staff.objects.create_user(
        username=username,
        password=DEMO_PASSWORD,
        organisation=organisation,
        first_name=rng.choice(FIRST),
        last_name=rng.choice(LAST),
    )


# How long ago trajectories started: most in the last half year, a few long ones.
START_SPREAD = [((0, 30), 15), ((30, 180), 45), ((180, 400), 30), ((400, 700), 10)]
CLOSING = [
    (Trajectory.ClosingReason.GOALS_REACHED, 45),
    (Trajectory.ClosingReason.REFERRED, 20),
    (Trajectory.ClosingReason.RESIDENT_STOPPED, 15),
    (Trajectory.ClosingReason.MOVED, 10),
    (Trajectory.ClosingReason.NO_CONTACT, 10),
]


def _weighted(rng: random.Random, choices: list[tuple[Any, int]]) -> Any:
    return rng.choices([c for c, _w in choices], weights=[w for _c, w in choices])[0]


def _demo_trajectory(
    rng: random.Random, team: Team, professional: Staff, keys: list[str], today: dt.date
) -> Trajectory:
    """A resident of one of the team's districts, a trajectory started at a realistic
    moment, measured about every three months, and closed when it ran its course."""
    young = rng.random() < 0.25
    born = today - dt.timedelta(
        days=rng.randint(12 * 365, 17 * 365) if young else rng.randint(19 * 365, 85 * 365)
    )
    districts = list(team.districts.all())
    resident = residents.register_resident(
        residents.ResidentInput(
            first_name=rng.choice(FIRST),
            last_name=rng.choice(LAST),
            date_of_birth=born,
            district=rng.choice(districts),
        ),
        professional,
    )
    low, high = _weighted(rng, START_SPREAD)
    started = today - dt.timedelta(days=rng.randint(low, high))
    trajectory = residents.open_trajectory(resident, team, professional, started)
    _demo_measurements(rng, trajectory, professional, keys, started, today)
    days = [started, *trajectory.measurements.values_list("measured_on", flat=True)]
    last_day = max(days)
    # Trajectories that ran their course are closed, a few weeks after the last talk.
    if (today - started).days > 270 and rng.random() < 0.75:
        ended = min(today, last_day + dt.timedelta(days=rng.randint(7, 40)))
        residents.close_trajectory(trajectory, professional, _weighted(rng, CLOSING), "", ended)
        last_day = ended
    # Demo activity happened on the measurement days, not at seeding time.
    noon = dt.datetime.combine(last_day, dt.time(12), tzinfo=timezone.get_current_timezone())
    Trajectory.objects.filter(pk=trajectory.pk).update(last_activity_at=noon)
    trajectory.refresh_from_db()
    return trajectory


SPECIALIST = "Schuldhulp Voorbeeld"
SPECIALIST_TEAM = "Schuldhulpverlening"
SPECIALIST_USER = "schuldhulp1"


def _specialist_organisation(
    rng: random.Random, municipality: Municipality, keys: list[str], today: dt.date
) -> None:
    """A debt-help organisation: some residents of the wijkteams agreed that it sees
    their plan and goals (not the board), so the shared plan can be shown."""
    organisation = Organisation.objects.create(municipality=municipality, name=SPECIALIST)
    team = Team.objects.create(organisation=organisation, name=SPECIALIST_TEAM)
    team.districts.set(District.objects.filter(municipality=municipality))
    specialist = _demo_staff(SPECIALIST_USER, organisation, rng)
    Membership.objects.create(staff=specialist, team=team, role=Membership.Role.PROFESSIONAL)
    TOTPDevice.objects.create(user=specialist, name="demo", confirmed=True)
    for _ in range(6):
        _demo_trajectory(rng, team, specialist, keys, today)
    with_money_goal = (
        Trajectory.objects.open()
        .filter(goals__domains__key="geld")
        .exclude(team=team)
        .select_related("team", "responsible")
        .distinct()
        .order_by("pk")[:12]
    )
    for trajectory in with_money_goal:
        residents.record_consent(
            trajectory,
            trajectory.responsible,
            residents.ConsentInput(
                organisation=organisation,
                share_plan=True,
                share_goals=True,
                share_measurements=False,
                valid_from=max(
                    trajectory.started_on, today - dt.timedelta(days=rng.randint(0, 60))
                ),
                note="Inwoner wil dat de schuldhulpverlener meekijkt met het plan.",
            ),
        )


def _demo_measurements(  # type: ignore[no-untyped-def]
    rng: random.Random, trajectory, professional, keys, started, today
) -> None:
    age = (today - started).days
    if (age < 10 and rng.random() < 0.5) or (10 <= age < 45 and rng.random() < 0.15):
        return  # the start measurement is still to come (or late)
    if rng.random() < 0.08:
        instrument.record_not_filled_in(
            trajectory, professional, "start", rng.choice(["declined", "crisis", "not_appropriate"])
        )
        return
    day = started + dt.timedelta(days=rng.randint(0, 12))
    previous: dict[str, int] = {}
    for number in range(4):
        if day > today or (number and rng.random() < 0.12):
            break  # a follow-up that did not happen (yet): due or overdue
        kind = "follow_up" if number else "start"
        draft = instrument.start_measurement(trajectory, professional, kind)
        review_ids = [g.pk for g in instrument.goals_to_review(draft)]
        post = board_post(rng, keys, day, draft.revision, previous, review_ids)
        data = BoardParser(post, list(draft.catalogue.domains.all())).parse()
        confirmed = instrument.confirm_measurement(draft, professional, data)
        previous = {
            c.domain.key: c.resident_chip or 0 for c in confirmed.choices.select_related("domain")
        }
        day += dt.timedelta(days=rng.randint(75, 100))
    if rng.random() < 0.05 and Measurement.objects.filter(trajectory=trajectory).exists():
        instrument.record_not_filled_in(
            trajectory, professional, "follow_up", NotFilledIn.Reason.OTHER, "Inwoner verhuisd"
        )
