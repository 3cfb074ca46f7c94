"""Shared fixtures: Alice (professional, owner), Bob (team coach, reads along) and
Charlie (professional in another organisation, outsider)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.http import QueryDict
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from wattelt.instrument import services as instrument
from wattelt.instrument.catalogue import ensure_default_catalogue
from wattelt.instrument.forms import BoardInput, BoardParser
from wattelt.instrument.models import Catalogue, Measurement
from wattelt.organisations import two_factor
from wattelt.organisations.models import (
    District,
    Membership,
    Municipality,
    Organisation,
    Role,
    Staff,
    Team,
)
from wattelt.portal import session as portal_session
from wattelt.residents import services as residents
from wattelt.residents.models import Resident, Trajectory
from wattelt.residents.signals import trajectory_opened

PASSWORD = "correct-horse-battery-staple"
# Argon2 is slow on purpose; tests hash with MD5 except where Argon2 is the subject (also
# used by module-scoped fixtures, which come before this function-scoped one).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


FILE_DATABASE = {"live_server", "file_database"}


@pytest.fixture
def file_database() -> None:
    """The run's SQLite test database is a file, as `make run`'s is (see below): for a
    test of several connections at once that uses no live server."""


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None,
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """When a test of this run serves pages from the live server (the browser tests, the
    API fuzzing) or asks for `file_database`, the SQLite test database is a file, as
    `make run`'s is, so every thread opens a connection of its own (with the settings'
    WAL and IMMEDIATE transactions). pytest-django would otherwise make it one in-memory
    database and hand the test thread's very connection to the live server's threads.
    CPython's sqlite3 then deadlocks when two threads meet on it: one waits for SQLite's
    lock while holding the GIL (binding parameters, reading a row), the other holds that
    lock inside a query and waits for the GIL to call one of Django's SQL functions
    written in Python (tests/browser/test_live_server_database.py). Each connection also
    keeps its own transaction state, as in production. Other runs keep the in-memory
    database, where a write lock held elsewhere fails a writer at once instead of after
    the settings' 20 s wait (tests/monitoring/test_busy_publish.py holds one)."""
    database = django_settings.DATABASES["default"]
    wanted = any(
        FILE_DATABASE & set(getattr(item, "fixturenames", ())) for item in request.session.items
    )
    if wanted and database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(
            tmp_path_factory.mktemp("database") / "test.sqlite3"
        )


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = PASSWORD_HASHERS


