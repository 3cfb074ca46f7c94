"""Server time of the pages a professional uses all day, on a large data set.

    bin/with-postgres env WATTELT_DEBUG=1 .venv/bin/python -m bench.pages [--residents N]

Generates the data set (bench.generate, 100,000 residents by default), logs in as a
professional responsible for 50-250 open trajectories and requests, through Django's
test Client (the whole middleware stack, no network), the start page, the resident
page, the board of a draft and of a confirmed measurement, and the progress page of a
trajectory with 3-5 measurements. Per page: a warm-up, then --requests requests spread
over that professional's objects; the median and 95th percentile of the wall time, the
number of SQL queries per request, and the queries that took the most time. Exits 1
when a page answers anything but 200, 2 when it cannot run (not PostgreSQL).
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import re
import statistics
import sys
import time
import traceback
from dataclasses import dataclass, field

from django.apps import apps
from django.core.management import call_command
from django.db import connection, reset_queries
from django.db.models import Count
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.generate import DEFAULT_RESIDENTS, count_rows, generate, require_postgresql
from bench.page_report import TARGET_P95_MS, load, out, report
from wattelt.instrument import services
from wattelt.instrument.forms import BoardParser
from wattelt.instrument.models import Measurement
from wattelt.organisations.models import Staff
from wattelt.residents.models import Trajectory

OPEN_RANGE = (50, 250)
PAGE_SIZE = 25  # the start page's paginator
DRAFTS_TO_CREATE = 30
SLOW_QUERIES_SHOWN = 3
DRAFT_PAGE = "board (draft)"


@dataclass
class QueryStats:
    sql: str  # one example, with its parameters
    count: int = 0
    total_ms: float = 0.0
    max_ms: float = 0.0


@dataclass
class PageResult:
    name: str
    example: str
    objects: int
    times_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)  # this process's CPU time
    db_ms: list[float] = field(default_factory=list)  # sum of the SQL statements' times
    queries: list[int] = field(default_factory=list)
    by_query: dict[str, QueryStats] = field(default_factory=dict)
    failure: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms) if self.times_ms else math.nan

    @property
    def p95(self) -> float:
        return percentile(self.times_ms, 95)

    @property
    def max(self) -> float:
        return max(self.times_ms) if self.times_ms else math.nan

    @property
    def ok(self) -> bool:
        return not self.failure and self.p95 < TARGET_P95_MS

    def slowest(self, n: int = SLOW_QUERIES_SHOWN) -> list[QueryStats]:
        return sorted(self.by_query.values(), key=lambda q: q.total_ms, reverse=True)[:n]


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


_LITERALS = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")


def query_shape(sql: str) -> str:
    """The query without its literal values, to group the executions of one query."""
    return re.sub(r"\(\?(?:, \?)+\)", "(?...)", _LITERALS.sub("?", sql))


# -- the professional and their objects --------------------------------------------------


@dataclass
class Subject:
    professional: Staff
    open_trajectories: int
    teams: list[str]


def choose_professional() -> Subject:
    """The professional with the most open trajectories within 50-250 (a busy but
    realistic caseload); on a small data set, simply the busiest one."""
    low, high = OPEN_RANGE
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT responsible_id, count(*) AS n FROM residents_trajectory"
            " WHERE ended_on IS NULL GROUP BY responsible_id"
            " ORDER BY (count(*) BETWEEN %s AND %s) DESC, n DESC LIMIT 1",
            [low, high],
        )
        row = cursor.fetchone()
    if row is None:
        raise SystemExit("bench: the data set has no open trajectories")
    professional = Staff.objects.get(pk=row[0])
    if not low <= row[1] <= high:
        print(
            f"bench: note: no professional has {low}-{high} open trajectories "
            f"(small data set?); using {professional.username} with {row[1]}",
            file=sys.stderr,
        )
    teams = [f"{m.team.name} ({m.role})" for m in professional.memberships.select_related("team")]
    return Subject(professional, row[1], teams)


def draft_input(measurement: Measurement, keys: list[str]) -> QueryDict:
    """What the board posts after a few minutes' work: chips placed, one priority."""
    data = QueryDict(mutable=True)
    data["revision"] = str(measurement.revision)
    data["quality_of_life"] = "6"
    for n, key in enumerate(keys):
        data.appendlist("chosen", key)
        data[f"chip-resident-{key}"] = str(20 + 15 * n)
    data.appendlist("priority", keys[0])
    return data


