"""A large synthetic data set for benchmarks, bulk-loaded into PostgreSQL with COPY.

    bin/with-postgres env WATTELT_DEBUG=1 .venv/bin/python -m bench.generate --residents 100000

The schema comes from the migrations and the domains from the default catalogue; all
other rows are written with COPY (psycopg 3) in chunks of residents, never through the
ORM. Per 100,000 residents: 1 municipality, 20 districts, 2 organisations with 20 teams
each, 400 professionals (10% also in a second team), 40 team coaches, about 125,000
trajectories (one in four residents has an earlier, closed one; a third of the current
ones are closed), about 328,000 measurements (1-5 confirmed per trajectory, a few fresh
trajectories without any, 2,000 open drafts, 1% corrected, so superseded versions too),
4-6 chosen domains per measurement, 207,000 goals with their domains and reviews, and
measurements not filled in. Trajectory.measurement_due_on and last_activity_at are
filled in as the services would. Refuses a database that already holds staff or
residents unless --reset. Secondary indexes are dropped for the load and rebuilt after
it; foreign-key triggers are skipped when the user may (superuser) and every foreign key
is checked afterwards instead.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import queue
import random
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from psycopg import Cursor, sql

from wattelt.demo import data as demo
from wattelt.instrument.catalogue import ensure_default_catalogue
from wattelt.instrument.models import GOAL_TEXT_FIELDS
from wattelt.residents.services import add_months

DEFAULT_RESIDENTS = 100_000
CHUNK_RESIDENTS = 5_000
PROGRESS_RESIDENTS = 100_000
YEARS = 8  # closed trajectories end in the last 8 years (the earliest start ~9 years ago)
DISTRICT_COUNT = 20
TEAMS_PER_ORGANISATION = 20  # one team per district in each organisation: 40 teams
MAX_PROFESSIONALS = 400
RESIDENTS_PER_PROFESSIONAL = 250
UNUSABLE_PASSWORD = "!bench-no-login"

DISTRICTS = [
    "Binnenstad",
    "Noord",
    "Oost",
    "Zuid",
    "West",
    "Overvecht",
    "Kanaleneiland",
    "Lunetten",
    "Hoograven",
    "Zuilen",
    "Ondiep",
    "Tuinwijk",
    "Wittevrouwen",
    "Lombok",
    "Oog in Al",
    "Leidsche Rijn",
    "Vleuten",
    "De Meern",
    "Terwijde",
    "Rijnsweerd",
]
# Organisation name and the word its teams go by.
ORGANISATIONS = [("Sociaal Wijkteam Stad", "Wijkteam"), ("Buurtteams Jeugd en Gezin", "Buurtteam")]
FIRST_NAMES = [
    *demo.FIRST,  # the demo's names, and more for a large data set
    "Umut",
    "Vera",
    "Wim",
    "Xander",
    "Yara",
    "Zeynep",
    "Ahmed",
    "Bas",
    "Cor",
    "Dewi",
    "Emre",
    "Fleur",
    "Gert",
    "Hatice",
    "Iris",
    "Jan",
    "Karim",
    "Lotte",
    "Mohamed",
    "Nina",
    "Omar",
    "Petra",
    "Rik",
    "Sofie",
    "Thijs",
]
LAST_NAMES = [
    *demo.LAST,  # the demo's names, and more for a large data set
    "de Jong",
    "van den Berg",
    "Bouzid",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dijkstra",
    "Öztürk",
    "Koster",
    "Willems",
    "Prins",
    "Kaya",
    "Vermeulen",
    "Brouwer",
    "Verhoeven",
]
GOALS = [
    "Ik wil mijn schulden op een rij hebben",
    "Ik wil weer een vaste dagbesteding",
    "Ik wil beter slapen en minder piekeren",
    "Ik wil dat mijn zoon weer naar school gaat",
    "Ik wil een keer per week iets met vrienden doen",
    "Ik wil mijn huis op orde hebben",
    "Ik wil zelf mijn post bijhouden",
    "Ik wil minder drinken in het weekend",
    "Ik wil een rustige plek om te wonen",
    "Ik wil weer contact met mijn dochter",
]
FIRST_STEPS = [
    "Samen een afspraak maken bij de schuldhulp",
    "Alle post in één map verzamelen",
    "Een keer meegaan naar het buurthuis",
    "Bellen met de school van de kinderen",
    "Een afspraak maken met de huisarts",
]
CARER_RELATIONS = ["partner", "moeder", "dochter", "buurman", "zus"]
REVIEW_STATUSES = ["partly", "not_achieved", "achieved", "not_applicable"]
REVIEW_WEIGHTS = [35, 20, 35, 10]
FINISHED = {"achieved", "not_applicable"}
CLOSING_REASONS = ["goals_reached", "referred", "resident_stopped", "moved", "no_contact"]
NOT_FILLED_REASONS = ["declined", "not_appropriate", "crisis", "ended_early"]
MEASUREMENT_COUNTS = [1, 2, 3, 4, 5]
MEASUREMENT_WEIGHTS = [22, 28, 25, 15, 10]
GOAL_TEXTS = [name for name in GOAL_TEXT_FIELDS if name != "own_words"]

# The tables this module fills, in load order, with their COPY columns.
COLUMNS: dict[str, tuple[str, ...]] = {
    "organisations_municipality": ("id", "name"),
    "organisations_district": ("id", "name", "municipality_id"),
    "organisations_organisation": (
        "id",
        "name",
        "follow_up_interval_months",
        "start_measurement_grace_days",
        "municipality_id",
    ),
    "organisations_team": ("id", "name", "organisation_id"),
    "organisations_team_districts": ("id", "team_id", "district_id"),
    "organisations_staff": (
        "id",
        "password",
        "last_login",
        "is_superuser",
        "username",
        "first_name",
        "last_name",
        "email",
        "is_staff",
        "is_active",
        "date_joined",
        "organisation_id",
    ),
    "organisations_membership": ("id", "role", "staff_id", "team_id"),
    "residents_resident": (
        "id",
        "first_name",
        "last_name",
        "date_of_birth",
        "bsn",
        "phone",
        "email",
        "registered_at",
        "district_id",
        "organisation_id",
        "registered_by_id",
    ),
    "residents_trajectory": (
        "id",
        "started_on",
        "ended_on",
        "closing_reason",
        "closing_note",
        "measurement_due_on",
        "last_activity_at",
        "next_appointment",
        "resident_id",
        "responsible_id",
        "team_id",
    ),
    "instrument_measurement": (
        "id",
        "kind",
        "status",
        "measured_on",
        "quality_of_life",
        "carer_relation",
        "revision",
        "created_at",
        "updated_at",
        "confirmed_at",
        "version",
        "correction_reason",
        "snapshot",
        "catalogue_id",
        "confirmed_by_id",
        "corrects_id",
        "created_by_id",
        "trajectory_id",
        "updated_by_id",
    ),
    "instrument_chosendomain": (
        "id",
        "resident_chip",
        "professional_chip",
        "carer_chip",
        "prioritised",
        "domain_id",
        "measurement_id",
    ),
    "instrument_goal": (
        "id",
        "position",
        "own_words",
        *GOAL_TEXTS,
        "due_on",
        "status",
        "trajectory_id",
        "stated_in_id",
    ),
    "instrument_goal_domains": ("id", "goal_id", "domain_id"),
    "instrument_goalreview": ("id", "status", "note", "goal_id", "measurement_id"),
    "instrument_notfilledin": (
        "id",
        "kind",
        "reason",
        "note",
        "recorded_on",
        "recorded_at",
        "recorded_by_id",
        "trajectory_id",
    ),
}
# Emptied by --reset (with everything that refers to them).
RESET_TABLES = [
    *COLUMNS,
    "instrument_domain",
    "instrument_catalogue",
    "audit_accesslog",
    "django_session",
    "django_admin_log",
]


class NotPostgreSQL(SystemExit):
    pass


def require_postgresql() -> None:
    """The benchmark is about PostgreSQL; on SQLite it would measure the wrong thing."""
    if connection.vendor != "postgresql":
        name = settings.DATABASES["default"].get("NAME", "")
        raise NotPostgreSQL(
            f"bench: refusing to run on {connection.vendor} ({name}).\n"
            "The benchmark needs PostgreSQL: set DATABASE_URL=postgres://... or run it "
            "through a throwaway cluster:\n"
            "  bin/with-postgres env WATTELT_DEBUG=1 .venv/bin/python -m bench.pages"
        )


@dataclass(frozen=True)
class DomainInfo:
    id: int
    key: str
    position: int
    label: str


@dataclass
class Professional:
    id: int
    team_ids: list[int]
    weight: float


@dataclass
class Population:
    """The organisation part: who works where."""

    organisation_of_team: dict[int, int] = field(default_factory=dict)
    team_of: dict[tuple[int, int], int] = field(default_factory=dict)  # (org, district)
    professionals_of_team: dict[int, list[Professional]] = field(default_factory=dict)
    cum_weights_of_team: dict[int, list[float]] = field(default_factory=dict)
    district_ids: list[int] = field(default_factory=list)
    organisation_ids: list[int] = field(default_factory=list)


@dataclass
class GoalState:
    id: int
    position: int
    own_words: str
    texts: dict[str, str]
    due_on: dt.date
    domain_keys: list[str]
    stated_in: int
    status: str = "open"


@dataclass
class Result:
    seconds: float
    counts: dict[str, int]
    phases: dict[str, float]


Batch = dict[str, list[Sequence[object]]]


class Loader:
    """Buffers rows per table (ids are assigned here) and hands each full batch to a
    writer thread that COPYs it, so generating the next batch overlaps with the load.
    Use it as a context manager: leaving it writes what is left and waits."""

    def __init__(self, cursor: Cursor[Any]) -> None:
        self.cursor = cursor
        self.rows: Batch = {table: [] for table in COLUMNS}
        self.next_ids: dict[str, int] = dict.fromkeys(COLUMNS, 1)
        self.written: dict[str, int] = dict.fromkeys(COLUMNS, 0)
        self.batches: queue.Queue[Batch | None] = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.writer = threading.Thread(target=self._write_batches, name="bench-copy")

    def __enter__(self) -> Loader:
        self.writer.start()
        return self

    def __exit__(self, kind: object, error: object, traceback: object) -> None:
        if error is None:
            self.flush()
        self._put(None)
        self.writer.join()
        if self.error is not None and error is None:
            raise RuntimeError("bench: loading the data set failed") from self.error

    def new_id(self, table: str) -> int:
        value = self.next_ids[table]
        self.next_ids[table] = value + 1
        return value

    def add(self, table: str, row: Sequence[object]) -> None:
        self.rows[table].append(row)

    def flush(self) -> None:
        if self.error is not None:
            raise RuntimeError("bench: loading the data set failed") from self.error
        self._put(self.rows)
        self.rows = {table: [] for table in COLUMNS}

    def _put(self, batch: Batch | None) -> None:
        while self.writer.is_alive():
            try:
                self.batches.put(batch, timeout=0.5)
                return
            except queue.Full:
                continue

    def _write_batches(self) -> None:
        try:
            while (batch := self.batches.get()) is not None:
                for table, rows in batch.items():
                    self._copy(table, rows)
        except BaseException as exc:  # handed to the generating thread
            self.error = exc

    def _copy(self, table: str, rows: list[Sequence[object]]) -> None:
        if not rows:
            return
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, COLUMNS[table]))
        )
        with self.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
        self.written[table] += len(rows)


class RowLoader(Loader):
    """The same interface for any database (SQLite too): each batch goes in with
    executemany through Django's cursor, in the generating thread."""

    def __init__(self) -> None:  # no COPY cursor, no writer thread
        self.rows = {table: [] for table in COLUMNS}
        self.next_ids = dict.fromkeys(COLUMNS, 1)
        self.written = dict.fromkeys(COLUMNS, 0)

    def __enter__(self) -> RowLoader:
        return self

    def __exit__(self, kind: object, error: object, traceback: object) -> None:
        if error is None:
            self.flush()

    def flush(self) -> None:
        with connection.cursor() as cursor:
            for table, rows in self.rows.items():
                if rows:
                    columns = COLUMNS[table]
                    cursor.executemany(
                        f"INSERT INTO {table} ({', '.join(columns)})"
                        f" VALUES ({', '.join(['%s'] * len(columns))})",
                        rows,  # type: ignore[arg-type]  # dates, datetimes, JSON text
                    )
                    self.written[table] += len(rows)
        self.rows = {table: [] for table in COLUMNS}


