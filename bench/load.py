"""Load from 10 to 100 users (issue 16.3): locust against gunicorn in production mode on
PostgreSQL at 100,000 residents.

    make load [LOAD_RESIDENTS=100000 LOAD_USERS="10 25 50 75 100" LOAD_SECONDS=40]

runs, inside bin/with-postgres,

    python -m bench.load --residents 100000 --users 10 25 50 75 100 --seconds 40

1. generates the data set (bench.generate), rebuilds the monitoring summary;
2. logs people in as after a real login with the second factor (bench.pages.log_in:
   a session in the database naming a confirmed TOTP device; no code is typed) and
   writes their session keys with what they work on to a JSON file for
   bench/locustfile.py: the --professionals (70) with the most open trajectories, the
   first --coaches (4) team coaches, and --analysts (10) of the municipality made for
   the run;
3. publishes the figures those coaches and analysts see (a dashboard request each, as
   the first view after the cron job), so the load measures served figures, not builds;
4. starts gunicorn with deploy/gunicorn.conf.py, debug off, and warms it up;
5. per step, `locust --headless -u N` for --seconds; prints per step requests/s,
   median, p95, p99, failures, the 1-minute load average before and after, and the CPU
   time our gunicorn and PostgreSQL process trees used (per request: the figure other
   work on a shared machine disturbs least), then the endpoints of the busiest step.

Exits 1 when a request failed. The target (issue 16.3) is printed beside the figures:
>= 300 requests/s at 50 users, p95 <= 100 ms, no errors.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import setup_django

setup_django()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bench.generate import generate  # noqa: E402
from bench.pages import log_in  # noqa: E402
from bench.serving import ROOT, Server, cpu_seconds, free_port, postmaster_pid  # noqa: E402
from wattelt.instrument.models import Domain  # noqa: E402
from wattelt.organisations.models import Membership, Organisation, Role, Staff  # noqa: E402

TARGET_USERS, TARGET_RPS, TARGET_P95_MS = 50, 300.0, 100.0
SCENARIOS = {  # bench/locustfile.py's user classes per scenario
    "mix": ["Professional", "Coach", "Analyst"],
    "sitting": ["Sitting"],
    "floor": ["Floor"],
    "http": ["Liveness"],
}
TRAJECTORIES_PER_PROFESSIONAL = 60


def load_average() -> float:
    return os.getloadavg()[0]


# -- who works, and on what ----------------------------------------------------------------


def professionals(count: int, domains: list[str]) -> list[dict[str, Any]]:
    """The professionals with the most open trajectories, each with those trajectories."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.responsible_id, array_agg(t.id ORDER BY t.id),"
            " array_agg(t.resident_id ORDER BY t.id) FROM residents_trajectory t"
            " WHERE t.ended_on IS NULL GROUP BY t.responsible_id"
            " ORDER BY count(*) DESC, t.responsible_id LIMIT %s",
            [count],
        )
        rows = cursor.fetchall()
    people: list[dict[str, Any]] = []
    for staff_pk, trajectories, residents in rows:
        pairs = list(zip(trajectories, residents, strict=True))[:TRAJECTORIES_PER_PROFESSIONAL]
        people.append(
            {
                "session": session_of(Staff.objects.get(pk=staff_pk)),
                "trajectories": [{"trajectory": t, "resident": r} for t, r in pairs],
                "domains": domains,
            }
        )
    return people


def coaches(count: int) -> list[Staff]:
    seen: dict[int, Staff] = {}
    for membership in (
        Membership.objects.filter(role=Membership.Role.TEAMCOACH)
        .select_related("staff")
        .order_by("pk")
    ):
        seen.setdefault(membership.staff_id, membership.staff)
        if len(seen) == count:
            break
    return list(seen.values())


def analysts(count: int) -> list[Staff]:
    organisation = Organisation.objects.order_by("pk").first()
    if organisation is None:
        raise SystemExit("bench: the data set has no organisation")
    people = []
    for n in range(1, count + 1):
        user, _ = Staff.objects.get_or_create(
            username=f"load-analyst-{n}", defaults={"organisation": organisation}
        )
        Role.objects.get_or_create(staff=user, name=Role.Name.MUNICIPALITY_ANALYST)
        people.append(user)
    return people


def session_of(person: Staff) -> str:
    return str(log_in(person).cookies["sessionid"].value)


def publish_for(people: list[Staff]) -> float:
    """The dashboard once per person: publishes their scope's figures when not yet done."""
    began = time.perf_counter()
    for person in people:
        client: Client = log_in(person)
        answer = client.get("/monitoring/")
        if answer.status_code != 200:
            raise SystemExit(
                f"bench: the dashboard of {person.username} answered {answer.status_code}"
            )
    return time.perf_counter() - began


