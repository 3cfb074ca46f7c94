"""Every URL of the project, tried as anonymous, as each role, as a professional of
another team and of another organisation. Anonymous goes to login, outsiders get 404,
read-only roles cannot write. A URL without an entry here fails the test."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from tests import matrix_areas
from tests.conftest import (
    PASSWORD_HASHERS,
    client_for,
    confirmed_measurement,
    make_staff,
    register_fatima,
    register_rik,
    resident_client,
    staff_with_role,
)
from tests.matrix import RESIDENTS, USERS, Entry, everyone, team_read, team_write
from wattelt.audit.models import AccessLog
from wattelt.instrument import services as instrument
from wattelt.instrument.catalogue import ensure_default_catalogue
from wattelt.organisations.models import (
    District,
    Membership,
    Municipality,
    Organisation,
    Role,
    Team,
)
from wattelt.privacy import services as privacy
from wattelt.residents import services as residents

# Every test works in its own savepoint inside the module's matrix_world, rolled back.
pytestmark = pytest.mark.django_db

TRAJECTORY = lambda ctx: [ctx["trajectory"].pk]  # noqa: E731
PRIVACY_ONLY = {**everyone(404), "priya": 200}
RESIDENT = lambda ctx: [ctx["trajectory"].resident_id]  # noqa: E731
ERASURE = lambda ctx: [ctx["erasure"].pk]  # noqa: E731

MATRIX: dict[str, Entry] = {
    "start": Entry(expect=everyone(200)),
    "login": Entry(expect=everyone(200), anonymous=200),
    "logout": Entry(method="post", expect=everyone(302)),
    "set_language": Entry(
        method="post", data={"language": "en"}, expect=everyone(302), anonymous=302
    ),
    "two_factor_enrol": Entry(expect=everyone(302)),  # already enrolled: on to the code page
    "two_factor_verify": Entry(expect=everyone(200)),
    "reauthenticate": Entry(expect=everyone(200)),
    "recovery_codes": Entry(expect=everyone(200)),
    # Only team members search; for anyone else a search is a refused look, on the record.
    "residents:search": Entry(
        expect={**everyone(404), "alice": 200, "bob": 200, "dave": 200, "charlie": 200}
    ),
    "residents:register": Entry(
        expect={**everyone(403), "alice": 200, "dave": 200, "charlie": 200}
    ),
    "residents:detail": Entry(args=lambda ctx: [ctx["trajectory"].resident_id], expect=team_read()),
    "residents:open_trajectory": Entry(
        args=lambda ctx: [ctx["trajectory"].resident_id],
        method="post",
        data={"team": "__team__"},
        expect=team_write(),
    ),
    "residents:close": Entry(args=TRAJECTORY, expect=team_write(owner=200)),
    "residents:set_language": Entry(
        args=RESIDENT, method="post", data={"language": "ar"}, expect=team_write()
    ),
    # A resident's own choice on a one-time link's screen: kept in the session only.
    "residents:choose_language": Entry(
        method="post", data={"language": "ar"}, expect=everyone(302), anonymous=302
    ),
    "residents:set_appointment": Entry(args=TRAJECTORY, method="post", expect=team_write()),
    "residents:consents": Entry(args=TRAJECTORY, expect=team_write(owner=200)),
    # Naming a new responsible professional: the team's professionals and its coach.
    "residents:responsible": Entry(args=TRAJECTORY, expect=team_read()),
    "residents:withdraw_consent": Entry(
        args=lambda ctx: [ctx["trajectory"].pk, ctx["consent"].pk],
        method="post",
        expect=team_write(),
    ),
    "instrument:progress": Entry(args=TRAJECTORY, expect=team_read()),
    "instrument:new_measurement": Entry(args=TRAJECTORY, method="post", expect=team_write()),
    "instrument:not_filled_in": Entry(args=TRAJECTORY, expect=team_write(owner=200)),
    "instrument:plan": Entry(args=TRAJECTORY, expect=team_read()),
    "instrument:plan_pdf": Entry(args=TRAJECTORY, expect=team_read()),
    "instrument:goal_progress": Entry(
        args=lambda ctx: [ctx["trajectory"].pk, ctx["goal"].pk],
        method="post",
        data={"note": "Gebeld"},
        expect=team_write(),
    ),
    "instrument:board": Entry(args=lambda ctx: [ctx["draft"].pk], expect=team_write(owner=200)),
    "instrument:correct": Entry(
        args=lambda ctx: [ctx["confirmed"].pk], expect=team_write(owner=200)
    ),
    "instrument:set_wording": Entry(
        args=lambda ctx: [ctx["draft"].pk],
        method="post",
        data={"wording": "youth"},
        expect=team_write(),
    ),
    "instrument:discard": Entry(
        args=lambda ctx: [ctx["draft"].pk], method="post", expect=team_write()
    ),
    # Conversation mode: the board handed to the resident, its summary, "what changed",
    # and the professional's way back (not handed over: back to the board).
    "instrument:conversation": Entry(
        args=lambda ctx: [ctx["draft"].pk], expect=team_write(owner=200)
    ),
    "instrument:summary": Entry(args=lambda ctx: [ctx["draft"].pk], expect=team_write(owner=200)),
    "instrument:what_changed": Entry(args=lambda ctx: [ctx["confirmed"].pk], expect=team_read()),
    "instrument:conversation_return": Entry(
        args=lambda ctx: [ctx["draft"].pk], expect=team_write(owner=302)
    ),
    "audit:access_log": Entry(expect=PRIVACY_ONLY),
    "audit:access_log_export": Entry(expect=PRIVACY_ONLY),
    "privacy:start": Entry(expect=PRIVACY_ONLY),
    "privacy:resident": Entry(args=RESIDENT, expect=PRIVACY_ONLY),
    "privacy:inzage_pdf": Entry(args=RESIDENT, expect=PRIVACY_ONLY),
    "privacy:inzage_json": Entry(args=RESIDENT, expect=PRIVACY_ONLY),
    "privacy:register_erasure": Entry(args=RESIDENT, expect=PRIVACY_ONLY),
    "privacy:erasure": Entry(args=ERASURE, expect=PRIVACY_ONLY),
    # A refusal without a reason is refused with a message, and changes nothing.
    "privacy:decide": Entry(
        args=ERASURE,
        method="post",
        data={"decision": "refused"},
        expect={**everyone(404), "priya": 400},
    ),
    "privacy:execute": Entry(args=ERASURE, method="post", expect={**everyone(404), "priya": 400}),
}
for _area in matrix_areas.AREAS:
    MATRIX.update(_area.ENTRIES)
# Third-party screens with their own access rules, tested elsewhere.
NOT_IN_MATRIX_NAMESPACES = {"admin"}


def project_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns, "")
    return {n for n in names if n.split(":")[0] not in NOT_IN_MATRIX_NAMESPACES or ":" not in n}


def test_every_url_has_an_entry_in_the_matrix():
    missing = sorted(project_url_names() - set(MATRIX))
    assert not missing, f"add these URLs to the permission matrix: {missing}"


@pytest.fixture
def world(trajectory, alice, bob, charlie, organisation, team, district):  # type: ignore[no-untyped-def]
    """The world for a test of its own, from the fixtures of tests/conftest.py (the tests
    that import it also use those fixtures)."""
    return populate_world(trajectory, alice, bob, charlie, organisation, team, district)


@pytest.fixture(scope="module")
def matrix_world(  # type: ignore[no-untyped-def]
    django_db_setup, django_db_blocker, tmp_path_factory
) -> Iterator[dict]:
    """The world of this module's tests, made once (~0.4 s of CPU a test, for ~480 tests) in a
    transaction that stays open: each test runs in a savepoint inside it, which
    pytest-django rolls back, so no test sees another's writes; the module's end rolls
    the world back. The settings the autouse fixtures of tests/conftest.py give a test,
    given here too: they are function-scoped, so they come after this fixture."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer._from_testcase = True  # type: ignore[attr-defined]  # services' durable blocks
        outer.__enter__()
        register = tmp_path_factory.mktemp("matrix") / "erasure-register.jsonl"
        with override_settings(PASSWORD_HASHERS=PASSWORD_HASHERS, ERASURE_REGISTER_FILE=register):
            ctx = populate_world(*basics())
    yield ctx
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


