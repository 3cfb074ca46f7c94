"""Each role lands on its day's work: "Vandaag" for a professional, the most urgent first;
the team overview for a coach; the main screens for the organisation-wide roles."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import client_for, make_staff, staff_with_role
from wattelt.demo import data as demo
from wattelt.implementation import services as implementation
from wattelt.instrument import services as instrument
from wattelt.organisations.models import Membership, Role, Staff, Team
from wattelt.residents import services as residents
from wattelt.residents.models import Resident, Trajectory
from wattelt.start import selectors

ROW = re.compile(r'<tr class="utrecht-table__row( is-(overdue|due))?">')


def _resident(by: Staff, district, n: int) -> Resident:  # type: ignore[no-untyped-def]
    return residents.register_resident(
        residents.ResidentInput(
            first_name=demo.FIRST[n % len(demo.FIRST)],
            last_name=demo.LAST[n * 7 % len(demo.LAST)],
            date_of_birth=dt.date(1980, 1, 1),
            district=district,
        ),
        by,
    )


def make_caseload(
    professional: Staff,
    team: Team,
    district,
    overdue: int,
    due: int,
    later: int,  # type: ignore[no-untyped-def]
) -> list[Trajectory]:
    """Like professional1a in the demo: the overdue trajectories had no activity for a
    long time, the ones not due yet were worked on recently."""
    today = timezone.localdate()
    now = timezone.now()
    made = []
    plan = (
        [("overdue", n) for n in range(overdue)]
        + [("due", n) for n in range(due)]
        + [("later", n) for n in range(later)]
    )
    for number, (state, n) in enumerate(plan):
        started = today - dt.timedelta(days=300)
        trajectory = residents.open_trajectory(
            _resident(professional, district, number), team, professional, started
        )
        # Something was recorded: overdue is a follow-up, not a missing start measurement.
        instrument.record_not_filled_in(trajectory, professional, "start", "declined")
        due_on, active = {
            "overdue": (today - dt.timedelta(days=10 + n), now - dt.timedelta(days=120 + n)),
            "due": (today + dt.timedelta(days=3 + n), now - dt.timedelta(days=60 + n)),
            "later": (today + dt.timedelta(days=60 + n), now - dt.timedelta(hours=1 + n)),
        }[state]
        Trajectory.objects.filter(pk=trajectory.pk).update(
            measurement_due_on=due_on, last_activity_at=active
        )
        made.append(trajectory)
    return made


def states_on_page(content: str) -> list[str]:
    body = content.split('<tbody class="utrecht-table__body">', 1)[-1]
    return [match.group(2) or "" for match in ROW.finditer(body)] if "<tbody" in content else []


def test_overdue_and_due_come_first_on_the_first_page(alice, team, district, catalogue):
    # professional1a in the demo: 31 overdue and 3 due among 66 open trajectories.
    make_caseload(alice, team, district, overdue=31, due=3, later=32)
    page = client_for(alice).get(reverse("start"))
    assert page.status_code == 200
    states = states_on_page(page.content.decode())
    assert len(states) == 25
    assert states == ["overdue"] * 25, "the most overdue first, the whole first page"
    second = client_for(alice).get(reverse("start"), {"page": 2})
    assert states_on_page(second.content.decode()) == ["overdue"] * 6 + ["due"] * 3 + [""] * 16


def test_before_the_fix_the_first_overdue_was_far_down(alice, team, district, catalogue):
    """The old order (latest activity first) put the first overdue one at position 36
    of this caseload; the new order at position 1."""
    make_caseload(alice, team, district, overdue=31, due=3, later=32)
    today = timezone.localdate()
    old = list(Trajectory.objects.filter(responsible=alice).order_by("-last_activity_at", "-pk"))
    new = list(selectors.professional_work(alice, selectors.MINE, selectors.ALL, today))
    first_overdue = [
        next(i for i, t in enumerate(rows, 1) if t.measurement_due_on < today)
        for rows in (old, new)
    ]
    assert first_overdue == [36, 1]


def test_the_filters_show_overdue_due_mine_and_team(alice, team, district, organisation, catalogue):
    colleague = make_staff("carol", organisation, team, Membership.Role.PROFESSIONAL)
    make_caseload(alice, team, district, overdue=2, due=1, later=1)
    make_caseload(colleague, team, district, overdue=3, due=0, later=0)
    client = client_for(alice)

    def shown(**query: str) -> list[str]:
        return states_on_page(client.get(reverse("start"), query).content.decode())

    assert shown(toon="te-laat") == ["overdue"] * 2
    assert shown(toon="binnenkort") == ["due"]
    assert shown(toon="alles", van="team") == ["overdue"] * 5 + ["due", ""]
    assert shown(toon="te-laat", van="team") == ["overdue"] * 5
    assert shown(toon="nonsense", van="nonsense") == ["overdue"] * 2 + ["due", ""]


def test_the_pages_count_each_filters_list(alice, team, district, organisation, catalogue):
    """The list's size is taken from the counts at the top (one query less): it is the
    number of rows each filter lists, page after page."""
    colleague = make_staff("carol", organisation, team, Membership.Role.PROFESSIONAL)
    make_caseload(alice, team, district, overdue=27, due=2, later=1)
    make_caseload(colleague, team, district, overdue=1, due=3, later=0)
    client, today = client_for(alice), timezone.localdate()
    for show in (selectors.ALL, selectors.OVERDUE, selectors.DUE):
        for scope in (selectors.MINE, selectors.TEAM):
            query = {"toon": show, "van": scope}
            listed = selectors.professional_work(alice, scope, show, today).count()
            first = client.get(reverse("start"), query).context["page"]
            assert first.paginator.count == listed, query
            last = client.get(reverse("start"), {**query, "page": 2}).context["page"]
            shown = len(first.object_list) + (len(last.object_list) if last.number == 2 else 0)
            assert shown == listed, query


def test_counts_at_the_top_include_missing_start_measurements(
    alice, bob, team, district, catalogue
):
    today = timezone.localdate()
    make_caseload(alice, team, district, overdue=2, due=1, later=1)
    never_measured = residents.open_trajectory(
        _resident(alice, district, 99), team, alice, today - dt.timedelta(days=40)
    )  # due date: start + the grace period, passed
    counts = selectors.work_counts(alice, today)
    assert never_measured.measurement_due_on is not None
    assert counts["mine"] == {"total": 5, "overdue": 3, "due": 1, "start_missing": 1}
    assert counts["team"] == counts["mine"]
    grace = alice.organisation.start_measurement_grace_days
    one_by_one = [
        t.pk for t in Trajectory.objects.open() if implementation.start_missing(t, grace, today)
    ]
    assert one_by_one == [never_measured.pk], "the count and the reminder agree"
    # Overdue with nothing recorded, but not by the grace period (a due date of another
    # rule): no badge in the list, so not counted either.
    Trajectory.objects.filter(pk=never_measured.pk).update(
        measurement_due_on=today - dt.timedelta(days=3)
    )
    counts = selectors.work_counts(alice, today)
    assert counts["mine"] == {"total": 5, "overdue": 3, "due": 1, "start_missing": 0}
    assert selectors.coach_overview(bob, today)[0]["start_missing"] == 0
    Trajectory.objects.filter(pk=never_measured.pk).update(
        measurement_due_on=never_measured.started_on + dt.timedelta(days=grace)
    )
    assert selectors.work_counts(alice, today)["team"]["start_missing"] == 1
    assert selectors.coach_overview(bob, today)[0]["start_missing"] == 1


def _queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_start_page_makes_a_fixed_number_of_queries(alice, bob, team, district, catalogue):
    make_caseload(alice, team, district, overdue=2, due=1, later=1)
    professional, coach = client_for(alice), client_for(bob)
    few = (_queries(professional, reverse("start")), _queries(coach, reverse("start")))
    make_caseload(alice, team, district, overdue=20, due=10, later=30)
    many = (_queries(professional, reverse("start")), _queries(coach, reverse("start")))
    assert few == many
    # The coach's page also reads the published cube's description: two more queries.
    assert many[0] <= 20 and many[1] <= 14, many


def test_coach_sees_three_published_figures_of_this_quarter(alice, bob, team, district, catalogue):
    from wattelt.monitoring.cube import dashboard_scope
    from wattelt.monitoring.published import publish

    make_caseload(alice, team, district, overdue=2, due=1, later=12)
    today = timezone.localdate()
    before = client_for(bob).get(reverse("start")).content.decode()
    assert "Nog geen cijfers gepubliceerd voor dit kwartaal" in before, "never built on a view"
    scope = dashboard_scope(bob)
    assert scope is not None
    publish(scope, today.year, today, force=True)
    figures = selectors.team_figures(bob, today)
    assert figures is not None
    assert [f.label for f in figures.figures] == [
        "Gestarte trajecten",
        "Startmeting binnen 30 dagen",
        "Doelen behaald",
    ]
    page = client_for(bob).get(reverse("start")).content.decode()
    assert f"?period={figures.period.value}" in page
    for figure in figures.figures:
        assert figure.shown in page
    # Fewer than 10 residents behind a figure: shown as "<10", never the number.
    assert all(f.shown == "<10" or f.shown.rstrip("%").isdigit() for f in figures.figures)


def test_coach_sees_overdue_per_professional(alice, bob, team, district, organisation, catalogue):
    colleague = make_staff("carol", organisation, team, Membership.Role.PROFESSIONAL)
    make_caseload(alice, team, district, overdue=1, due=1, later=1)
    make_caseload(colleague, team, district, overdue=3, due=0, later=0)
    totals, rows = selectors.coach_overview(bob, timezone.localdate())
    assert totals["overdue"] == 4 and totals["total"] == 6
    assert [(r.name, r.overdue, r.due, r.total) for r in rows] == [
        ("Carol Test", 3, 0, 3),
        ("Alice Test", 1, 1, 3),
    ]
    page = client_for(bob).get(reverse("start")).content.decode()
    assert "Carol Test" in page and reverse("monitoring:dashboard") in page


ROLE_LINKS = {
    Role.Name.QUALITY_OFFICER: ["screening:rounds", "implementation:adoption"],
    Role.Name.ORGANISATION_ADMIN: ["implementation:organisation_settings", "guide:index"],
    Role.Name.MUNICIPALITY_ANALYST: ["monitoring:dashboard"],
    Role.Name.PRIVACY_OFFICER: ["privacy:start", "audit:access_log"],
}
HREF = re.compile(r'href="(/[^"]*)"')


def links_on(content: str) -> list[str]:
    main = content.split('<main id="main"', 1)[0].split("<header", 1)[-1]
    body = content.split('<main id="main"', 1)[1]
    return sorted({url.replace("&amp;", "&") for url in HREF.findall(main + body)})


@pytest.mark.parametrize("who", ["alice", "bob", *ROLE_LINKS])
def test_every_link_in_the_header_and_on_the_start_page_opens(
    who, alice, bob, organisation, trajectory
):
    user = {"alice": alice, "bob": bob}.get(who) or staff_with_role(
        f"user-{who}", organisation, Role.Name(who)
    )
    client = client_for(user, sudo=True)  # some screens ask for the password again
    page = client.get(reverse("start"))
    assert page.status_code == 200
    content = page.content.decode()
    assert "Nieuwe inwoner" not in content or who == "alice", "no button that ends in 403"
    for name in ROLE_LINKS.get(who, []):
        assert reverse(name) in content, name
    for url in links_on(content):
        if url.startswith(("/static/", "/i18n/")):
            continue
        assert client.get(url).status_code == 200, url


def test_organisation_admin_sees_teams_and_users_in_a_fixed_number_of_queries(
    alice, bob, organisation, team
):
    admin = staff_with_role("olga", organisation, Role.Name.ORGANISATION_ADMIN)
    client = client_for(admin)
    few = _queries(client, reverse("start"))
    for n in range(5):
        make_staff(f"extra{n}", organisation, team, Membership.Role.PROFESSIONAL)
    many = _queries(client, reverse("start"))
    assert few == many
    page = client.get(reverse("start")).content.decode()
    assert "Medewerkers van de organisatie" in page
    assert "Alice Test" in page and "Team Noord (professional)" in page
    assert "Bob Test" in page and "Team Noord (teamcoach)" in page
    assert "Olga Test" in page and "functioneel beheerder" in page