def prepare(args: argparse.Namespace, path: Path) -> None:
    if not args.reuse:
        generate(args.residents, args.seed)
        began = time.perf_counter()
        call_command("rebuild_monitoring_summary", verbosity=0)
        call_command("rebuild_adoption_summary", verbosity=0)
        print(
            f"load: monitoring summary rebuilt in {time.perf_counter() - began:.1f} s", flush=True
        )
    the_coaches, the_analysts = coaches(args.coaches), analysts(args.analysts)
    seconds = publish_for(the_coaches + the_analysts)
    print(f"load: figures published for the viewers in {seconds:.1f} s")
    domains = sorted(set(Domain.objects.values_list("key", flat=True)))
    sessions: dict[str, list[dict[str, Any]]] = {
        "professionals": professionals(args.professionals, domains),
        "coaches": [{"session": session_of(c)} for c in the_coaches],
        "analysts": [{"session": session_of(a)} for a in the_analysts],
    }
    path.write_text(json.dumps(sessions), encoding="utf-8")
    print(
        f"load: {len(sessions['professionals'])} professionals, {len(the_coaches)} coaches, "
        f"{len(the_analysts)} analysts logged in"
    )
    connection.close()


# -- the steps -----------------------------------------------------------------------------


@dataclass
class Step:
    users: int
    seconds: int
    requests: int = 0
    failures: int = 0
    rps: float = 0.0
    p50: float = 0.0
    p95: float = 0.0
    p99: float = 0.0
    load_before: float = 0.0
    load_after: float = 0.0
    app_cpu: float = 0.0  # gunicorn's CPU seconds during the step (master and workers)
    db_cpu: float = 0.0  # PostgreSQL's

    @property
    def cpu_ms_per_request(self) -> float:
        return 1000 * (self.app_cpu + self.db_cpu) / self.requests if self.requests else 0.0

    rows: list[dict[str, str]] | None = None


def run_locust(
    server: Server, sessions: Path, users: int, seconds: int, prefix: str, scenario: str
) -> list[dict[str, str]]:
    spawn = max(1, users // 5)
    answer = subprocess.run(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "--only-summary",
            "--loglevel",
            "WARNING",
            "-u",
            str(users),
            "-r",
            str(spawn),
            "-t",
            f"{seconds}s",
            "--stop-timeout",
            "5",
            "--host",
            server.base,
            "--csv",
            prefix,
            *SCENARIOS[scenario],
        ],
        cwd=ROOT,
        env={**os.environ, "WATTELT_LOAD_SESSIONS": str(sessions)},
        check=False,
        capture_output=True,
        text=True,
        timeout=seconds + 120,  # a hung locust must not hang the caller (CI)
    )
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if not any(r["Name"] == "Aggregated" and int(r["Request Count"]) for r in rows):
        raise SystemExit(
            f"bench: locust made no request:\n{answer.stdout[-3000:]}{answer.stderr[-3000:]}"
        )
    return rows


def measure(server: Server, sessions: Path, step: Step, folder: str, scenario: str) -> Step:
    step.load_before = load_average()
    database = postmaster_pid()
    app, db = cpu_seconds(server.master), cpu_seconds(database) if database else 0.0
    rows = run_locust(
        server, sessions, step.users, step.seconds, f"{folder}/u{step.users}", scenario
    )
    step.app_cpu = cpu_seconds(server.master) - app
    step.db_cpu = (cpu_seconds(database) - db) if database else 0.0
    step.load_after = load_average()
    total = next(r for r in rows if r["Name"] == "Aggregated")
    step.requests, step.failures = int(total["Request Count"]), int(total["Failure Count"])
    step.rps = float(total["Requests/s"])
    step.p50, step.p95, step.p99 = (float(total[k] or 0) for k in ("50%", "95%", "99%"))
    step.rows = [r for r in rows if r["Name"] != "Aggregated"]
    return step


def curve(steps: list[Step]) -> str:
    header = (
        f"{'users':>5} {'requests':>9} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
        f"{'failures':>8} {'load before':>11} {'load after':>10} {'app cpu s':>9} "
        f"{'db cpu s':>8} {'cpu ms/req':>10}"
    )
    lines = [header, "-" * len(header)]
    for s in steps:
        lines.append(
            f"{s.users:>5} {s.requests:>9} {s.rps:>7.1f} {s.p50:>7.0f} {s.p95:>7.0f} "
            f"{s.p99:>7.0f} {s.failures:>8} {s.load_before:>11.2f} {s.load_after:>10.2f} "
            f"{s.app_cpu:>9.1f} {s.db_cpu:>8.1f} {s.cpu_ms_per_request:>10.1f}"
        )
    return "\n".join(lines)


def endpoints(step: Step) -> str:
    header = (
        f"{'endpoint':<24} {'requests':>8} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'failures':>8}"
    )
    lines = [f"endpoints at {step.users} users:", header, "-" * len(header)]
    for r in sorted(step.rows or [], key=lambda r: -int(r["Request Count"])):
        lines.append(
            f"{r['Name']:<24} {r['Request Count']:>8} {float(r['Requests/s']):>6.1f} "
            f"{float(r['50%'] or 0):>7.0f} {float(r['95%'] or 0):>7.0f} {r['Failure Count']:>8}"
        )
    return "\n".join(lines)


