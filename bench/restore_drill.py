"""The restore drill (issues 16.5 and 17): a backup restores identically, and restoring a
backup made before an erasure does not bring the erased resident back.

    make restore-drill [RESTORE_DRILL_RESIDENTS=100000]

which runs, with two throwaway clusters (DATABASE_URL: the source, where the app ran;
RESTORE_DATABASE_URL: a fresh cluster to restore into; importing `bench` sets Django up
on the source),

    python -m bench.restore_drill --residents 100000

1. generates the data set in the source (bench.generate); gives one resident a unique
   name and BSN and writes them into free text of their file too;
2. opens a trajectory as its professional (the page's time: "before");
3. fingerprints every table (row count and an ordered md5) and backs up
   (`backup_database`'s code: pg_dump and manifest);
4. erases that resident through the erasure request service (privacy officer: granted,
   carried out): the register file next to the backups gets the erasure;
5. restores the dump with plain pg_restore into a scratch database of the fresh cluster,
   compares every table with step 3 (the dump is complete), then opens the trajectory
   there (no ANALYZE of ours: the case of issue 17);
6. restores it the documented way (`manage.py restore_database`: pg_restore, re-apply the
   erasures made after the backup, ANALYZE, readiness) into the fresh cluster's database;
7. searches every text column of the restored database for the resident's names and BSN
   (0 hits), compares the anonymous figures with the source's (equal), and opens the
   trajectory again as its professional (the first page's time: "after").

Prints every time and exits 1 when a check fails, 2 when it cannot run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.db import connection
from django.urls import reverse
from psycopg import sql

from bench.generate import DEFAULT_RESIDENTS, generate, require_postgresql, valid_bsn
from bench.pages import log_in
from wattelt.instrument.models import GOAL_TEXT_FIELDS, Goal
from wattelt.operations.backups import make_backup, pg_program
from wattelt.organisations.models import Role, Staff
from wattelt.privacy import services as privacy
from wattelt.residents.models import Resident, Trajectory

ROOT = Path(__file__).resolve().parent.parent
FIRST_NAME, LAST_NAME = "Drilla", "Vergeetmij"
PAGE_REQUESTS = 10
# The anonymous facts monitoring counts: must be the same after the restore and erasure.
FIGURES = {
    "chips": "SELECT count(*), sum(resident_chip), sum(professional_chip), sum(carer_chip)"
    " FROM instrument_chosendomain",
    "measurements": "SELECT kind, status, count(*), sum(quality_of_life)"
    " FROM instrument_measurement GROUP BY 1, 2 ORDER BY 1, 2",
    "trajectories": "SELECT team_id, closing_reason, count(*) FROM residents_trajectory"
    " GROUP BY 1, 2 ORDER BY 1, 2",
    "residents": "SELECT district_id, extract(year FROM date_of_birth), count(*)"
    " FROM residents_resident GROUP BY 1, 2 ORDER BY 1, 2",
}


def say(message: str) -> None:
    print(message, flush=True)


def source_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def with_database(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


# -- fingerprints and searches (psycopg, on any of the databases) -----------------------


def fingerprints(url: str) -> dict[str, tuple[int, str]]:
    """Every table: its row count and the md5 of its rows' md5s in primary-key order."""
    result = {}
    with psycopg.connect(url) as db:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        for table in tables:
            keys = db.execute(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a"
                " ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
                " WHERE i.indrelid = %s::regclass AND i.indisprimary ORDER BY a.attnum",
                [table],
            ).fetchall()
            order = sql.SQL(", ").join(sql.Identifier(k[0]) for k in keys) or sql.SQL("t::text")
            query = sql.SQL(
                "SELECT count(*), coalesce(md5(string_agg(md5(t::text), '' ORDER BY {})), '')"
                " FROM {} t"
            ).format(order, sql.Identifier(table))
            count, digest = db.execute(query).fetchone() or (0, "")
            result[table] = (int(count), str(digest))
    return result


def text_hits(url: str, words: list[str]) -> list[str]:
    """Every text, varchar and json column of every table that contains one of the words."""
    patterns = [f"%{word}%" for word in words]
    hits = []
    with psycopg.connect(url) as db:
        columns = db.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = 'public' AND data_type IN"
            " ('text', 'character varying', 'character', 'json', 'jsonb') ORDER BY 1, 2"
        ).fetchall()
        for table, column in columns:
            query = sql.SQL("SELECT count(*) FROM {} WHERE {}::text ILIKE ANY(%s)").format(
                sql.Identifier(table), sql.Identifier(column)
            )
            count = (db.execute(query, [patterns]).fetchone() or (0,))[0]
            if count:
                hits.append(f"{table}.{column}: {count}")
    return hits


