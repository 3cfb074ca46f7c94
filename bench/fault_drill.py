"""The fault drill (issue 16.4): professionals confirm measurements against gunicorn in
production mode while a worker is SIGKILLed, the master is killed and started again,
and PostgreSQL restarts.

    make drill [DRILL_RESIDENTS=2000]

runs, inside bin/with-postgres,

    python -m bench.fault_drill --residents 2000

1. generates the data set (bench.generate) and logs in DRILL_CLIENTS professionals
   (sessions in the database, as after a real login with the second factor);
2. starts gunicorn with deploy/gunicorn.conf.py, debug off, 3 workers;
3. runs the load: each client thread, over HTTP, opens the next measurement of one of its
   trajectories, reads the board (its revision) and confirms it (chips, a priority, a
   grade); a confirm counts as seen when the answer is the redirect to the progress page;
4. after a quiet phase, one fault at a time, each followed by a recovery phase:
   (a) SIGKILL of one worker, (b) SIGKILL of the master (its workers leave with it), then
   starting it again as systemd would (Restart=always), (c) `pg_ctl restart -m fast`;
   recovery = from the fault to the first confirm seen after it (a probe of
   /health/ready every 100 ms as well);
5. checks the database: every confirm a client saw is confirmed; no confirmed measurement
   without chosen domains; no draft left with chips but no confirmation from a
   confirm the client saw; goals only of existing measurements.

Prints the counts and recovery times; exits 1 when a check fails or a recovery takes
over 10 s.

STATUS (2026-12-04): written, NOT yet working; no figures. Two runs on a machine busy
with other benchmarks (DRILL_VERBOSE=1 prints every request): the first request of each
client took 6-7 s (cold workers), so the 6 s quiet phase saw 0 confirms; after that
requests took 0.5-1.7 s, but of 75 confirm posts 25 were confirmed (302) and 50 refused
(400): the posted board is not complete for every measurement (a start measurement
needs a goal, a follow-up its goal reviews). After the master's SIGKILL a worker stayed
alive as an orphan (parent 1) holding the port, and the drill then waited. To do: post
what the board needs per kind (see tests/conftest.py complete_fields), a longer quiet
phase, start the new master only when the orphans have gone (or kill the process group,
as systemd's KillMode=control-group does), remove STATIC_ROOT afterwards.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bench import setup_django

setup_django()

from django.db import connection  # noqa: E402

from bench.pages import log_in  # noqa: E402
from wattelt.instrument.models import Domain, Measurement  # noqa: E402
from wattelt.organisations.models import Staff  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RECOVERY_LIMIT_SECONDS = 10.0
PHASE_SECONDS = 6.0
VERBOSE = bool(os.environ.get("DRILL_VERBOSE"))
CSRF = "drilldrilldrilldrilldrilldrill12"  # an unmasked 32-character CSRF secret
REVISION = re.compile(r'name="revision"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="revision"')


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


def opener(session_key: str, base: str) -> urllib.request.OpenerDirector:
    build = urllib.request.build_opener(NoRedirect)
    build.addheaders = [
        ("Cookie", f"sessionid={session_key}; csrftoken={CSRF}"),
        ("X-CSRFToken", CSRF),
        ("Referer", base + "/"),
    ]
    return build


def call(
    client: urllib.request.OpenerDirector, url: str, data: str | None = None
) -> tuple[int, str, str]:
    """Status, Location and body; a refused connection is status 0."""
    begin = time.monotonic()
    try:
        with client.open(url, data.encode() if data else None, timeout=10) as answer:
            if VERBOSE:
                print(f"{url} {answer.status} {time.monotonic() - begin:.2f}s", flush=True)
            return answer.status, answer.headers.get("Location", ""), answer.read().decode()
    except urllib.error.HTTPError as error:
        if VERBOSE:
            print(f"{url} {error.code} {time.monotonic() - begin:.2f}s", flush=True)
        return error.code, error.headers.get("Location", ""), ""
    except (OSError, urllib.error.URLError) as error:
        if VERBOSE:
            print(f"{url} {error!r} {time.monotonic() - begin:.2f}s", flush=True)
        return 0, "", ""


def confirm_loop(
    session_key: str,
    base: str,
    trajectories: list[int],
    keys: list[str],
    tally: Tally,
    stop: threading.Event,
) -> None:
    client = opener(session_key, base)
    n = 0
    while not stop.is_set():
        trajectory = trajectories[n % len(trajectories)]
        n += 1
        status, location, _ = call(client, f"{base}/trajecten/{trajectory}/meting/", "kind=")
        match = re.search(r"/metingen/(\d+)/", location)
        if status != 302 or not match:
            tally.error()
            time.sleep(0.1)
            continue
        board = f"{base}/metingen/{match.group(1)}/"
        status, _, page = call(client, board)
        found = REVISION.search(page)
        if status != 200 or not found:
            tally.error()
            continue
        fields = [("revision", found.group(1) or found.group(2)), ("quality_of_life", "6")]
        fields += [("chosen", key) for key in keys]
        fields += [(f"chip-resident-{key}", str(20 + 15 * i)) for i, key in enumerate(keys)]
        fields += [("priority", keys[0]), ("action", "confirm")]
        status, location, _ = call(client, board, urllib.parse.urlencode(fields))
        if status == 302 and "/trajecten/" in location:
            tally.success(int(match.group(1)))
        else:
            tally.error()


STATIC_ROOT = tempfile.mkdtemp(prefix="wattelt-drill-static-")


def production_env(bind: str) -> dict[str, str]:
    return {
        **os.environ,
        "WATTELT_DEBUG": "0",
        "WATTELT_BIND": bind,
        "WATTELT_WORKERS": "3",
        "WATTELT_ALLOWED_HOSTS": "127.0.0.1",
        "WATTELT_SSL_REDIRECT": "0",
        "WATTELT_SECURE_COOKIES": "0",
        "WATTELT_LOG_LEVEL": "WARNING",
        "WATTELT_STATIC_ROOT": STATIC_ROOT,
    }


def start_gunicorn(bind: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py"],
        cwd=ROOT,
        env=production_env(bind),
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )


def ready(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/health/ready", timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def wait_ready(base: str, limit: float = 60.0) -> float:
    begin = time.monotonic()
    while not ready(base):
        if time.monotonic() - begin > limit:
            raise SystemExit("fault drill: gunicorn did not become ready")
        time.sleep(0.1)
    return time.monotonic() - begin


def workers_of(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def pg_ctl(*args: str) -> None:
    owner = os.environ.get("WATTELT_PG_OWNER", "").split()
    pg_bin = Path(os.path.realpath(Path(os.environ["WATTELT_PG_BIN"]) / "pg_ctl")).parent
    subprocess.run([*owner, str(pg_bin / "pg_ctl"), *args], check=True, capture_output=True)


def recovery(base: str, tally: Tally, fault_at: float) -> tuple[float, float]:
    """Seconds from the fault to /health/ready answering 200 and to the next confirm seen."""
    health = confirm = -1.0
    while time.monotonic() - fault_at < 30 and (health < 0 or confirm < 0):
        if health < 0 and ready(base):
            health = time.monotonic() - fault_at
        if confirm < 0 and tally.last_success > fault_at:
            confirm = tally.last_success - fault_at
        time.sleep(0.1)
    return health, confirm


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fault_drill", description=__doc__)
    parser.add_argument("--residents", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=6)
    args = parser.parse_args(argv)
    if "WATTELT_PG_DIR" not in os.environ:
        print("run me inside bin/with-postgres")
        return 2
    subprocess.run(
        [sys.executable, "-m", "bench.generate", "--residents", str(args.residents)],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT responsible_id, array_agg(id ORDER BY id) FROM residents_trajectory"
            " WHERE ended_on IS NULL GROUP BY responsible_id ORDER BY count(*) DESC LIMIT %s",
            [args.clients],
        )
        caseloads = cursor.fetchall()
    keys = list(Domain.objects.order_by("pk").values_list("key", flat=True).distinct()[:3])
    sessions = []
    for staff_pk, trajectories in caseloads:
        client = log_in(Staff.objects.get(pk=staff_pk))
        sessions.append((client.cookies["sessionid"].value, trajectories[:40]))
    connection.close()

    port = 18000 + os.getpid() % 1000
    base = f"http://127.0.0.1:{port}"
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=production_env(""),
        check=True,
    )
    master = start_gunicorn(f"127.0.0.1:{port}")
    print(f"gunicorn ready in {wait_ready(base):.1f} s on {base}; {len(sessions)} professionals")
    tally, stop = Tally(), threading.Event()
    threads = [
        threading.Thread(target=confirm_loop, args=(key, base, trajectories, keys, tally, stop))
        for key, trajectories in sessions
    ]
    for thread in threads:
        thread.start()
    results: list[tuple[str, float, float, int, int]] = []
    failed = False
    try:
        time.sleep(PHASE_SECONDS)
        print(f"quiet phase: {len(tally.seen)} confirms, {tally.errors} errors", flush=True)
        for name in ("SIGKILL one worker", "kill master, start again", "restart PostgreSQL"):
            before_seen, before_errors = len(tally.seen), tally.errors
            fault_at = time.monotonic()
            if name == "SIGKILL one worker":
                os.kill(workers_of(master.pid)[0], signal.SIGKILL)
            elif name == "kill master, start again":
                os.kill(master.pid, signal.SIGKILL)
                master.wait()
                master = start_gunicorn(f"127.0.0.1:{port}")
            else:
                pg_ctl(
                    "-D",
                    os.path.join(os.environ["WATTELT_PG_DIR"], "data"),
                    "-m",
                    "fast",
                    "-w",
                    "restart",
                )
            print(f"{name} ...", flush=True)
            health, confirm = recovery(base, tally, fault_at)
            time.sleep(max(0.0, PHASE_SECONDS - (time.monotonic() - fault_at)))
            results.append(
                (name, health, confirm, len(tally.seen) - before_seen, tally.errors - before_errors)
            )
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        os.killpg(master.pid, signal.SIGTERM)
        master.wait()

    print(f"{'fault':28} {'ready after':>12} {'confirm after':>14} {'confirms':>9} {'errors':>7}")
    for name, health, confirm, seen, errors in results:
        print(f"{name:28} {health:11.2f}s {confirm:13.2f}s {seen:9} {errors:7}")
        failed |= not (
            0 <= health <= RECOVERY_LIMIT_SECONDS and 0 <= confirm <= RECOVERY_LIMIT_SECONDS
        )

    confirmed = set(
        Measurement.objects.filter(
            pk__in=tally.seen, status=Measurement.Status.CONFIRMED
        ).values_list("pk", flat=True)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM instrument_measurement m WHERE m.status <> 'draft'"
            " AND NOT EXISTS (SELECT 1 FROM instrument_chosendomain c"
            " WHERE c.measurement_id = m.id)"
            " AND m.id = ANY(%s)",
            [tally.seen],
        )
        (without_chips,) = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM instrument_goal g"
            " LEFT JOIN instrument_measurement m ON m.id = g.stated_in_id WHERE m.id IS NULL"
        )
        (goals_without_measurement,) = cursor.fetchone()
    lost = len(set(tally.seen) - confirmed)
    print(
        f"confirms seen by the clients: {len(tally.seen)}, of which confirmed in the database: "
        f"{len(confirmed)} (lost: {lost}); client errors during the faults: {tally.errors}; "
        f"confirmed without chips: {without_chips}; goals without their measurement: "
        f"{goals_without_measurement}"
    )
    failed |= lost > 0 or without_chips > 0 or goals_without_measurement > 0 or not tally.seen
    print("fault drill: " + ("FAILED" if failed else "OK"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