def basics() -> tuple:
    """What the fixtures of tests/conftest.py make (the trajectory, alice, bob, charlie,
    organisation, team, district), made here at module scope."""
    ensure_default_catalogue()
    municipality = Municipality.objects.create(name="Gemeente Test")
    district = District.objects.create(municipality=municipality, name="Noord")
    organisation = Organisation.objects.create(municipality=municipality, name="Wijkteams Test")
    team = Team.objects.create(organisation=organisation, name="Team Noord")
    team.districts.add(district)
    alice = make_staff("alice", organisation, team, Membership.Role.PROFESSIONAL)
    bob = make_staff("bob", organisation, team, Membership.Role.TEAMCOACH)
    other = Organisation.objects.create(municipality=municipality, name="Andere organisatie")
    elders = Team.objects.create(organisation=other, name="Team Elders")
    charlie = make_staff("charlie", other, elders, Membership.Role.PROFESSIONAL)
    resident = register_fatima(alice, district)
    started = timezone.localdate() - dt.timedelta(days=200)
    trajectory = residents.open_trajectory(resident, team, alice, started)
    return trajectory, alice, bob, charlie, organisation, team, district


def populate_world(trajectory, alice, bob, charlie, organisation, team, district) -> dict:  # type: ignore[no-untyped-def]
    """Alice (professional, owner), Bob (coach), Dave (professional of another team),
    Charlie (another organisation), and the organisation-wide roles."""
    other_team = Team.objects.create(organisation=organisation, name="Team Zuid")
    users = {
        "alice": alice,
        "bob": bob,
        "charlie": charlie,
        "dave": make_staff("dave", organisation, other_team, Membership.Role.PROFESSIONAL),
        "priya": staff_with_role("priya", organisation, Role.Name.PRIVACY_OFFICER),
        "quinn": staff_with_role("quinn", organisation, Role.Name.QUALITY_OFFICER),
        "olga": staff_with_role("olga", organisation, Role.Name.ORGANISATION_ADMIN),
        "anna": staff_with_role("anna", organisation, Role.Name.MUNICIPALITY_ANALYST),
    }
    confirmed = confirmed_measurement(trajectory, alice)
    other_org = charlie.organisation
    consent = residents.record_consent(
        trajectory,
        alice,
        residents.ConsentInput(other_org, True, True, False, trajectory.started_on),
    )
    residents.withdraw_consent(consent, alice)  # shared once, no longer: Charlie sees nothing
    rik = register_rik(alice, district)
    instrument.start_measurement(residents.open_trajectory(rik, team, alice), alice, "start")
    ctx = {
        "users": users,
        "residents": {"rosa": trajectory.resident, "rik": rik},
        "trajectory": trajectory,
        "team": team,
        "confirmed": confirmed,
        "goal": confirmed.goals.get(),
        "consent": consent,
        "draft": instrument.start_measurement(trajectory, alice, "follow_up"),
        "erasure": privacy.register_erasure_request(trajectory.resident, users["priya"]),
    }
    for area in matrix_areas.AREAS:
        ctx.update(area.extend_world(ctx))
    return ctx