def tables_with_statistics(url: str) -> int:
    with psycopg.connect(url) as db:
        row = db.execute(
            "SELECT count(*) FROM pg_stat_user_tables"
            " WHERE last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL"
        ).fetchone()
    return int(row[0]) if row else 0


def figures(url: str) -> dict[str, list[tuple[Any, ...]]]:
    with psycopg.connect(url) as db:
        return {name: db.execute(query).fetchall() for name, query in FIGURES.items()}


# -- the resident to erase, and the page --------------------------------------------------


@dataclass(frozen=True)
class Subject:
    resident_id: int
    trajectory_id: int
    professional_id: int
    bsn: str


def personalise_a_resident() -> Subject:
    """A resident with an open trajectory and goals gets a name and BSN no one else has,
    also written in their goals' words and the next appointment."""
    trajectory = (
        Trajectory.objects.filter(ended_on__isnull=True, goals__isnull=False)
        .order_by("pk")
        .select_related("resident")
        .first()
    )
    if trajectory is None:
        raise SystemExit("restore drill: the data set has no open trajectory with goals")
    rng = random.Random(17)
    bsn = valid_bsn(rng)
    while Resident.objects.filter(bsn=bsn).exists():
        bsn = valid_bsn(rng)
    Resident.objects.filter(pk=trajectory.resident_id).update(
        first_name=FIRST_NAME, last_name=LAST_NAME, bsn=bsn
    )
    Trajectory.objects.filter(pk=trajectory.pk).update(
        next_appointment=f"dinsdag bij {FIRST_NAME} {LAST_NAME} thuis"
    )
    Goal.objects.filter(trajectory=trajectory).update(
        **{GOAL_TEXT_FIELDS[0]: f"Ik, {FIRST_NAME} {LAST_NAME} (BSN {bsn}), wil rust"}
    )
    return Subject(trajectory.resident_id, trajectory.pk, trajectory.responsible_id, bsn)


def open_trajectory(trajectory_id: int, professional_id: int) -> dict[str, Any]:
    """Log in as the professional and open the trajectory's progress page: the first
    request's time and the median of the next ones."""
    client = log_in(Staff.objects.get(pk=professional_id))
    url = reverse("instrument:progress", args=[trajectory_id])
    times, statuses = [], []
    for _ in range(1 + PAGE_REQUESTS):
        began = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - began) * 1000)
        statuses.append(response.status_code)
    return {
        "status": sorted(set(statuses)),
        "first_ms": round(times[0], 1),
        "median_ms": round(statistics.median(times[1:]), 1),
    }


def open_trajectory_in(url: str, subject: Subject) -> dict[str, Any]:
    """The same, in a fresh process on the given database (as an app server would)."""
    output = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.restore_drill",
            "--open-trajectory",
            str(subject.trajectory_id),
            "--as",
            str(subject.professional_id),
        ],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return result


def erase(subject: Subject) -> None:
    """Through the service, as a privacy officer would: register, grant, carry out."""
    resident = Resident.objects.get(pk=subject.resident_id)
    officer, _ = Staff.objects.get_or_create(
        username="drill-privacy-officer", defaults={"organisation_id": resident.organisation_id}
    )
    Role.objects.get_or_create(staff=officer, name=Role.Name.PRIVACY_OFFICER)
    request = privacy.register_erasure_request(resident, officer)
    request = privacy.decide_erasure(request, officer, "granted", reason="Verzoek per brief")
    privacy.execute_erasure(request, officer)


# -- the drill ---------------------------------------------------------------------------


def _timed(what: str, began: float) -> float:
    seconds = time.perf_counter() - began
    say(f"restore drill: {what} in {seconds:.1f} s")
    return seconds