@pytest.fixture(autouse=True)
def erasure_register_file(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Erasures write the register's file copy (privacy/erasure_register.py): into the
    test's own folder, never the developer's var/backups."""
    settings.ERASURE_REGISTER_FILE = tmp_path / "erasure-register.jsonl"


@pytest.fixture(autouse=True)
def empty_figures_cache() -> None:
    """The dashboard's rendered figures (monitoring/fragments.py) never outlive a test."""
    caches["figures"].clear()


@pytest.fixture
def catalogue(db: None) -> Catalogue:
    return ensure_default_catalogue()


@pytest.fixture
def municipality(db: None) -> Municipality:
    return Municipality.objects.create(name="Gemeente Test")


@pytest.fixture
def district(municipality: Municipality) -> District:
    return District.objects.create(municipality=municipality, name="Noord")


@pytest.fixture
def organisation(municipality: Municipality) -> Organisation:
    return Organisation.objects.create(municipality=municipality, name="Wijkteams Test")


@pytest.fixture
def team(organisation: Organisation, district: District) -> Team:
    team = Team.objects.create(organisation=organisation, name="Team Noord")
    team.districts.add(district)
    return team


def make_staff(username: str, organisation: Organisation, team: Team | None, role: str) -> Staff:
    user = Staff.objects.create_user(
        username=username,
        password=PASSWORD,
        organisation=organisation,
        first_name=username.capitalize(),
        last_name="Test",
    )
    if team is not None:
        Membership.objects.create(staff=user, team=team, role=role)
    return user


@pytest.fixture
def alice(organisation: Organisation, team: Team) -> Staff:
    """Professional in the team: owns the trajectories."""
    return make_staff("alice", organisation, team, Membership.Role.PROFESSIONAL)


@pytest.fixture
def bob(organisation: Organisation, team: Team) -> Staff:
    """Team coach of the same team: reads, does not record."""
    return make_staff("bob", organisation, team, Membership.Role.TEAMCOACH)


@pytest.fixture
def charlie(municipality: Municipality) -> Staff:
    """Professional of another organisation: sees nothing of ours."""
    other = Organisation.objects.create(municipality=municipality, name="Andere organisatie")
    other_team = Team.objects.create(organisation=other, name="Team Elders")
    return make_staff("charlie", other, other_team, Membership.Role.PROFESSIONAL)


@pytest.fixture
def resident(alice: Staff, district: District) -> Resident:
    return register_fatima(alice, district)


def register_fatima(alice: Staff, district: District) -> Resident:
    """The resident of most tests: Fatima, with a BSN, registered by Alice."""
    return residents.register_resident(
        residents.ResidentInput(
            first_name="Fatima",
            last_name="Yilmaz",
            date_of_birth=dt.date(1985, 4, 12),
            district=district,
            bsn="111222333",
        ),
        alice,
    )


def register_rik(alice: Staff, district: District) -> Resident:
    """A second resident in the same district, registered by Alice: Rik, without a BSN."""
    return residents.register_resident(
        residents.ResidentInput(
            first_name="Rik",
            last_name="Tweede",
            date_of_birth=dt.date(1980, 5, 1),
            district=district,
        ),
        alice,
    )


@pytest.fixture
def trajectory(resident: Resident, team: Team, alice: Staff, catalogue: Catalogue) -> Trajectory:
    started = timezone.localdate() - dt.timedelta(days=200)
    return residents.open_trajectory(resident, team, alice, started)


def board_data(measurement: Measurement, **fields: object) -> BoardInput:
    """Parse form fields as the board posts them; lists become repeated fields."""
    post = QueryDict(mutable=True)
    post["revision"] = str(measurement.revision)
    for name, value in fields.items():
        name = name.replace("__", "-")
        if isinstance(value, list):
            post.setlist(name, [str(v) for v in value])
        else:
            post[name] = str(value)
    return BoardParser(post, list(measurement.catalogue.domains.all())).parse()


def complete_fields(**extra: object) -> dict[str, object]:
    """A small but complete start measurement: two domains, a grade, one goal."""
    fields: dict[str, object] = {
        "chosen": ["wonen", "geld"],
        "chip__resident__wonen": 70,
        "chip__resident__geld": 20,
        "priority": ["geld"],
        "quality_of_life": 6,
        "goal__0__own_words": "Ik wil rust over mijn geld",
        "goal__0__domains": ["geld"],
    }
    fields.update(extra)
    return fields


def confirmed_measurement(
    trajectory: Trajectory, by: Staff, kind: str = "", days_ago: int = 100, **extra: object
) -> Measurement:
    draft = instrument.start_measurement(trajectory, by, kind)
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    data = board_data(draft, **complete_fields(measured_on=day.isoformat(), **extra))
    return instrument.confirm_measurement(draft, by, data)


def client_for(user: Staff, sudo: bool = False) -> Client:
    """A client logged in with password and second factor, as after a real login;
    `sudo` as if the user confirmed password and code again just now."""
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    if sudo:
        session[two_factor.REAUTHENTICATED_AT] = time.time()
    session.save()
    return client


def resident_client(resident: Resident) -> Client:
    """A browser signed in to Mijn Wat telt as this resident (as after a passkey sign-in)."""
    client = Client()
    session = client.session
    now = time.time()
    session[portal_session.RESIDENT_KEY] = resident.pk
    session[portal_session.SIGNED_IN_AT] = now
    session[portal_session.LAST_SEEN] = now
    session[portal_session.METHOD] = "passkey"
    session.save()
    return client


def staff_with_role(username: str, organisation: Organisation, role: str) -> Staff:
    """Someone with an organisation-wide role and no team."""
    user = make_staff(username, organisation, None, "")
    Role.objects.create(staff=user, name=role)
    return user


@pytest.fixture
def privacy_officer(organisation: Organisation) -> Staff:
    return staff_with_role("priya", organisation, Role.Name.PRIVACY_OFFICER)


def legacy_trajectory(
    resident: Resident, team: Team, responsible: Staff, started_on: dt.date
) -> Trajectory:
    """A trajectory as databases from before issue 13 hold them: opened while another one
    of the resident was open in the same team. `open_trajectory` refuses that now, but
    existing data keeps such overlaps and monitoring must go on counting them; written
    as the service did then (the row, then the `trajectory_opened` signal)."""
    trajectory = Trajectory.objects.create(
        resident=resident, team=team, responsible=responsible, started_on=started_on
    )
    trajectory_opened.send(sender=Trajectory, trajectory=trajectory)
    return trajectory
