"""Server time of every page in every role's menu, on a large data set (bench.pages
measures the professional's own pages, over many objects; this measures the rest).

    bin/with-postgres env WATTELT_DEBUG=1 .venv/bin/python -m bench.role_pages --reuse

Per role (professional, team coach, quality officer, organisation admin, privacy officer,
municipality analyst) a user of the data set (the busiest professional, the first team
coach) or one made for the bench in the first organisation; every page the header
offers that role (`navigation.LINKS`), and the adoption page per team and per
professional where the role may choose them. Through Django's test Client as in
bench.pages: a warm-up (a monitoring dashboard's first view publishes its figures), then
--requests requests per page in turns; median, p95 and the queries. Exits 1 when a page
answers anything but 200, 2 when it cannot run (not PostgreSQL).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time

from django.core.management import call_command
from django.urls import reverse
from django.utils.http import urlencode

from bench.generate import count_rows, require_postgresql
from bench.page_report import load, out, report
from bench.pages import PageResult, Plan, choose_professional, log_in, measure, serve_as_gunicorn
from wattelt import navigation
from wattelt.organisations.models import Membership, Organisation, Role, Staff
from wattelt.organisations.two_factor import REAUTHENTICATED_AT
from wattelt.residents.models import Trajectory

ROLES = [
    navigation.PROFESSIONAL,
    navigation.COACH,
    navigation.QUALITY,
    navigation.ADMIN,
    navigation.PRIVACY,
    navigation.ANALYST,
]
SHORT = {
    navigation.PROFESSIONAL: "prof",
    navigation.COACH: "coach",
    navigation.QUALITY: "quality",
    navigation.ADMIN: "admin",
    navigation.PRIVACY: "privacy",
    navigation.ANALYST: "analyst",
}


def person_for(role: str) -> Staff:
    if role == navigation.PROFESSIONAL:
        return choose_professional().professional
    if role == navigation.COACH:
        membership = (
            Membership.objects.filter(role=Membership.Role.TEAMCOACH)
            .select_related("staff")
            .order_by("pk")
            .first()
        )
        if membership is None:
            raise SystemExit("bench: the data set has no team coach")
        return membership.staff
    organisation = Organisation.objects.order_by("pk").first()
    if organisation is None:
        raise SystemExit("bench: the data set has no organisation")
    user, _ = Staff.objects.get_or_create(
        username=f"bench-pages-{SHORT[role]}", defaults={"organisation": organisation}
    )
    Role.objects.get_or_create(staff=user, name=role)
    return user


def adoption_variants(person: Staff, role: str) -> list[Plan]:
    """The adoption page for one team and for one professional of it."""
    if role not in (navigation.COACH, navigation.QUALITY, navigation.ADMIN):
        return []
    if role == navigation.COACH:
        team_id = (
            person.memberships.filter(role=Membership.Role.TEAMCOACH)
            .order_by("team_id")
            .values_list("team_id", flat=True)
            .first()
        )
    else:
        team_id = (
            Trajectory.objects.filter(team__organisation=person.organisation)
            .order_by("team_id")
            .values_list("team_id", flat=True)
            .first()
        )
    if team_id is None:
        return []
    responsible = (
        Trajectory.objects.filter(team_id=team_id)
        .order_by("responsible_id")
        .values_list("responsible_id", flat=True)
        .first()
    )
    url = reverse("implementation:adoption")
    team = {"team": str(team_id)}
    return [
        Plan(f"{SHORT[role]}: adoption, team", [f"{url}?{urlencode(team)}"]),
        Plan(
            f"{SHORT[role]}: adoption, prof.",
            [f"{url}?{urlencode({**team, 'medewerker': str(responsible)})}"],
        ),
    ]


def role_plans(role: str, person: Staff) -> list[Plan]:
    plans = [
        Plan(f"{SHORT[role]}: {link.label}", [reverse(link.url_name)])
        for link in navigation.LINKS
        if link.offered_to({role})
    ]
    return plans + adoption_variants(person, role)


def main(argv: list[str] | None = None) -> int:
    serve_as_gunicorn()
    parser = argparse.ArgumentParser(prog="python -m bench.role_pages", description=__doc__)
    parser.add_argument("--requests", type=int, default=40, help="measured requests per page")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured requests per page")
    parser.add_argument("--role", choices=ROLES, action="append", help="only these roles")
    parser.add_argument(
        "--reuse", action="store_true", help="measure the data set in the database (required)"
    )
    args = parser.parse_args(argv)
    if not args.reuse:
        parser.error("generate the data set with bench.pages or bench.monitoring, then --reuse")
    try:
        require_postgresql()
    except SystemExit as exc:
        print(exc, file=sys.stderr)
        return 2
    started = dt.datetime.now().astimezone()
    call_command("migrate", interactive=False, verbosity=0)
    residents = count_rows(["residents_resident"])["residents_resident"]
    load_before = load()
    results: list[PageResult] = []
    for role in args.role or ROLES:
        person = person_for(role)
        out(f"bench: {role}: {person.username}")
        client = log_in(person)
        session = client.session  # the privacy officer's pages ask to confirm the login
        session[REAUTHENTICATED_AT] = time.time() + 24 * 3600
        session.save()
        results += measure(client, role_plans(role, person), args.requests, args.warmup)
    about = [
        f"{residents:,} residents",
        f"{args.warmup} warm-up + {args.requests} measured requests per page, in turns per role",
    ]
    return report("bench.role_pages", started, load_before, about, results)


if __name__ == "__main__":
    sys.exit(main())
