"""Server CPU per request of the load mix (issue 16.3), per endpoint, without a network.

    bin/with-postgres env WATTELT_DEBUG=0 WATTELT_SECRET_KEY=cpu-only \
        WATTELT_ALLOWED_HOSTS=testserver WATTELT_SSL_REDIRECT=0 WATTELT_SECURE_COOKIES=0 \
        .venv/bin/python -m bench.request_cpu --residents 10000 [--profile "start page"]

(`make request-cpu` runs that, after collecting the static files into a WATTELT_STATIC_ROOT
of its own, as production's hashed-name storage needs.) Production settings (debug off: the cached
template loader, no query log), Django's test Client through the whole middleware stack,
on PostgreSQL. The endpoints and the order of bench/locustfile.py's mix: a professional's
start page, resident, progress, and sittings (new measurement, the draft board, three
autosaves as JSON, confirm); a team coach's dashboard and adoption page; an analyst's
dashboard and CSV export. Per endpoint: the CPU time of this process (Django: middleware,
views, templates, the database driver) and of the PostgreSQL server's process tree
(from /proc; 10 ms ticks, so only the mean over many requests means something), and the
SQL queries and Python function calls per request (a separate pass: counting turns the
query log and a profiler on; the calls are the figure other load disturbs least).

--profile NAME runs cProfile (on the CPU clock) over that endpoint's requests and prints
the functions with the most own time and the most cumulative time; --profile-out FILE
also keeps the profile for pstats (callers and callees of a function).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from bench import setup_django

setup_django()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.generate import generate  # noqa: E402
from bench.load import analysts, coaches, publish_for  # noqa: E402
from bench.pages import choose_professional, log_in  # noqa: E402
from bench.serving import cpu_seconds, postmaster_pid  # noqa: E402
from wattelt.instrument.models import Domain  # noqa: E402
from wattelt.residents.models import Trajectory  # noqa: E402

REVIEW = re.compile(r'name="review-(\d+)-status" value="(\w+)"')
REVISION = re.compile(r'name="revision" value="(\d+)"')
MEASUREMENT = re.compile(r"/metingen/(\d+)/")


@dataclass
class Cost:
    name: str
    app_ms: list[float] = field(default_factory=list)
    db_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    calls: list[int] = field(default_factory=list)
    """Python function calls per request: a measure of the work that other load on the
    machine does not disturb (the CPU times do)."""
    statuses: set[int] = field(default_factory=set)


class Meter:
    """Times requests per endpoint: this process's CPU, PostgreSQL's, optionally the
    queries (a pass of its own) or a profile of one endpoint."""

    def __init__(self, count_queries: bool, profile: str | None) -> None:
        self.costs: dict[str, Cost] = {}
        self.count_queries = count_queries
        self.profile = profile
        self.profiler = cProfile.Profile(time.process_time)  # CPU, not waiting
        self.database = postmaster_pid()

    def request(self, name: str, call: Callable[[], object]) -> object:
        cost = self.costs.setdefault(name, Cost(name))
        db_before = cpu_seconds(self.database) if self.database else 0.0
        profiling = self.profile == name
        if self.count_queries:
            counting = cProfile.Profile()
            with CaptureQueriesContext(connection) as captured:
                counting.enable()
                response = call()
                counting.disable()
            cost.queries.append(len(captured.captured_queries))
            cost.calls.append(pstats.Stats(counting).total_calls)  # type: ignore[attr-defined]
        else:
            if profiling:
                self.profiler.enable()
            began = time.process_time()
            response = call()
            cost.app_ms.append(1000 * (time.process_time() - began))
            if profiling:
                self.profiler.disable()
        if self.database:
            cost.db_ms.append(1000 * (cpu_seconds(self.database) - db_before))
        cost.statuses.add(int(getattr(response, "status_code", 0)))
        return response


def board_fields(
    action: str, revision: str, goal: str, keys: list[str], reviews: dict[str, str]
) -> str:
    """What the board's script posts (as bench/locustfile.py does)."""
    fields: list[tuple[str, str]] = [
        ("revision", revision),
        ("action", action),
        ("quality_of_life", "6"),
        ("goal-0-id", goal),
        ("goal-0-own_words", "Ik wil rust over mijn geld"),
        ("goal-0-domains", keys[0]),
        ("priority", keys[0]),
    ]
    for n, key in enumerate(keys):
        fields += [("chosen", key), (f"chip-resident-{key}", str(20 + 25 * n))]
    fields += [(f"review-{goal_id}-status", status) for goal_id, status in reviews.items()]
    return urlencode(fields)