def call(client, name: str, entry: Entry, ctx: dict):
    url = reverse(name, args=entry.args(ctx))
    raw = entry.data(ctx) if callable(entry.data) else entry.data
    data = {k: (ctx["team"].pk if v == "__team__" else v) for k, v in raw.items()}
    return getattr(client, entry.method)(url, data)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_anonymous_is_sent_to_login(matrix_world, name):
    from django.test import Client

    entry = MATRIX[name]
    response = call(Client(), name, entry, matrix_world)
    assert response.status_code == entry.anonymous, name
    if entry.anonymous == 302 and name not in ("set_language", "residents:choose_language"):
        assert reverse(entry.sign_in) in response["Location"], name


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_residents_get_what_the_matrix_says(matrix_world, name):
    """A resident's session reaches only Mijn Wat telt, and there only their own."""
    entry = MATRIX[name]
    got, want = {}, {}
    for which in RESIDENTS:
        with transaction.atomic():
            client = resident_client(matrix_world["residents"][which])
            response = call(client, name, entry, matrix_world)
            got[which] = response.status_code
            transaction.set_rollback(True)
        want[which] = entry.for_resident(which)
        if got[which] == 302 and entry.for_resident(which) == 302 and entry.resident is None:
            location = response["Location"]
            assert name in ("set_language", "residents:choose_language", "logout") or (
                reverse("login") in location
            ), (name, location)
    assert got == want, name


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_role_gets_what_the_matrix_says(matrix_world, name):
    entry = MATRIX[name]
    got = {}
    for user in USERS:
        # Each user on a fresh copy of the world: a write by one must not hide from the next.
        with transaction.atomic():
            got[user] = call(
                client_for(matrix_world["users"][user], sudo=True), name, entry, matrix_world
            ).status_code
            transaction.set_rollback(True)
    assert got == entry.expect, name