def prepare_drafts(professional: Staff, count: int) -> list[int]:
    """Drafts on the professional's open trajectories: the ones in the data set plus new
    ones made through the services (start_measurement, then save_draft with chips)."""
    mine = Trajectory.objects.filter(responsible=professional, ended_on__isnull=True)
    existing = list(
        Measurement.objects.filter(trajectory__in=mine, status=Measurement.Status.DRAFT)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    without_draft = (
        mine.exclude(measurements__status=Measurement.Status.DRAFT)
        .select_related("team__organisation")
        .order_by("pk")[: max(0, count - len(existing))]
    )
    created = []
    for n, trajectory in enumerate(without_draft):
        draft = services.start_measurement(trajectory, professional)
        if n % 3:  # two in three drafts already have chips on the board
            domains = list(draft.catalogue.domains.all())
            keys = [d.key for d in domains[n % 5 :: 3]][:5]
            board = BoardParser(draft_input(draft, keys), domains).parse()
            draft = services.save_draft(draft, professional, board)
        created.append(draft.pk)
    return existing + created


@dataclass
class Plan:
    name: str
    urls: list[str]


def plans(subject: Subject, drafts: list[int], limit: int, seed: int) -> list[Plan]:
    professional = subject.professional
    mine = Trajectory.objects.filter(responsible=professional)
    pages = max(1, math.ceil(subject.open_trajectories / PAGE_SIZE))
    start_urls = [reverse("start")] + [f"{reverse('start')}?page={p}" for p in range(2, pages + 1)]
    residents = list(
        mine.order_by("resident_id").values_list("resident_id", flat=True).distinct()[:limit]
    )
    confirmed = list(
        Measurement.objects.filter(trajectory__in=mine, status=Measurement.Status.CONFIRMED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    confirmed = random.Random(seed).sample(confirmed, min(limit, len(confirmed)))
    with_history = list(
        mine.filter(measurements__status=Measurement.Status.CONFIRMED)
        .annotate(n=Count("measurements"))
        .filter(n__gte=3, n__lte=5)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    return [
        Plan("start page", start_urls),
        Plan("resident page", [reverse("residents:detail", args=[pk]) for pk in residents]),
        Plan(DRAFT_PAGE, [reverse("instrument:board", args=[pk]) for pk in drafts]),
        Plan("board (confirmed)", [reverse("instrument:board", args=[pk]) for pk in confirmed]),
        Plan(
            "progress (3-5 meas.)",
            [reverse("instrument:progress", args=[pk]) for pk in with_history],
        ),
    ]


def log_in(professional: Staff) -> Client:
    """A client logged in as the professional, past the second factor when the app
    asks for one (django-otp: the session names a confirmed device)."""
    client = Client()
    client.force_login(professional)
    if apps.is_installed("django_otp.plugins.otp_totp"):
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device, _ = TOTPDevice.objects.get_or_create(
            user=professional, name="bench", defaults={"confirmed": True}
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


# -- measuring ---------------------------------------------------------------------------


def fetch(client: Client, url: str) -> tuple[int, str]:
    """Status and, when not 200, what went wrong."""
    try:
        response = client.get(url)
    except Exception:
        return 500, f"GET {url} raised:\n{traceback.format_exc()}"
    if response.status_code != 200:
        location = response.headers.get("Location")
        if location:
            return response.status_code, f"GET {url} answered {response.status_code} -> {location}"
        body = response.content[:600].decode("utf-8", "replace")
        return response.status_code, f"GET {url} answered {response.status_code}:\n{body}"
    return 200, ""


def measure(client: Client, page_plans: list[Plan], requests: int, warmup: int) -> list[PageResult]:
    """Warm every page up, then request the pages in turns (one request per page per
    round), so that a burst of load from elsewhere on the machine hits all pages alike."""
    results = [PageResult(p.name, p.urls[0] if p.urls else "", len(p.urls)) for p in page_plans]
    for plan, result in zip(page_plans, results, strict=True):
        if not plan.urls:
            result.failure = "no objects of this kind for the professional"
        for n in range(warmup if plan.urls else 0):
            status, problem = fetch(client, plan.urls[n % len(plan.urls)])
            if status != 200:
                result.failure = problem
                break
    for n in range(requests):
        for plan, result in zip(page_plans, results, strict=True):
            if not result.failure:
                request_once(client, plan.urls[n % len(plan.urls)], result)
    return results


def request_once(client: Client, url: str, result: PageResult) -> None:
    # CaptureQueriesContext counts by index into the query log, which holds 9000 entries
    # at most: start each request with an empty log.
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        began, cpu_began = time.perf_counter(), time.process_time()
        status, problem = fetch(client, url)
        elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu_began
    if status != 200:
        result.failure = problem
        return
    result.times_ms.append(elapsed * 1000)
    result.cpu_ms.append(cpu * 1000)
    result.queries.append(len(captured.captured_queries))
    result.db_ms.append(sum(float(q["time"]) * 1000 for q in captured.captured_queries))
    for query in captured.captured_queries:
        sql, ms = query["sql"], float(query["time"]) * 1000
        stats = result.by_query.setdefault(query_shape(sql), QueryStats(sql))
        stats.count += 1
        stats.total_ms += ms
        if ms > stats.max_ms:
            stats.max_ms, stats.sql = ms, sql


def serve_as_gunicorn() -> None:
    """Load the app as gunicorn's preloaded master does (`wattelt.wsgi`: warmed up, its
    start-up frozen out of full collections), so the pages are measured as a worker
    serves them. Only in the page benches: a publish run (bench.monitoring) is a cron
    job's process, which does not load the WSGI application."""
    import wattelt.wsgi  # noqa: F401


def main(argv: list[str] | None = None) -> int:
    serve_as_gunicorn()
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__)
    parser.add_argument("--residents", type=int, default=DEFAULT_RESIDENTS)
    parser.add_argument("--requests", type=int, default=200, help="measured requests per page")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured requests per page")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--reset", action="store_true", help="TRUNCATE every wattelt table first (destructive)"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="do not generate: measure the data set in the database"
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="EXPLAIN ANALYZE the costliest SELECT of every page, not only of slow ones",
    )
    args = parser.parse_args(argv)
    if args.residents < 1 or args.requests < 1 or args.warmup < 0:
        parser.error("--residents and --requests must be positive, --warmup not negative")
    try:
        require_postgresql()
    except SystemExit as exc:
        print(exc, file=sys.stderr)
        return 2

    started = dt.datetime.now().astimezone()
    if args.reuse:
        call_command("migrate", interactive=False, verbosity=0)  # the app may have moved on
        residents = count_rows(["residents_resident"])["residents_resident"]
        out(f"bench: reusing the data set in the database ({residents:,} residents)")
    else:
        generate(args.residents, args.seed, args.reset)
        call_command("rebuild_adoption_summary", verbosity=0)  # generated rows bypass it
        residents = args.residents

    subject = choose_professional()
    try:
        drafts, draft_problem = prepare_drafts(subject.professional, DRAFTS_TO_CREATE), ""
    except Exception:
        drafts, draft_problem = (
            [],
            f"making drafts through the services raised:\n{traceback.format_exc()}",
        )
    page_plans = plans(subject, drafts, args.requests, args.seed)
    client = log_in(subject.professional)
    load_before = load()

    results = measure(client, page_plans, args.requests, args.warmup)
    for result in results:
        if result.name == DRAFT_PAGE and draft_problem:
            result.failure = draft_problem + (f"\n{result.failure}" if result.failure else "")

    about = [
        f"{residents:,} residents; professional {subject.professional.username}: "
        f"{subject.open_trajectories} open trajectories; teams: {', '.join(subject.teams)}",
        f"{args.warmup} warm-up + {args.requests} measured requests per page through the test "
        "Client, the pages in turns",
    ]
    return report("bench.pages", started, load_before, about, results, args.explain)


if __name__ == "__main__":
    sys.exit(main())