def sitting(meter: Meter, client: Client, trajectory: int, domains: list[str]) -> None:
    started: Any = meter.request(
        "new measurement",
        lambda: client.post(
            f"/trajecten/{trajectory}/meting/",
            data="kind=",
            content_type="application/x-www-form-urlencoded",
        ),
    )
    found = MEASUREMENT.search(started.headers.get("Location") or "")
    if not found:
        raise SystemExit(f"bench: no draft for trajectory {trajectory}: {started.status_code}")
    board = f"/metingen/{found.group(1)}/"
    page: Any = meter.request("board (draft)", lambda: client.get(board))
    text = page.content.decode()
    revision = REVISION.search(text)
    if revision is None:
        raise SystemExit(f"bench: the draft board {board} has no revision field")
    reviews: dict[str, str] = {}
    for goal_id, status in REVIEW.findall(text):
        reviews.setdefault(goal_id, status)
    keys = random.sample(domains, 3)
    state = {"revision": revision.group(1), "goal": ""}
    for placed in (1, 2, 3):
        body = board_fields("save", state["revision"], state["goal"], keys[:placed], reviews)
        saved: Any = meter.request(
            "board autosave",
            lambda body=body: client.post(  # type: ignore[misc]
                board,
                data=body,
                content_type="application/x-www-form-urlencoded",
                HTTP_ACCEPT="application/json",
            ),
        )
        answer = saved.json()
        state["revision"] = str(answer["revision"])
        state["goal"] = str(answer.get("goal_ids", {}).get("0", state["goal"]))
    body = board_fields("confirm", state["revision"], state["goal"], keys, reviews)
    confirmed: Any = meter.request(
        "board confirm",
        lambda: client.post(
            board,
            data=body,
            content_type="application/x-www-form-urlencoded",
            HTTP_ACCEPT="application/json",
        ),
    )
    if "redirect" not in confirmed.json():
        raise SystemExit(f"bench: not confirmed: {confirmed.content[:300]!r}")


def run(meter: Meter, rounds: int, seed: int, figures: bool = True) -> None:
    """The mix in rounds, every endpoint in turn, so bursts from elsewhere hit all alike.
    Without `figures`, only the professional's endpoints (no coach or analyst)."""
    rng = random.Random(seed)
    subject = choose_professional()
    professional = log_in(subject.professional)
    trajectories = list(
        Trajectory.objects.filter(responsible=subject.professional, ended_on__isnull=True)
        .order_by("pk")
        .values_list("pk", "resident_id")
    )
    domains = sorted(set(Domain.objects.values_list("key", flat=True)))
    coach = log_in(coaches(1)[0]) if figures else None
    analyst = log_in(analysts(1)[0]) if figures else None
    for n in range(rounds):
        trajectory, resident = rng.choice(trajectories)
        meter.request("start page", lambda: professional.get("/"))
        meter.request(FLOOR, lambda: professional.get("/hulp/"))
        meter.request("resident", lambda r=resident: professional.get(f"/inwoners/{r}/"))  # type: ignore[misc]
        meter.request("progress", lambda t=trajectory: professional.get(f"/trajecten/{t}/"))  # type: ignore[misc]
        if n % 2 == 0:
            sitting(meter, professional, trajectory, domains)
        if coach is None or analyst is None:
            continue
        meter.request("dashboard (coach)", lambda: coach.get("/monitoring/"))
        meter.request("adoption (coach)", lambda: coach.get("/gebruik/"))
        meter.request("dashboard (analyst)", lambda: analyst.get("/monitoring/"))
        meter.request("CSV export (analyst)", lambda: analyst.get("/monitoring/export.csv"))


FLOOR = "help index (floor)"
"""Not in the mix: the lightest page behind the login, what every page costs before its
own work (the load's `--scenario floor`)."""