def valid_bsn(rng: random.Random) -> str:
    """Nine digits passing the 11-proof."""
    while True:
        digits = [int(c) for c in f"{int(rng.random() * 100_000_000):08d}"]
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        check = total % 11
        if check < 10 and any(digits):
            return "".join(map(str, digits)) + str(check)


class Generator:
    def __init__(
        self, loader: Loader, residents: int, seed: int, domains: list[DomainInfo], catalogue: int
    ) -> None:
        self.load = loader
        self.residents = residents
        self.rng = random.Random(seed)
        self.random = self.rng.random
        self.domains = domains
        self.domain_by_key = {d.key: d for d in domains}
        self.catalogue_id = catalogue
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.population = Population()

    # -- helpers --------------------------------------------------------------------

    def randint(self, low: int, high: int) -> int:
        """random.randint, three times faster (this runs millions of times)."""
        return low + int(self.random() * (high - low + 1))

    def at(self, day: dt.date, earliest: int = 8, latest: int = 17) -> dt.datetime:
        """A moment during office hours on `day`, never in the future."""
        moment = dt.datetime.combine(
            day,
            dt.time(self.randint(earliest, latest - 1), self.randint(0, 59)),
            tzinfo=self.zone,
        )
        return min(moment, self.now - dt.timedelta(minutes=self.randint(1, 600)))

    def days(self, low: int, high: int) -> dt.timedelta:
        return dt.timedelta(days=self.randint(low, high))

    # -- organisation -----------------------------------------------------------------

    def organisation(self) -> None:
        load, rng, pop = self.load, self.rng, self.population
        municipality = load.new_id("organisations_municipality")
        load.add("organisations_municipality", (municipality, "Gemeente Benchmark"))
        for name in DISTRICTS[:DISTRICT_COUNT]:
            district = load.new_id("organisations_district")
            load.add("organisations_district", (district, name, municipality))
            pop.district_ids.append(district)
        teams: list[int] = []
        for org_name, team_word in ORGANISATIONS:
            org = load.new_id("organisations_organisation")
            load.add("organisations_organisation", (org, org_name, 3, 14, municipality))
            pop.organisation_ids.append(org)
            for district, district_name in zip(pop.district_ids, DISTRICTS, strict=False):
                team = load.new_id("organisations_team")
                load.add("organisations_team", (team, f"{team_word} {district_name}", org))
                load.add(
                    "organisations_team_districts",
                    (load.new_id("organisations_team_districts"), team, district),
                )
                pop.organisation_of_team[team] = org
                pop.team_of[(org, district)] = team
                pop.professionals_of_team[team] = []
                teams.append(team)
        joined = self.now - dt.timedelta(days=800)
        professionals = max(
            len(teams), min(MAX_PROFESSIONALS, self.residents // RESIDENTS_PER_PROFESSIONAL)
        )
        for n in range(professionals):
            team = teams[n % len(teams)]
            staff = self.staff(f"professional{n + 1:03d}", pop.organisation_of_team[team], joined)
            member = Professional(staff, [team], rng.uniform(0.4, 1.6))
            self.membership(staff, team, "professional")
            pop.professionals_of_team[team].append(member)
            if rng.random() < 0.1:  # also works in a neighbouring team of the organisation
                same_org = [
                    t
                    for t in teams
                    if pop.organisation_of_team[t] == pop.organisation_of_team[team]
                ]
                other = same_org[(same_org.index(team) + 1) % len(same_org)]
                self.membership(staff, other, "professional")
                member.team_ids.append(other)
        for n, team in enumerate(teams):
            coach = self.staff(f"coach{n + 1:02d}", pop.organisation_of_team[team], joined)
            self.membership(coach, team, "teamcoach")
        for team, members in pop.professionals_of_team.items():
            total = 0.0
            cumulative = []
            for member in members:
                total += member.weight
                cumulative.append(total)
            pop.cum_weights_of_team[team] = cumulative

    def staff(self, username: str, organisation: int, joined: dt.datetime) -> int:
        staff = self.load.new_id("organisations_staff")
        first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
        self.load.add(
            "organisations_staff",
            (
                staff,
                UNUSABLE_PASSWORD,
                None,
                False,
                username,
                first,
                last,
                f"{username}@example.org",
                False,
                True,
                joined,
                organisation,
            ),
        )
        return staff

    def membership(self, staff: int, team: int, role: str) -> None:
        self.load.add(
            "organisations_membership",
            (self.load.new_id("organisations_membership"), role, staff, team),
        )

    # -- residents --------------------------------------------------------------------

    def all_residents(self, say: Callable[[str], None] = print) -> None:
        began = time.perf_counter()
        for n in range(self.residents):
            self.resident()
            if (n + 1) % CHUNK_RESIDENTS == 0:
                self.load.flush()
            if (n + 1) % PROGRESS_RESIDENTS == 0:
                seconds = time.perf_counter() - began
                say(
                    f"bench: {n + 1:,} residents generated in {seconds:.1f} s "
                    f"({seconds / (n + 1) * PROGRESS_RESIDENTS:.1f} s per {PROGRESS_RESIDENTS:,})"
                )

    def resident(self) -> None:
        load, rng, pop = self.load, self.rng, self.population
        resident = load.new_id("residents_resident")
        org = rng.choice(pop.organisation_ids)
        district = rng.choice(pop.district_ids)
        team = pop.team_of[(org, district)]
        members = pop.professionals_of_team[team]
        responsible = rng.choices(members, cum_weights=pop.cum_weights_of_team[team])[0]
        # The current trajectory; one in four residents had an earlier, closed one.
        closed = rng.random() < 0.34
        started = self.trajectory(resident, team, responsible.id, closed, None)
        first_start = started
        if rng.random() < 0.25:
            first_start = self.trajectory(resident, team, responsible.id, True, started)
        born = self.today - dt.timedelta(days=self.randint(8 * 365, 90 * 365))
        load.add(
            "residents_resident",
            (
                resident,
                rng.choice(FIRST_NAMES),
                rng.choice(LAST_NAMES),
                born,
                valid_bsn(rng) if rng.random() < 0.7 else "",
                f"06{self.randint(10_000_000, 99_999_999)}" if rng.random() < 0.6 else "",
                f"inwoner{resident}@example.net" if rng.random() < 0.3 else "",
                self.at(first_start - self.days(0, 10)),
                district,
                org,
                responsible.id,
            ),
        )

    def trajectory(
        self,
        resident: int,
        team: int,
        responsible: int,
        closed: bool,
        before: dt.date | None,
    ) -> dt.date:
        """One trajectory with its measurements; returns its start date."""
        load, rng = self.load, self.rng
        trajectory = load.new_id("residents_trajectory")
        fresh = not closed and rng.random() < 0.04
        count = 0 if fresh else rng.choices(MEASUREMENT_COUNTS, weights=MEASUREMENT_WEIGHTS)[0]
        # Measurement dates, newest first, about three months apart.
        if closed:
            end = (
                (before - self.days(30, 600))
                if before
                else self.today - self.days(20, YEARS * 365 - 500)
            )
            last = end - self.days(0, 20)
        else:
            end = None
            last = self.today - self.days(0, 110)
        dates = [last]
        for _ in range(count - 1):
            dates.append(dates[-1] - self.days(75, 110))
        dates.reverse()
        started = (self.today - self.days(0, 40)) if fresh else dates[0] - self.days(0, 14)
        members = [m.id for m in self.population.professionals_of_team[team]]
        draft = not closed and rng.random() < 0.03
        latest_activity = self.at(started)
        if count:
            latest_activity = self.measurements(
                trajectory, dates[:count], closed, responsible, members, draft
            )
        elif draft:
            latest_activity = self.draft(trajectory, 0, responsible)
        if closed:
            assert end is not None
            due = None
            latest_activity = self.at(end, 15, 18)
            if count == 1 and rng.random() < 0.4:
                load.add(
                    "instrument_notfilledin",
                    (
                        load.new_id("instrument_notfilledin"),
                        "end",
                        rng.choice(NOT_FILLED_REASONS),
                        "",
                        end,
                        latest_activity,
                        responsible,
                        trajectory,
                    ),
                )
        elif count:
            due = add_months(dates[-1], 3)
            latest_activity = min(latest_activity + self.days(0, 15), self.at(self.today))
        else:
            due = started + dt.timedelta(days=14)
        load.add(
            "residents_trajectory",
            (
                trajectory,
                started,
                end,
                rng.choice(CLOSING_REASONS) if closed else "",
                "",
                due,
                latest_activity,
                "" if closed or rng.random() < 0.7 else "Dinsdag 10:00 bij het buurthuis",
                resident,
                responsible,
                team,
            ),
        )
        return started

    def measurements(
        self,
        trajectory: int,
        dates: list[dt.date],
        closed: bool,
        responsible: int,
        members: list[int],
        draft: bool,
    ) -> dt.datetime:
        """The confirmed measurements of a trajectory, with choices, goals and reviews;
        returns the moment of the last activity."""
        load, rng = self.load, self.rng
        pool = rng.sample(self.domains, self.randint(6, 8))
        chips = {d.key: self.randint(5, 80) for d in pool}
        grade = self.randint(3, 7)
        active: list[GoalState] = []
        goals: list[GoalState] = []
        moment = self.at(dates[0])
        for index, day in enumerate(dates):
            kind = "start" if index == 0 else "follow_up"
            if closed and index == len(dates) - 1 and index > 0:
                kind = "end"
            by = responsible if rng.random() < 0.9 else rng.choice(members)
            created = self.at(day)
            confirmed = created + dt.timedelta(minutes=self.randint(20, 90))
            moment = confirmed
            grade = max(1, min(10, grade + self.randint(-1, 2)))
            carer = rng.choice(CARER_RELATIONS) if rng.random() < 0.15 else ""
            chosen = sorted(rng.sample(pool, self.randint(4, 6)), key=lambda d: d.position)
            prioritised = {d.key for d in rng.sample(chosen, self.randint(1, 2))}
            choice_rows = []
            for d in chosen:
                chips[d.key] = max(0, min(100, chips[d.key] + self.randint(-15, 25)))
                choice_rows.append(
                    (
                        chips[d.key],
                        self.randint(0, 100) if rng.random() < 0.3 else None,
                        self.randint(0, 100) if carer and rng.random() < 0.7 else None,
                        d.key in prioritised,
                        d,
                    )
                )
            corrected = rng.random() < 0.01
            old_id = load.new_id("instrument_measurement") if corrected else None
            measurement = load.new_id("instrument_measurement")
            # Reviews of the goals still open from earlier measurements.
            reviews = []
            for goal in list(active):
                status = rng.choices(REVIEW_STATUSES, weights=REVIEW_WEIGHTS)[0]
                note = "Gaat stap voor stap" if rng.random() < 0.3 else ""
                load.add(
                    "instrument_goalreview",
                    (load.new_id("instrument_goalreview"), status, note, goal.id, measurement),
                )
                reviews.append(
                    {"goal": goal.id, "own_words": goal.own_words, "status": status, "note": note}
                )
                goal.status = status
                if status in FINISHED:
                    active.remove(goal)
            # New goals: usually at the start, sometimes later.
            new_goals = []
            if kind != "end" and rng.random() < (0.75 if index == 0 else 0.3):
                for position in range(self.randint(1, 2)):
                    keys = [d.key for d in chosen if d.key in prioritised] or [chosen[0].key]
                    goal = GoalState(
                        id=load.new_id("instrument_goal"),
                        position=position,
                        own_words=rng.choice(GOALS),
                        texts={
                            name: rng.choice(FIRST_STEPS) if rng.random() < 0.5 else ""
                            for name in GOAL_TEXTS
                        },
                        due_on=add_months(day, self.randint(3, 6)),
                        domain_keys=rng.sample(keys, min(len(keys), self.randint(1, 2))),
                        stated_in=measurement,
                    )
                    new_goals.append(goal)
            snapshot: dict[str, object] = {
                "kind": kind,
                "version": 2 if corrected else 1,
                "measured_on": day.isoformat(),
                "quality_of_life": grade,
                "carer_relation": carer,
                "correction_reason": "Verkeerde datum ingevuld" if corrected else "",
                "choices": [
                    {
                        "domain": d.key,
                        "label": d.label,
                        "resident": r,
                        "professional": p,
                        "carer": c,
                        "prioritised": prio,
                    }
                    for r, p, c, prio, d in choice_rows
                ],
                "goals": [
                    {
                        "id": g.id,
                        "domains": sorted(g.domain_keys),
                        "due_on": g.due_on.isoformat(),
                        "own_words": g.own_words,
                        **g.texts,
                    }
                    for g in new_goals
                ],
                "reviews": reviews,
            }
            versions: list[tuple[int, int, dt.datetime, int | None]] = (
                [(old_id, 1, created, None)] if old_id is not None else []
            )
            if old_id is not None:
                confirmed = confirmed + self.days(1, 10)
                confirmed = min(confirmed, self.now - dt.timedelta(minutes=5))
                moment = confirmed
            versions.append((measurement, 2 if corrected else 1, created, old_id))
            for row_id, version, made, corrects in versions:
                superseded = corrected and row_id == old_id
                done = created + dt.timedelta(minutes=30) if superseded else confirmed
                load.add(
                    "instrument_measurement",
                    (
                        row_id,
                        kind,
                        "superseded" if superseded else "confirmed",
                        day,
                        grade,
                        carer,
                        self.randint(2, 8),
                        made if superseded else (confirmed - dt.timedelta(minutes=45)),
                        done,
                        done,
                        version,
                        "" if superseded or not corrected else "Verkeerde datum ingevuld",
                        json.dumps(
                            {**snapshot, "version": 1, "correction_reason": ""}
                            if superseded
                            else snapshot
                        ),
                        self.catalogue_id,
                        by,
                        corrects,
                        by,
                        trajectory,
                        by,
                    ),
                )
                for r, p, c, prio, d in choice_rows:
                    load.add(
                        "instrument_chosendomain",
                        (load.new_id("instrument_chosendomain"), r, p, c, prio, d.id, row_id),
                    )
            active.extend(new_goals)
            goals.extend(new_goals)
        for goal in goals:
            load.add(
                "instrument_goal",
                (
                    goal.id,
                    goal.position,
                    goal.own_words,
                    *(goal.texts[name] for name in GOAL_TEXTS),
                    goal.due_on,
                    goal.status,
                    trajectory,
                    goal.stated_in,
                ),
            )
            for key in goal.domain_keys:
                load.add(
                    "instrument_goal_domains",
                    (
                        load.new_id("instrument_goal_domains"),
                        goal.id,
                        self.domain_by_key[key].id,
                    ),
                )
        if draft:
            moment = self.draft(trajectory, len(dates), responsible, dates[-1])
        return moment

    def draft(
        self, trajectory: int, confirmed: int, by: int, after: dt.date | None = None
    ) -> dt.datetime:
        """An open draft: some chips still to place. Returns when it was last saved."""
        load, rng = self.load, self.rng
        day = self.today - self.days(0, 6)
        if after is not None:
            day = max(day, after)
        measurement = load.new_id("instrument_measurement")
        created = self.at(day)
        updated = min(created + dt.timedelta(minutes=self.randint(5, 40)), self.now)
        load.add(
            "instrument_measurement",
            (
                measurement,
                "start" if confirmed == 0 else "follow_up",
                "draft",
                day,
                self.randint(3, 8) if rng.random() < 0.5 else None,
                "",
                self.randint(1, 12),
                created,
                updated,
                None,
                1,
                "",
                None,
                self.catalogue_id,
                None,
                None,
                by,
                trajectory,
                by,
            ),
        )
        for d in sorted(rng.sample(self.domains, self.randint(4, 6)), key=lambda d: d.position):
            load.add(
                "instrument_chosendomain",
                (
                    load.new_id("instrument_chosendomain"),
                    self.randint(0, 100) if rng.random() < 0.8 else None,
                    self.randint(0, 100) if rng.random() < 0.2 else None,
                    None,
                    rng.random() < 0.25,
                    d.id,
                    measurement,
                ),
            )
        return updated


def _drop_secondary_indexes(cursor: Cursor[Any]) -> list[str]:
    """Drop the indexes that back no constraint on the loaded tables (building them once
    after the load is much faster than keeping them up to date row by row); returns the
    statements that recreate them."""
    cursor.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i"
        " WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
        [list(COLUMNS)],
    )
    found = cursor.fetchall()
    for name, _definition in found:
        cursor.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    return [definition for _name, definition in found]