def saturation(steps: list[Step]) -> str:
    """The step after which more users brought (almost) no more requests per second."""
    for before, after in itertools.pairwise(steps):
        if after.rps < before.rps * 1.1:
            return (
                f"saturates at about {before.users} users: {before.rps:.0f} req/s there, "
                f"{after.rps:.0f} req/s at {after.users} users "
                f"(p95 {before.p95:.0f} -> {after.p95:.0f} ms)"
            )
    return "no saturation within the steps measured"


def shared_drafts(scenario: str, users: int, professionals: int) -> str:
    """A warning when simulated professionals outnumber the people they act as: two users
    acting as one person share a draft, and a save after the other's confirm or save is
    the board's conflict (409), counted as a failure although the app is right."""
    share = {"mix": 0.7, "sitting": 1.0}.get(scenario, 0.0)  # bench/locustfile.py's weights
    acting = round(users * share)
    if acting <= professionals:
        return ""
    return (
        f"load: note: up to {acting} simulated professionals act as {professionals} people; "
        "those sharing a person can meet the board's conflict answer (give --professionals)"
    )


def positive(text: str) -> int:
    """A whole number of seconds above 0 (locust takes `-t 0s` as: no time limit)."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 second, not {text}")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--users", type=int, nargs="+", default=[10, 25, 50, 75, 100])
    parser.add_argument("--seconds", type=positive, default=40, help="per step")
    parser.add_argument(
        "--warmup", type=positive, default=20, help="seconds at 10 users first (at least 1)"
    )
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WATTELT_WORKERS", "5")))
    parser.add_argument("--professionals", type=int, default=70)
    parser.add_argument("--coaches", type=int, default=4)
    parser.add_argument("--analysts", type=int, default=10)
    parser.add_argument(
        "--reuse", action="store_true", help="do not generate: use the database as it is"
    )
    parser.add_argument(
        "--scenario",
        choices=sorted(SCENARIOS),
        default="mix",
        help="mix: the working day (the target's); sitting: only whole sittings; floor: "
        "the lightest page behind the login only; http: /health/live only",
    )
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress in a log
    if "WATTELT_PG_DIR" not in os.environ and not args.reuse:
        print("run me inside bin/with-postgres (or give --reuse)")
        return 2
    shared = shared_drafts(args.scenario, max([10, *args.users]), args.professionals)
    if shared:
        print(shared)
    folder = tempfile.mkdtemp(prefix="wattelt-load-")
    sessions = Path(folder) / "sessions.json"
    prepare(args, sessions)
    server = Server(free_port(), args.workers)
    server.collect_static()
    server.start()
    steps: list[Step] = []
    try:
        took = server.wait_ready()
        print(f"load: gunicorn ({args.workers} workers) ready in {took:.1f} s on {server.base}")
        warm = measure(server, sessions, Step(10, args.warmup), folder, args.scenario)
        print(
            f"load: warm-up, 10 users for {args.warmup} s: {warm.rps:.1f} req/s, "
            f"{warm.failures} failures",
            flush=True,
        )
        for users in args.users:
            steps.append(
                measure(server, sessions, Step(users, args.seconds), folder, args.scenario)
            )
            print(curve(steps[-1:]).splitlines()[-1], flush=True)
    finally:
        server.stop()
    print()
    print(curve(steps))
    print(
        "(cpu: CPU time the server processes used during the step, gunicorn and PostgreSQL; "
        "the rest of the machine's CPU went to locust and to other work)"
    )
    print()
    print(saturation(steps))
    costs = [s.cpu_ms_per_request for s in steps if s.requests]
    if costs:
        cost = statistics.median(costs)
        print(
            f"server CPU per request (median over the steps): {cost:.1f} ms; two cores given "
            f"to gunicorn and PostgreSQL alone would carry at most {2000 / cost:.0f} req/s"
        )
    at_target = next((s for s in steps if s.users == TARGET_USERS), None)
    if at_target:
        verdict = (
            at_target.rps >= TARGET_RPS
            and at_target.p95 <= TARGET_P95_MS
            and not at_target.failures
        )
        print(
            f"{args.scenario}: target at {TARGET_USERS} users (>= {TARGET_RPS:.0f} req/s, "
            f"p95 <= {TARGET_P95_MS:.0f} ms, 0 failures): {'met' if verdict else 'NOT met'} "
            f"({at_target.rps:.0f} req/s, "
            f"p95 {at_target.p95:.0f} ms, {at_target.failures} failures)"
        )
    busiest = max(steps, key=lambda s: s.rps)
    print()
    print(endpoints(busiest))
    failures = Path(folder, f"u{busiest.users}_failures.csv").read_text(encoding="utf-8")
    if any(s.failures for s in steps):
        print()
        print("failures (locust's report of the busiest step; the others are in " + folder + "):")
        print(failures)
    if any(s.failures for s in steps) or warm.failures:
        return 1  # the folder stays, with locust's reports
    shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