# Pages that show a resident's data to the professional: each look leaves a record.
RESIDENT_PAGES = [
    "residents:detail",
    "residents:close",
    "residents:consents",
    "instrument:progress",
    "instrument:not_filled_in",
    "instrument:plan",
    "instrument:plan_pdf",
    "instrument:board",
    "instrument:correct",
    "instrument:conversation",
    "instrument:summary",
    "instrument:what_changed",
    "instrument:preparation",
]


@pytest.mark.parametrize("name", RESIDENT_PAGES)
def test_every_page_with_resident_data_is_logged(matrix_world, name):
    entry = MATRIX[name]
    resident_id = matrix_world["trajectory"].resident_id
    before = AccessLog.objects.filter(resident_id=resident_id, username="alice").count()
    response = call(
        client_for(matrix_world["users"]["alice"], sudo=True), name, entry, matrix_world
    )
    assert response.status_code == 200
    records = AccessLog.objects.filter(resident_id=resident_id, username="alice")
    assert records.count() == before + 1, name
    record = records.order_by("-id").first()
    assert record is not None
    assert record.action in ("read", "print") and record.role == "professional"
    assert record.client_address and record.organisation_id and record.object_type


# URLs about one resident's data: every refused call (403 or 404) leaves one record with
# outcome "refused" and whose data it was, so snooping can be seen (NEN 7513).
RESIDENT_URLS = [
    *RESIDENT_PAGES,
    "residents:open_trajectory",
    "residents:set_appointment",
    "residents:set_language",
    "residents:withdraw_consent",
    "residents:responsible",
    "instrument:new_measurement",
    "instrument:goal_progress",
    "instrument:set_wording",
    "instrument:discard",
    "instrument:conversation_return",
    "instrument:open_preparation",
    "feedback:trajectory",
    "screening:item",
    "screening:share",
    "screening:discussed",
    "privacy:resident",
    "privacy:inzage_pdf",
    "privacy:inzage_json",
    "privacy:register_erasure",
    "privacy:erasure",
]


@pytest.mark.parametrize("name", RESIDENT_URLS)
def test_every_refused_look_at_resident_data_is_logged(matrix_world, name):
    entry = MATRIX[name]
    resident_id = matrix_world["trajectory"].resident_id
    refused_users = [user for user, status in entry.expect.items() if status in (403, 404)]
    assert refused_users, f"{name}: the matrix refuses nobody"
    for user in refused_users:
        with transaction.atomic():
            before = AccessLog.objects.count()
            response = call(
                client_for(matrix_world["users"][user], sudo=True), name, entry, matrix_world
            )
            assert response.status_code in (403, 404), (name, user)
            new = list(AccessLog.objects.order_by("id")[before:])
            assert [(r.outcome, r.resident_id, r.username) for r in new] == [
                (AccessLog.Outcome.REFUSED, resident_id, user)
            ], (name, user)
            assert new[0].object_id, (name, user)
            transaction.set_rollback(True)


def test_a_search_beyond_ones_rights_is_refused_and_logged(matrix_world):
    response = client_for(matrix_world["users"]["quinn"]).post(
        reverse("residents:search"), {"q": "Y"}
    )
    assert response.status_code == 404
    record = AccessLog.objects.get(username="quinn")
    assert (record.action, record.outcome) == ("search", AccessLog.Outcome.REFUSED)