def _skip_foreign_key_checks(cursor: Cursor[Any]) -> bool:
    """Skip the per-row foreign key triggers during the load (superusers only; the
    throwaway cluster's user is one); `_check_foreign_keys` checks them afterwards."""
    try:
        cursor.execute("SET session_replication_role = replica")
    except psycopg.errors.InsufficientPrivilege:
        return False
    return True


def _check_foreign_keys(cursor: Cursor[Any]) -> None:
    """Every single-column foreign key of the loaded tables points at an existing row."""
    cursor.execute(
        "SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, fa.attname"
        " FROM pg_constraint c"
        " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]"
        " JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1]"
        " WHERE c.contype = 'f' AND cardinality(c.conkey) = 1"
        " AND c.conrelid::regclass::text = ANY(%s)",
        [list(COLUMNS)],
    )
    broken = []
    for table, column, target, target_column in cursor.fetchall():
        cursor.execute(
            sql.SQL(
                "SELECT count(*) FROM {t} x WHERE x.{c} IS NOT NULL"
                " AND NOT EXISTS (SELECT 1 FROM {f} y WHERE y.{fc} = x.{c})"
            ).format(
                t=sql.Identifier(table),
                c=sql.Identifier(column),
                f=sql.Identifier(target),
                fc=sql.Identifier(target_column),
            )
        )
        row = cursor.fetchone()
        if row and row[0]:
            broken.append(f"{table}.{column} -> {target}: {row[0]} rows")
    if broken:
        raise RuntimeError("bench: generated rows break foreign keys: " + "; ".join(broken))


