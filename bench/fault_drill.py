"""The fault drill (issue 16.4): professionals confirm measurements against gunicorn in
production mode while a worker is SIGKILLed, the master is killed and started again,
and PostgreSQL restarts.

    make drill [DRILL_RESIDENTS=2000]

runs, inside bin/with-postgres,

    python -m bench.fault_drill --residents 2000

1. generates the data set (bench.generate) and logs in --clients (6) professionals
   (sessions in the database, as after a real login with the second factor);
2. starts gunicorn with deploy/gunicorn.conf.py, debug off, --workers (3) workers;
3. runs the load: each client thread, over HTTP, opens the next measurement of one of its
   trajectories, reads the board (its revision, the goals to review) and confirms it; a
   confirm counts as seen when the JSON answer names the progress page to go to;
4. after a quiet phase, one fault at a time, each followed by a recovery phase:
   (a) SIGKILL of one worker, (b) SIGKILL of the master (its workers leave with it), then
   starting it again as systemd would (Restart=always), (c) `pg_ctl restart -m fast`;
   recovery = from the fault to the first confirm seen after it (a probe of
   /health/ready every 100 ms as well);
5. checks the database: every confirm a client saw is confirmed; of the measurements
   made during the drill none is confirmed without its chips or its goal, no goal is
   without its measurement or its domain.

Prints the counts and recovery times; exits 1 when a check fails or a recovery takes
over 10 s.

The client posts what the board needs for a confirm: three chips, a priority, a grade,
one goal in the resident's words, and a status for every goal a follow-up must review
(read from the board), as JSON like the board's script. Gunicorn runs in its own process
group; "kill master" then kills what is left of the group, as systemd does
(KillMode=control-group), and starts it again at once (Restart=always).
Results: bench/RESULTS.md, "Fault drill".
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench import setup_django

setup_django()

from django.db import connection  # noqa: E402

from bench.pages import log_in  # noqa: E402
from bench.serving import ROOT, Server, free_port  # noqa: E402
from wattelt.instrument.models import Domain, Measurement  # noqa: E402
from wattelt.organisations.models import Staff  # noqa: E402

RECOVERY_LIMIT_SECONDS = 10.0
PHASE_SECONDS = 8.0
FIRST_CONFIRM_LIMIT = 120.0
VERBOSE = bool(os.environ.get("DRILL_VERBOSE"))
CSRF = "drilldrilldrilldrilldrilldrill12"  # an unmasked 32-character CSRF secret
REVISION = re.compile(r'name="revision" value="(\d+)"')
REVIEW = re.compile(r'name="review-(\d+)-status" value="(\w+)"')


@dataclass
class Tally:
    seen: list[int] = field(default_factory=list)  # measurement ids the client saw confirmed
    errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    last_success: float = 0.0

    def success(self, pk: int) -> None:
        with self.lock:
            self.seen.append(pk)
            self.last_success = time.monotonic()

    def error(self) -> None:
        with self.lock:
            self.errors += 1


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def opener(session_key: str) -> urllib.request.OpenerDirector:
    build = urllib.request.build_opener(NoRedirect)
    build.addheaders = [
        ("Cookie", f"sessionid={session_key}; csrftoken={CSRF}"),
        ("X-CSRFToken", CSRF),
        ("Accept", "application/json, text/html"),
    ]
    return build


def call(
    client: urllib.request.OpenerDirector, url: str, data: str | None = None
) -> tuple[int, str, str]:
    """Status, Location and body; no answer (refused, reset, timeout) is status 0."""
    begin = time.monotonic()
    try:
        with client.open(url, data.encode() if data else None, timeout=15) as answer:
            status, location, body = (
                answer.status,
                answer.headers.get("Location", ""),
                answer.read().decode(),
            )
    except urllib.error.HTTPError as error:
        status, location, body = error.code, error.headers.get("Location", ""), ""
    except (OSError, urllib.error.URLError):
        status, location, body = 0, "", ""
    if VERBOSE:
        print(f"{url} {status} {time.monotonic() - begin:.2f}s", flush=True)
    return status, location, body


def confirm_fields(revision: str, keys: list[str], reviews: dict[str, str]) -> str:
    """What the board posts for a complete measurement."""
    fields = [("revision", revision), ("action", "confirm"), ("quality_of_life", "6")]
    fields += [("chosen", key) for key in keys]
    fields += [(f"chip-resident-{key}", str(20 + 25 * n)) for n, key in enumerate(keys)]
    fields += [("priority", keys[0]), ("goal-0-own_words", "Weer rust in huis")]
    fields += [("goal-0-domains", keys[0])]
    fields += [(f"review-{goal}-status", status) for goal, status in reviews.items()]
    return urllib.parse.urlencode(fields)


def one_confirm(
    client: urllib.request.OpenerDirector, base: str, trajectory: int, keys: list[str]
) -> int | None:
    """Start (or reopen) the trajectory's draft, read its board, confirm it: the
    measurement's id when the answer says it is confirmed."""
    status, location, _ = call(client, f"{base}/trajecten/{trajectory}/meting/", "kind=")
    match = re.search(r"/metingen/(\d+)/", location)
    if status != 302 or not match:
        return None
    board = f"{base}/metingen/{match.group(1)}/"
    status, _, page = call(client, board)
    found = REVISION.search(page)
    if status != 200 or not found:
        return None
    reviews: dict[str, str] = {}
    for goal, value in REVIEW.findall(page):
        reviews.setdefault(goal, value)  # the first status offered: achieved
    status, _, body = call(client, board, confirm_fields(found.group(1), keys, reviews))
    if status == 200 and "redirect" in json.loads(body or "{}"):
        return int(match.group(1))
    return None