def drill(residents: int, target: str, folder: Path) -> list[str]:
    """Run the drill; the failed checks (empty: passed)."""
    failures: list[str] = []
    source = source_url()
    generate(residents)
    subject = personalise_a_resident()
    words = [FIRST_NAME, LAST_NAME, subject.bsn]
    say(f"restore drill: resident {subject.resident_id} is the one to erase")
    before = open_trajectory_in(source, subject)
    say(f"restore drill: trajectory page on the source: {before}")

    began = time.perf_counter()
    fingerprint = fingerprints(source)
    _timed(f"fingerprinted {len(fingerprint)} tables", began)
    figures_before = figures(source)
    backup = make_backup(folder)
    say(
        f"restore drill: backup {backup.dump.name}: {backup.tables} tables, {backup.rows:,} "
        f"rows, {backup.size / 1e6:.1f} MB in {backup.seconds:.1f} s"
    )
    erase(subject)
    if text_hits(source, words):
        failures.append("the erasure left the resident in the source database")
    say("restore drill: the resident is erased in the source, after the backup")

    scratch = with_database(target, "restore_check")
    with psycopg.connect(target, autocommit=True) as db:
        db.execute("CREATE DATABASE restore_check")
    began = time.perf_counter()
    subprocess.run(
        [pg_program("pg_restore"), "--no-owner", "--jobs=2", "--exit-on-error",
         f"--dbname={scratch}", str(backup.dump)],
        check=True,
    )  # fmt: skip
    plain_restore = _timed("plain pg_restore into a scratch database", began)
    restored_fingerprint = fingerprints(scratch)
    different = sorted(
        t for t in fingerprint.keys() | restored_fingerprint.keys()
        if fingerprint.get(t) != restored_fingerprint.get(t)
    )  # fmt: skip
    rows = sum(count for count, _ in fingerprint.values())
    say(
        f"restore drill: {len(fingerprint) - len(different)} of {len(fingerprint)} tables "
        f"equal (row count and ordered md5), {rows:,} rows"
    )
    if different:
        failures.append(f"tables differ after a plain restore: {', '.join(different)}")
    # What the issue saw: a restore without ANALYZE (autovacuum may have analysed some
    # tables meanwhile: counted). After the fingerprints: opening a page writes rows.
    analysed = tables_with_statistics(scratch)
    unanalyzed = open_trajectory_in(scratch, subject)
    say(
        f"restore drill: trajectory page after a plain restore without ANALYZE "
        f"({analysed} of {len(fingerprint)} tables analysed by autovacuum so far): {unanalyzed}"
    )
    with psycopg.connect(target, autocommit=True) as db:
        db.execute("DROP DATABASE restore_check")

    began = time.perf_counter()
    restored = subprocess.run(
        [sys.executable, "manage.py", "restore_database", str(backup.dump)],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": target},
        capture_output=True,
        text=True,
        check=False,
    )
    restore_seconds = _timed("manage.py restore_database (restore, erasures, ANALYZE)", began)
    for line in restored.stdout.splitlines():
        say(f"    {line}")
    if restored.returncode != 0:
        failures.append(f"restore_database failed: {restored.stderr.strip()[-500:]}")
        return failures
    if "1 re-applied" not in restored.stdout:
        failures.append("restore_database did not re-apply the one erasure")

    began = time.perf_counter()
    hits = text_hits(target, words)
    _timed("searched every text column of the restored database", began)
    say(f"restore drill: hits for the erased resident's names and BSN: {len(hits)} {hits}")
    if hits:
        failures.append(f"the erased resident is back: {hits}")
    same_figures = figures(target) == figures_before
    say(f"restore drill: anonymous figures equal to the source's: {same_figures}")
    if not same_figures:
        failures.append("the anonymous figures changed")
    after = open_trajectory_in(target, subject)
    say(f"restore drill: trajectory page on the restored database: {after}")
    if after["status"] != [200]:
        failures.append(f"the trajectory page answered {after['status']}")
    say(
        f"restore drill: SUMMARY residents={residents:,} tables={len(fingerprint)} "
        f"rows={rows:,} dump_s={backup.seconds:.1f} dump_mb={backup.size / 1e6:.1f} "
        f"plain_restore_s={plain_restore:.1f} restore_database_s={restore_seconds:.1f} "
        f"first_page_before_ms={before['first_ms']} first_page_after_ms={after['first_ms']} "
        f"first_page_without_analyze_ms={unanalyzed['first_ms']} "
        f"median_before_ms={before['median_ms']} median_after_ms={after['median_ms']}"
    )
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.restore_drill", description=__doc__)
    parser.add_argument("--residents", type=int, default=DEFAULT_RESIDENTS)
    parser.add_argument("--open-trajectory", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--as", dest="professional", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.open_trajectory:
        print(json.dumps(open_trajectory(args.open_trajectory, args.professional)))
        return 0
    target = os.environ.get("RESTORE_DATABASE_URL", "")
    try:
        require_postgresql()
    except SystemExit as exc:
        print(exc, file=sys.stderr)
        return 2
    if not target:
        print("restore drill: set RESTORE_DATABASE_URL to an empty cluster", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="wattelt-backups-") as folder:
        settings.ERASURE_REGISTER_FILE = Path(folder) / "erasure-register.jsonl"
        os.environ["WATTELT_ERASURE_REGISTER_FILE"] = str(settings.ERASURE_REGISTER_FILE)
        failures = drill(args.residents, target, Path(folder))
    for failure in failures:
        print(f"restore drill: FAILED: {failure}", file=sys.stderr)
    say("restore drill: passed" if not failures else "restore drill: FAILED")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