def _reset_sequences() -> None:
    """PostgreSQL: the id sequences continue after the ids the load gave out."""
    if connection.vendor != "postgresql":
        return  # SQLite's AUTOINCREMENT follows the largest id by itself
    with connection.cursor() as cursor:
        for table in COLUMNS:
            cursor.execute(
                sql.SQL(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                    "coalesce((SELECT max(id) FROM {}), 0) + 1, false)"
                ).format(sql.Identifier(table)),
                [table],
            )


def _reset() -> None:
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        tables = [t for t in RESET_TABLES if t in existing]
        cursor.execute(
            sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(
                sql.SQL(", ").join(map(sql.Identifier, tables))
            )
        )


def _is_empty() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM organisations_staff)"
            " OR EXISTS (SELECT 1 FROM residents_resident)"
        )
        row = cursor.fetchone()
    return not (row and row[0])


def count_rows(tables: Iterable[str] = COLUMNS) -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
            row = cursor.fetchone()
            counts[table] = int(row[0]) if row else 0
    return counts


def generate(
    residents: int = DEFAULT_RESIDENTS, seed: int = 2026, reset: bool = False, verbose: bool = True
) -> Result:
    """Migrate, create the default catalogue and bulk-load the data set."""
    require_postgresql()

    def say(message: str) -> None:
        if verbose:
            print(message, flush=True)

    phases: dict[str, float] = {}
    begin = mark = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        phases[name] = now - mark
        mark = now

    call_command("migrate", interactive=False, verbosity=0)
    lap("migrate")
    if not _is_empty():
        if not reset:
            raise SystemExit(
                "bench: the database already holds staff or residents; refusing to add a "
                "benchmark data set to it. Use a fresh database (bin/with-postgres) or pass "
                "--reset to TRUNCATE every wattelt table first."
            )
        _reset()
        lap("reset")
    catalogue = ensure_default_catalogue()
    domains = [
        DomainInfo(d.pk, d.key, d.position, d.labels.get("nl", d.key))
        for d in catalogue.domains.order_by("position")
    ]
    lap("catalogue")
    say(f"bench: generating {residents:,} residents (seed {seed}) ...")
    connection.ensure_connection()
    raw = connection.connection
    assert raw is not None
    with raw.cursor() as cursor:
        recreate = _drop_secondary_indexes(cursor)
        unchecked = _skip_foreign_key_checks(cursor)
        try:
            with Loader(cursor) as loader:
                generator = Generator(loader, residents, seed, domains, catalogue.pk)
                generator.organisation()
                loader.flush()
                generator.all_residents(say)
            lap("copy")
        finally:
            # Also after a failure: the schema must stay as the migrations made it.
            if unchecked:
                cursor.execute("SET session_replication_role = DEFAULT")
            for statement in recreate:
                cursor.execute(statement)
        lap(f"create {len(recreate)} indexes")
        if unchecked:
            _check_foreign_keys(cursor)
            lap("check foreign keys")
    _reset_sequences()
    lap("setval")
    with connection.cursor() as cursor:
        # VACUUM sets the hint bits and the visibility map as on a database that has been
        # running a while; ANALYZE gives the planner its statistics.
        for table in [*COLUMNS, "instrument_catalogue", "instrument_domain"]:
            cursor.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(table)))
    lap("vacuum analyze")
    seconds = time.perf_counter() - begin
    counts = count_rows()
    say(format_result(Result(seconds, counts, phases)))
    return Result(seconds, counts, phases)


