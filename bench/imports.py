"""Import speed: a file of historic measurements through `imports.services.run`.

    bin/with-postgres env WATTELT_DEBUG=1 .venv/bin/python -m bench.imports [--rows N] [--runs K]

Makes one organisation with N residents, each with one open trajectory (bulk-inserted:
the subject is the import, not the setup), writes a CSV of N start measurements (five
life domains with the resident's and the professional's chips, a grade, one goal) and
imports it as the quality officer would: a check (dry run), then the real import, whose
two phases (the measurements committed; then the figures derived from them) are timed
apart. With `--runs K` the import runs K times, the tables it wrote emptied between
runs, and the median is the figure (`make bench`: 3). Every
row is a start measurement of a trajectory without measurements, so the whole file takes
the bulk way (`imports/bulk.py`: lookups per organisation, COPY). Prints
rows per second for both and what 1,000,000 rows would take at that rate, against the
issue's target of 60 s. Exits 2 when not on PostgreSQL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import logging
import os
import platform
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from bench import setup_django

setup_django()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.generate import NotPostgreSQL, require_postgresql  # noqa: E402
from wattelt.audit.models import AccessLog  # noqa: E402
from wattelt.imports import bulk, checking, derived, services  # noqa: E402
from wattelt.imports.loading import LOADED_TABLES  # noqa: E402
from wattelt.imports.models import ImportJob  # noqa: E402
from wattelt.instrument.catalogue import ensure_default_catalogue  # noqa: E402
from wattelt.instrument.models import Measurement  # noqa: E402
from wattelt.organisations.models import (  # noqa: E402
    District,
    Membership,
    Municipality,
    Organisation,
    Role,
    Staff,
    Team,
)
from wattelt.residents.models import Resident, Trajectory  # noqa: E402

TARGET_ROWS = 1_000_000
TARGET_SECONDS = 60.0
DOMAINS = ["wonen", "geld", "werk", "gevoel", "contacten", "lichaam", "relaties"]


def world(rows: int) -> tuple[Staff, list[tuple[int, dt.date]]]:
    """The organisation, its residents and their trajectories, made in batches that are
    not kept (the bench's peak memory is the import's, not the setup's); returns the
    officer and per trajectory (resident id, start date)."""
    catalogue = ensure_default_catalogue()
    assert catalogue
    municipality = Municipality.objects.create(name="Gemeente Bench")
    district = District.objects.create(municipality=municipality, name="Noord")
    organisation = Organisation.objects.create(municipality=municipality, name="Wijkteams Bench")
    team = Team.objects.create(organisation=organisation, name="Team Noord")
    team.districts.add(district)
    professional = Staff.objects.create_user(
        username="bench-pro", password="!", organisation=organisation
    )
    Membership.objects.create(staff=professional, team=team, role=Membership.Role.PROFESSIONAL)
    officer = Staff.objects.create_user(
        username="bench-quality", password="!", organisation=organisation
    )
    Role.objects.create(staff=officer, name=Role.Name.QUALITY_OFFICER)
    started = timezone.localdate() - dt.timedelta(days=400)
    batch = 10_000
    for first in range(0, rows, batch):
        residents = Resident.objects.bulk_create(
            Resident(
                organisation=organisation,
                first_name="Bench",
                last_name=f"Inwoner {n}",
                date_of_birth=dt.date(1980, 1, 1) + dt.timedelta(days=n % 10000),
                district=district,
            )
            for n in range(first, min(rows, first + batch))
        )
        Trajectory.objects.bulk_create(
            Trajectory(resident=r, team=team, responsible=professional, started_on=started)
            for r in residents
        )
    places = list(
        Trajectory.objects.filter(team=team).order_by("pk").values_list("resident_id", "started_on")
    )
    return officer, places


def csv_file(places: list[tuple[int, dt.date]], seed: int) -> bytes:
    pick = random.Random(seed)
    header = ["inwoner_nummer", "traject_start", "datum", "cijfer"]
    for key in DOMAINS[:5]:
        header += [f"{key}_inwoner", f"{key}_professional"]
    header += [f"{DOMAINS[0]}_prioriteit", "doel_1", "doel_1_leefgebieden"]
    out = io.BytesIO()
    out.write((";".join(header) + "\r\n").encode())
    for resident_id, started_on in places:
        measured = started_on + dt.timedelta(days=pick.randint(1, 60))
        row = [str(resident_id), started_on.strftime("%d-%m-%Y"), measured.strftime("%d-%m-%Y")]
        row.append(str(pick.randint(1, 10)))
        for _key in DOMAINS[:5]:
            row += [str(pick.randint(0, 100)), str(pick.randint(0, 100))]
        row += ["ja", "Ik wil weer rust in huis", DOMAINS[0]]
        out.write((";".join(row) + "\r\n").encode())
    return out.getvalue()


def peak_memory() -> str:
    """The process's peak resident memory so far, and the largest of the checking
    processes' (`imports.checking`; Linux: ru_maxrss in KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 / 1024
    return f"{own:.2f} GB (a checking process {workers:.2f} GB)"


def workers_cpu_seconds() -> float:
    """CPU seconds of this process's ended children: the import's checking processes."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def backend_cpu_seconds() -> tuple[float, float] | None:
    """CPU seconds used so far by this connection's server process (same machine): in
    its own code and in the kernel on its behalf (writing WAL and data files)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = _stat(pid)
    except OSError:
        return None
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def stolen_seconds() -> float | None:
    """CPU seconds the virtual machine's host has taken from this machine since boot
    (/proc/stat's steal column, all cores): the neighbours, in figures."""
    try:
        with open("/proc/stat") as stat:
            fields = stat.readline().split()
    except OSError:
        return None
    return int(fields[8]) / os.sysconf("SC_CLK_TCK") if len(fields) > 8 else None


def cluster_cpu_seconds() -> float | None:
    """CPU seconds used so far by the whole PostgreSQL cluster: the postmaster, its live
    processes and the ones it has reaped (parallel index-build workers, the progress
    connections' backends, the WAL writer). Same machine only."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('data_directory')")
        directory = cursor.fetchone()[0]
    try:
        with open(f"{directory}/postmaster.pid") as pidfile:
            postmaster = int(pidfile.readline())
        total = sum(int(v) for v in _stat(postmaster)[11:15])  # own and reaped children's
        for entry in os.listdir("/proc"):
            if entry.isdigit() and int(entry) != postmaster:
                try:
                    fields = _stat(int(entry))
                except OSError:
                    continue
                if int(fields[1]) == postmaster:
                    total += int(fields[11]) + int(fields[12])
    except OSError:
        return None
    return total / os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()


def timed(work: Callable[[], ImportJob]) -> tuple[float, ImportJob]:
    """Runs the work; prints the CPU seconds of this process and of its PostgreSQL
    server process next to the wall time, and the load average: on a shared machine
    the wall time says more about the neighbours than about the import."""
    began, cpu, server = time.perf_counter(), time.process_time(), backend_cpu_seconds()
    workers, cluster, stolen = workers_cpu_seconds(), cluster_cpu_seconds(), stolen_seconds()
    job = work()
    seconds = time.perf_counter() - began
    server_after, cluster_after = backend_cpu_seconds(), cluster_cpu_seconds()
    stolen_after = stolen_seconds()
    server_cpu = "unknown"
    if server and server_after:
        user = server_after[0] - server[0]
        kernel = server_after[1] - server[1]
        server_cpu = f"{user + kernel:.1f} s, {kernel:.1f} s of it in the kernel"
    cluster_cpu = f"{cluster_after - cluster:.1f} s" if cluster and cluster_after else "unknown"
    steal = "unknown"
    if stolen is not None and stolen_after is not None:
        steal = f"{stolen_after - stolen:.1f} s"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    own, checking = time.process_time() - cpu, workers_cpu_seconds() - workers
    print(
        f"  wall {seconds:.1f} s · CPU: Python {own + checking:.1f} s "
        f"(importing process {own:.1f} s, checking processes {checking:.1f} s), "
        f"PostgreSQL server process {server_cpu} (whole cluster {cluster_cpu}) "
        f"· taken by the host {steal} · load average {load} "
        f"· peak memory so far {peak_memory()}"
    )
    return seconds, job


WAL_PER_ROW = 4_800
"""Bytes of WAL an imported row writes, with room (~4.3 GB per million rows measured)."""


def warm_wal(cursor: Any, rows: int) -> None:
    """Give the fresh cluster the WAL segments a running server has ready for an import.

    A server recycles its WAL segments at each checkpoint (up to `max_wal_size`); a
    cluster made by initdb seconds ago has none, so the import's own backend would create
    and zero-fill every 16 MB segment it writes (~260 per million rows), ~10-30 CPU-s on
    the longest path that a running server does not pay (bench/RESULTS.md, import part
    6). Switching to a new segment this many times creates them; the checkpoint after it
    keeps them for reuse."""
    cursor.execute("SELECT pg_size_bytes(current_setting('wal_segment_size'))")
    segment = cursor.fetchone()[0]
    cursor.execute("CREATE TABLE bench_wal_warm (n int)")
    for n in range(rows * WAL_PER_ROW // segment + 1):
        cursor.execute("INSERT INTO bench_wal_warm VALUES (%s)", [n])
        cursor.execute("SELECT pg_switch_wal()")
    cursor.execute("DROP TABLE bench_wal_warm")
    cursor.execute("CHECKPOINT")
    cursor.execute("SELECT count(*) FROM pg_ls_waldir()")
    print(f"WAL segments ready for the import: {cursor.fetchone()[0]}")


def warm_buffers(cursor: Any) -> None:
    """Touch every page of the fresh cluster's shared buffers once, as a running server
    has. The operating system hands a process its shared memory page by page, zeroed, at
    first touch; on a virtual machine that returns free memory to its host, that first
    touch costs the host's page fault too. Without this, the import's server process
    touched all of `shared_buffers` itself (2 GB: ~16% of its samples in `clear_page`
    under the COPYs' buffer allocation, bench/RESULTS.md, import part 7). An unlogged
    table filled to the size of the buffers and dropped does it: `INSERT` uses no
    buffer ring, and the dropped table's buffers go back to the free list, unwritten."""
    cursor.execute("SELECT setting::bigint FROM pg_settings WHERE name = 'shared_buffers'")
    pages = cursor.fetchone()[0]
    cursor.execute("CREATE UNLOGGED TABLE bench_buffers (filler text)")
    # Four rows of 1,900 bytes to an 8 kB page (uncompressed: under the TOAST threshold).
    cursor.execute(
        "INSERT INTO bench_buffers SELECT repeat('x', 1900) FROM generate_series(1, %s)",
        [pages * 4],
    )
    cursor.execute("DROP TABLE bench_buffers")
    print(f"shared buffers touched before the import: {pages * 8 / 1024 / 1024:.1f} GB")


def ready_for_an_import(rows: int) -> None:
    """The cluster as a running server meets an import: the setup's (or the last run's)
    rows written out by a checkpoint, WAL segments and shared buffers ready; then a
    server process of its own for the import, as in an app server's worker."""
    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")
        warm_wal(cursor, rows)
        warm_buffers(cursor)
    connection.close()


def undo_import(job: ImportJob) -> None:
    """Empties what an import wrote, so the next run loads into the same world: the
    loaded tables and the access log (the setup writes no access records, so every one
    is the import's), truncated, with what refers to them (empty: the job's derived
    phase is not run)."""
    others = AccessLog.objects.exclude(purpose=services.IMPORT_PURPOSE).count()
    assert others == 0, f"{others} access records the import did not write"
    tables = ", ".join([*LOADED_TABLES, AccessLog._meta.db_table])
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} CASCADE")
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.DONE)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.imports", description=__doc__)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--workers",
        type=int,
        default=checking.WORKERS,
        help="checking processes for a large file (1: checked in the importing process)",
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=1,
        help="imports of the same file, what the last one wrote emptied between them; the "
        "median is the figure (a shared machine is noisy); the derived phase after the last",
    )
    args = parser.parse_args(argv)
    checking.WORKERS = args.workers
    try:
        require_postgresql()
    except NotPostgreSQL as exc:
        print(exc, file=sys.stderr)
        return 2
    logging.basicConfig(format="  %(message)s")
    logging.getLogger("wattelt.imports.bulk").setLevel(logging.INFO)
    call_command("migrate", interactive=False, verbosity=0)
    officer, places = world(args.rows)
    with connection.cursor() as cursor:
        # The setup's million rows vacuumed and analysed now, not by autovacuum during
        # the import (the subject of the measurement), and written out by a checkpoint,
        # not by the import's backend as it needs the buffers they hold.
        cursor.execute(f"VACUUM ANALYZE {Resident._meta.db_table}, {Trajectory._meta.db_table}")
    ready_for_an_import(args.rows)
    content = csv_file(places, args.seed)
    del places
    print(f"peak memory after the setup: {peak_memory()}")
    assert officer.organisation is not None
    check = services.submit(officer.organisation, officer, "bench.csv", content, True)
    job = services.submit(officer.organisation, officer, "bench.csv", content, False)
    print(f"load average before: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print("check (dry run) phases:")
    check_seconds, check = timed(lambda: services.run(check))
    runs: list[float] = []
    for run in range(1, args.runs + 1):
        if run > 1:
            undo_import(job)
            ready_for_an_import(args.rows)
            job = services.submit(officer.organisation, officer, "bench.csv", content, False)
        print(f"import phases (the measurements, committed and visible), run {run}:")
        seconds, job = timed(lambda: services.run(job, derive=False))  # noqa: B023
        runs.append(seconds)
    import_seconds = statistics.median(runs)
    print("derived phase (due dates, monitoring summary, change log, adoption, key validation):")
    derived_seconds, done = timed(lambda: derived.finish(job))
    saved = Measurement.objects.filter(status=Measurement.Status.CONFIRMED).count()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    rate = args.rows / import_seconds
    million = TARGET_ROWS / rate
    print(
        f"bench.imports {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} · {platform.node()} · "
        f"{os.cpu_count()} cores · PostgreSQL {version}"
    )
    print(f"file: {args.rows:,} rows, {len(content) / 1e6:.1f} MB")
    exclusive = settings.IMPORT_EXCLUSIVE_ROWS
    print(
        "exclusive load (WATTELT_IMPORT_EXCLUSIVE_ROWS): "
        + (f"from {exclusive:,} rows" if exclusive else "off")
    )
    print(
        f"check (dry run): {check_seconds:.1f} s, {args.rows / check_seconds:,.0f} rows/s, "
        f"state {check.state}, {len(check.problems)} problems"
    )
    print(
        f"import:          {import_seconds:.1f} s, {rate:,.0f} rows/s, state {done.state}, "
        f"{saved:,} measurements saved"
        + (
            f" (median of {len(runs)} runs: {', '.join(f'{r:.1f}' for r in runs)} s)"
            if len(runs) > 1
            else ""
        )
    )
    print(f"derived phase:   {derived_seconds:.1f} s, state {done.state}")
    due = bulk.laps.get("derived: trajectories listed", 0) + bulk.laps.get("derived: due dates", 0)
    print(
        f"due dates current after {import_seconds + due:.1f} s "
        f"(the import, then the derived phase's first step: {due:.1f} s)"
    )
    print(
        f"1,000,000 rows at this rate: {million:,.0f} s (target {TARGET_SECONDS:.0f} s): "
        f"{'met' if million <= TARGET_SECONDS else 'NOT met'}"
    )
    return 0 if done.state == ImportJob.State.DONE and saved == args.rows else 1


if __name__ == "__main__":
    sys.exit(main())