# The load mix's weights per endpoint (bench/locustfile.py: professionals 7 x (start 3,
# resident 2, progress 2, sitting 1 + its progress), coaches 2 x (dashboard 2, adoption 1),
# analysts 1 x (dashboard 2, export 1)); from the 20:55 run's request counts at 25 users.
MIX = {
    "start page": 64,
    "progress": 50,
    "dashboard (coach)": 30,
    "resident": 30,
    "board autosave": 21,
    "adoption (coach)": 18,
    "dashboard (analyst)": 18,
    "CSV export (analyst)": 9,
    "new measurement": 9,
    "board (draft)": 8,
    "board confirm": 6,
}


def report(meter: Meter) -> str:
    header = (
        f"{'endpoint':<22} {'n':>4} {'app ms':>7} {'db ms':>6} {'cpu ms':>7} "
        f"{'queries':>7} {'calls':>7} {'status':>8}"
    )
    lines = [header, "-" * len(header)]
    weighted, weights, weighted_calls = 0.0, 0, 0.0
    for name in MIX:
        cost = meter.costs.get(name)
        if cost is None:
            continue
        app = statistics.median(cost.app_ms) if cost.app_ms else 0.0
        db = statistics.mean(cost.db_ms) if cost.db_ms else 0.0
        queries = f"{max(cost.queries)}" if cost.queries else "-"
        calls = f"{statistics.median(cost.calls) / 1000:.1f}k" if cost.calls else "-"
        statuses = ",".join(str(s) for s in sorted(cost.statuses))
        lines.append(
            f"{name:<22} {len(cost.app_ms):>4} {app:>7.1f} {db:>6.1f} {app + db:>7.1f} "
            f"{queries:>7} {calls:>7} {statuses:>8}"
        )
        weighted += MIX[name] * (app + db)
        weighted_calls += MIX[name] * (statistics.median(cost.calls) if cost.calls else 0)
        weights += MIX[name]
    lines.append(
        f"mix (weighted as the load run's requests): {weighted / weights:.1f} ms CPU per request"
        f", {weighted_calls / weights / 1000:.1f}k calls"
        " (app: median of this process's CPU; db: mean of PostgreSQL's)"
    )
    floor = meter.costs.get(FLOOR)
    if floor and floor.app_ms:
        app = statistics.median(floor.app_ms)
        db = statistics.mean(floor.db_ms) if floor.db_ms else 0.0
        calls = f", {statistics.median(floor.calls) / 1000:.1f}k calls" if floor.calls else ""
        lines.append(f"not in the mix, {FLOOR}: {app + db:.1f} ms CPU per request{calls}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.request_cpu", description=__doc__)
    parser.add_argument("--residents", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--profile", help="an endpoint's name, e.g. 'start page'")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--profile-out", help="also write the profile to this file (pstats)")
    parser.add_argument("--reuse", action="store_true", help="use the database as it is")
    parser.add_argument(
        "--professional-only",
        action="store_true",
        help="only a professional's endpoints: no publish, no coach or analyst pages",
    )
    args = parser.parse_args(argv)
    if connection.vendor != "postgresql":
        print("bench: needs PostgreSQL (run it inside bin/with-postgres)")
        return 2
    if not args.reuse:
        generate(args.residents, args.seed)
        from django.core.management import call_command

        call_command("rebuild_monitoring_summary", verbosity=0)
    figures = not args.professional_only
    if figures:
        publish_for(coaches(1) + analysts(1))
    warm = Meter(count_queries=False, profile=None)
    run(warm, 3, args.seed, figures)  # imports, caches, the first publish of every view
    counted = Meter(count_queries=True, profile=None)
    run(counted, 4, args.seed + 1, figures)
    meter = Meter(count_queries=False, profile=args.profile)
    run(meter, args.rounds, args.seed + 2, figures)
    for name, cost in counted.costs.items():
        meter.costs[name].queries, meter.costs[name].calls = cost.queries, cost.calls
    print(f"load average {os.getloadavg()[0]:.1f}; {args.rounds} rounds")
    print(report(meter))
    if args.profile:
        if args.profile_out:
            meter.profiler.dump_stats(args.profile_out)
        for order in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(meter.profiler, stream=out).sort_stats(order).print_stats(args.top)
            print(out.getvalue())
    bad = {n: c.statuses for n, c in meter.costs.items() if c.statuses - {200, 302}}
    if bad:
        print(f"bench: unexpected statuses: {bad}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