def generate_rows(
    residents: int, seed: int = 2026, verbose: bool = True, migrate: bool = True
) -> Result:
    """The same data set on any database (SQLite too), inserted in batches of 5,000
    residents with executemany: for the SQLite benchmark and the smoke test."""

    def say(message: str) -> None:
        if verbose:
            print(message, flush=True)

    phases: dict[str, float] = {}
    begin = mark = time.perf_counter()
    if migrate:
        call_command("migrate", interactive=False, verbosity=0)
    if not _is_empty():
        raise SystemExit("bench: the database already holds staff or residents.")
    catalogue = ensure_default_catalogue()
    domains = [
        DomainInfo(d.pk, d.key, d.position, d.labels.get("nl", d.key))
        for d in catalogue.domains.order_by("position")
    ]
    say(f"bench: generating {residents:,} residents (seed {seed}) into {connection.vendor} ...")
    if connection.vendor == "sqlite" and connection.get_autocommit():
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")  # a throwaway benchmark database
    with transaction.atomic(), RowLoader() as loader:
        generator = Generator(loader, residents, seed, domains, catalogue.pk)
        generator.organisation()
        loader.flush()
        generator.all_residents(say)
    _reset_sequences()
    phases["insert"] = time.perf_counter() - mark
    mark = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    phases["analyze"] = time.perf_counter() - mark
    seconds = time.perf_counter() - begin
    counts = count_rows()
    result = Result(seconds, counts, phases)
    say(format_result(result))
    return result


def format_result(result: Result) -> str:
    lines = [f"bench: data set generated in {result.seconds:.1f} s"]
    lines.append(
        "  phases: " + ", ".join(f"{name} {secs:.1f} s" for name, secs in result.phases.items())
    )
    width = max(len(t) for t in result.counts)
    lines += [f"  {table:<{width}}  {n:>10,}" for table, n in result.counts.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__)
    parser.add_argument("--residents", type=int, default=DEFAULT_RESIDENTS)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--reset", action="store_true", help="TRUNCATE every wattelt table first (destructive)"
    )
    args = parser.parse_args(argv)
    if args.residents < 1:
        parser.error("--residents must be at least 1")
    generate(args.residents, args.seed, args.reset)
    return 0


if __name__ == "__main__":
    sys.exit(main())