def confirm_loop(
    session_key: str,
    base: str,
    trajectories: list[int],
    keys: list[str],
    tally: Tally,
    stop: threading.Event,
) -> None:
    client = opener(session_key)
    n = 0
    while not stop.is_set():
        trajectory = trajectories[n % len(trajectories)]
        n += 1
        confirmed = one_confirm(client, base, trajectory, keys)
        if confirmed is None:
            tally.error()
            time.sleep(0.2)
        else:
            tally.success(confirmed)


def pg_ctl(*args: str) -> None:
    """pg_ctl as the cluster's owner. Its output goes to the server log, never to a pipe:
    a restarted server inherits pg_ctl's output and would hold a pipe open for ever."""
    owner = os.environ.get("WATTELT_PG_OWNER", "").split()
    pg_bin = Path(os.path.realpath(Path(os.environ["WATTELT_PG_BIN"]) / "pg_ctl")).parent
    subprocess.run(
        [*owner, str(pg_bin / "pg_ctl"), *args],
        check=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def recovery(server: Server, tally: Tally, fault_at: float) -> tuple[float, float]:
    """Seconds from the fault to /health/ready answering 200 and to the next confirm seen."""
    health = confirm = -1.0
    while time.monotonic() - fault_at < 30 and (health < 0 or confirm < 0):
        if health < 0 and server.ready():
            health = time.monotonic() - fault_at
        if confirm < 0 and tally.last_success > fault_at:
            confirm = tally.last_success - fault_at
        time.sleep(0.1)
    return health, confirm


def kill_worker(server: Server) -> None:
    os.kill(server.worker_pids()[0], signal.SIGKILL)


def restart_master(server: Server) -> None:
    """SIGKILL of the master; then as systemd: the rest of the group goes, a new start."""
    os.kill(server.master, signal.SIGKILL)
    server.kill_group(signal.SIGKILL)
    server.start()


def restart_postgresql(server: Server) -> None:
    folder = os.environ["WATTELT_PG_DIR"]
    log = os.path.join(folder, "server.log")
    pg_ctl("-D", os.path.join(folder, "data"), "-l", log, "-m", "fast", "-w", "restart")


FAULTS: list[tuple[str, Callable[[Server], None]]] = [
    ("SIGKILL one worker", kill_worker),
    ("kill master, start again", restart_master),
    ("restart PostgreSQL", restart_postgresql),
]


def professionals(count: int) -> list[tuple[str, list[int]]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT responsible_id, array_agg(id ORDER BY id) FROM residents_trajectory"
            " WHERE ended_on IS NULL GROUP BY responsible_id ORDER BY count(*) DESC LIMIT %s",
            [count],
        )
        caseloads = cursor.fetchall()
    sessions = []
    for staff_pk, trajectories in caseloads:
        client = log_in(Staff.objects.get(pk=staff_pk))
        sessions.append((client.cookies["sessionid"].value, trajectories[:40]))
    return sessions


def integrity(seen: list[int], first_new: int) -> dict[str, int]:
    """What the database holds after the drill, for the measurements made during it."""
    confirmed = Measurement.objects.filter(pk__in=seen, status=Measurement.Status.CONFIRMED)
    checks = {
        "confirms seen by the clients": len(seen),
        "of which confirmed in the database": confirmed.count(),
    }
    queries = {
        # A confirmed measurement made in the drill always has chips and a goal.
        "confirmed without chips": "SELECT count(*) FROM instrument_measurement m"
        " WHERE m.id >= %s AND m.status = 'confirmed' AND NOT EXISTS"
        " (SELECT 1 FROM instrument_chosendomain c WHERE c.measurement_id = m.id)",
        "confirmed without its goal": "SELECT count(*) FROM instrument_measurement m"
        " WHERE m.id >= %s AND m.status = 'confirmed' AND NOT EXISTS"
        " (SELECT 1 FROM instrument_goal g WHERE g.stated_in_id = m.id)",
        "goals without their measurement": "SELECT count(*) FROM instrument_goal g"
        " LEFT JOIN instrument_measurement m ON m.id = g.stated_in_id"
        " WHERE g.stated_in_id >= %s AND m.id IS NULL",
        "goals without a domain": "SELECT count(*) FROM instrument_goal g"
        " WHERE g.stated_in_id >= %s AND NOT EXISTS"
        " (SELECT 1 FROM instrument_goal_domains d WHERE d.goal_id = g.id)",
    }
    with connection.cursor() as cursor:
        for name, sql in queries.items():
            cursor.execute(sql, [first_new])
            row = cursor.fetchone()
            checks[name] = int(row[0]) if row else -1
    return checks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fault_drill", description=__doc__)
    parser.add_argument("--residents", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress in a log
    if "WATTELT_PG_DIR" not in os.environ:
        print("run me inside bin/with-postgres")
        return 2
    subprocess.run(
        [sys.executable, "-m", "bench.generate", "--residents", str(args.residents)],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    keys = list(Domain.objects.order_by("pk").values_list("key", flat=True).distinct()[:3])
    sessions = professionals(args.clients)
    first_new = (Measurement.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    connection.close()

    server = Server(free_port(), args.workers)
    server.collect_static()
    server.start()
    took = server.wait_ready()
    print(f"gunicorn ready in {took:.1f} s on {server.base}; {len(sessions)} professionals")
    tally, stop = Tally(), threading.Event()
    threads = [
        threading.Thread(
            target=confirm_loop, args=(key, server.base, trajectories, keys, tally, stop)
        )
        for key, trajectories in sessions
    ]
    for thread in threads:
        thread.start()
    results: list[tuple[str, float, float, int, int]] = []
    try:
        began = time.monotonic()
        while not tally.seen and time.monotonic() - began < FIRST_CONFIRM_LIMIT:
            time.sleep(0.1)
        time.sleep(PHASE_SECONDS)
        print(f"quiet phase: {len(tally.seen)} confirms, {tally.errors} errors", flush=True)
        for name, fault in FAULTS:
            before_seen, before_errors = len(tally.seen), tally.errors
            fault_at = time.monotonic()
            fault(server)
            print(f"{name} ...", flush=True)
            health, confirm = recovery(server, tally, fault_at)
            time.sleep(max(0.0, PHASE_SECONDS - (time.monotonic() - fault_at)))
            results.append(
                (name, health, confirm, len(tally.seen) - before_seen, tally.errors - before_errors)
            )
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        server.stop()
    return report(results, integrity(tally.seen, first_new))


def report(results: list[tuple[str, float, float, int, int]], checks: dict[str, int]) -> int:
    failed = False
    print(f"{'fault':28} {'ready after':>12} {'confirm after':>14} {'confirms':>9} {'errors':>7}")
    for name, health, confirm, seen, errors in results:
        print(f"{name:28} {health:11.2f}s {confirm:13.2f}s {seen:9} {errors:7}")
        failed |= not (
            0 <= health <= RECOVERY_LIMIT_SECONDS and 0 <= confirm <= RECOVERY_LIMIT_SECONDS
        )
    print("(errors: client turns that did not end in a confirm, from the fault to the next phase)")
    for name, count in checks.items():
        print(f"{name + ':':40} {count:6}")
    seen, confirmed = (
        checks["confirms seen by the clients"],
        checks["of which confirmed in the database"],
    )
    print(f"{'confirms lost:':40} {seen - confirmed:6}")
    half_saved = sum(
        v for k, v in checks.items() if k.startswith(("confirmed without", "goals without"))
    )
    failed |= seen == 0 or seen != confirmed or half_saved > 0
    print("fault drill: " + ("FAILED" if failed else "OK"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
