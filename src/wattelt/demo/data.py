"""Demo data: a municipality with 4 districts, an organisation with 3 teams, staff, and
about 60 residents with trajectories and 1-4 measurements each. Made through the same
services as the screens, so demo data obeys every rule."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from wattelt.feedback import demo as feedback_demo
from wattelt.guide import demo as guide_demo
from wattelt.implementation_plan import demo as plan_demo
from wattelt.instrument import services as instrument
from wattelt.instrument.catalogue import DEFAULT_DOMAINS, ensure_default_catalogue
from wattelt.instrument.forms import BoardParser
from wattelt.instrument.models import Measurement, NotFilledIn
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
GOALS = [
    "Ik wil mijn schulden op een rij hebben",
    "Ik wil weer een vaste dagbesteding",
    "Ik wil beter slapen en minder piekeren",
    "Ik wil dat mijn zoon weer naar school gaat",
    "Ik wil een keer per week iets met vrienden doen",
    "Ik wil mijn huis op orde hebben",
]


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
            data[f"goal-{n}-own_words"] = rng.choice(GOALS)
            data[f"goal-{n}-domains"] = key
            data[f"goal-{n}-first_step"] = "Samen een afspraak maken"
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
    for _ in range(residents_count):
        team = rng.choice(teams)
        professional = rng.choice(staff_by_team[team])
        young = rng.random() < 0.25
        born = today - dt.timedelta(
            days=rng.randint(12 * 365, 17 * 365) if young else rng.randint(19 * 365, 85 * 365)
        )
        resident = residents.register_resident(
            residents.ResidentInput(
                first_name=rng.choice(FIRST),
                last_name=rng.choice(LAST),
                date_of_birth=born,
                district=districts[rng.choice(list(team.districts.values_list("name", flat=True)))],
            ),
            professional,
        )
        started = today - dt.timedelta(days=rng.randint(20, 600))
        trajectory = residents.open_trajectory(resident, team, professional, started)
        _demo_measurements(rng, trajectory, professional, keys, started, today)
        # Demo activity happened on the measurement days, not at seeding time.
        last_day = max([started, *trajectory.measurements.values_list("measured_on", flat=True)])
        noon = dt.datetime.combine(last_day, dt.time(12), tzinfo=timezone.get_current_timezone())
        Trajectory.objects.filter(pk=trajectory.pk).update(last_activity_at=noon)
    # The implementation tools of each area, on top of the registrations above.
    screening_demo.seed(organisation)
    plan_demo.seed(organisation)
    feedback_demo.seed(organisation)
    guide_demo.seed(organisation)
    return True


def _demo_staff(username: str, organisation: Organisation, rng: random.Random) -> Staff:
    return Staff.objects.create_user(
        username=username,
        password=DEMO_PASSWORD,
        organisation=organisation,
        first_name=rng.choice(FIRST),
        last_name=rng.choice(LAST),
    )


def _demo_measurements(rng: random.Random, trajectory, professional, keys, started, today) -> None:  # type: ignore[no-untyped-def]
    if rng.random() < 0.1:
        instrument.record_not_filled_in(
            trajectory, professional, "start", rng.choice(["declined", "crisis", "not_appropriate"])
        )
        return
    day = started + dt.timedelta(days=rng.randint(0, 20))
    previous: dict[str, int] = {}
    for number in range(rng.randint(1, 4)):
        if day > today:
            break
        kind = "follow_up" if number else "start"
        draft = instrument.start_measurement(trajectory, professional, kind)
        review_ids = [g.pk for g in instrument.goals_to_review(draft)]
        post = board_post(rng, keys, day, draft.revision, previous, review_ids)
        data = BoardParser(post, list(draft.catalogue.domains.all())).parse()
        confirmed = instrument.confirm_measurement(draft, professional, data)
        previous = {
            c.domain.key: c.resident_chip or 0 for c in confirmed.choices.select_related("domain")
        }
        day += dt.timedelta(days=rng.randint(80, 120))
    if rng.random() < 0.1 and Measurement.objects.filter(trajectory=trajectory).exists():
        instrument.record_not_filled_in(
            trajectory, professional, "follow_up", NotFilledIn.Reason.OTHER, "Inwoner verhuisd"
        )
