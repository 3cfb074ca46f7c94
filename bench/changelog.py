"""Publishing with the change log (issue 16, point 7): what a publish run costs when
nothing changed, and over a trickle of confirmations.

    bin/with-postgres env WATTELT_DEBUG=1 .venv/bin/python -m bench.changelog --residents 100000

1. Generates the data set (bench.generate) and rebuilds the monitoring summary. A full
   publish of every scope and year takes hours on this shared machine (43 scopes x 8
   years, 3-24 s each at 100k), so the bench builds one cube for real and stores a copy
   of it as a stand-in for every other scope and year: the check reads only each cube's
   description, and what the trickle changes is built for real. (The stand-ins are never
   shown; the database is a throwaway.)
2. Runs the command `--idle` times with nothing changed: wall time of each.
3. A trickle: `--runs` rounds of `--per-run` confirmations (follow-up measurements on
   open trajectories spread over the teams, confirmed through the instrument's services
   as the board does), each round followed by a publish run. Per run: the scope-years
   built, wall seconds and CPU seconds (this process plus the whole PostgreSQL cluster,
   parallel query workers included, from /proc), and the CPU share of one core if the
   run repeats every `--interval` seconds (the crontab: 300). The first run replaces
   the stand-ins of the trickle's scope-years (they have no stored parts: every
   district is asked for); from the second on, only the districts the change log names.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import statistics
import sys
import time
from pathlib import Path

from django.core.management import call_command
from django.db import connection
from django.http import QueryDict
from django.utils import timezone

from bench.generate import generate
from wattelt.instrument import services as instrument
from wattelt.instrument.forms import BoardParser
from wattelt.monitoring import audit, summary
from wattelt.monitoring.changes import pending
from wattelt.monitoring.cube import quarters_so_far
from wattelt.monitoring.forms import YEARS_BACK
from wattelt.monitoring.models import FigureChange, PublishedCube
from wattelt.monitoring.published import publish, publish_plan, scope_identity
from wattelt.residents.models import Trajectory

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def out(text: str = "") -> None:
    print(text, flush=True)


def _stat(pid: int | str) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def cluster_cpu() -> float:
    """CPU seconds used by the PostgreSQL cluster serving us (same machine): the
    postmaster with its reaped children (parallel query workers that have exited) and
    every child alive now (our backend, autovacuum)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    postmaster = int(_stat(backend)[1])  # ppid
    fields = _stat(postmaster)
    ticks = sum(int(v) for v in fields[11:15])  # utime, stime, cutime, cstime
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                child = _stat(entry.name)
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(child[1]) == postmaster:
                ticks += int(child[11]) + int(child[12])
    return ticks / CLOCK_TICKS


def cpu() -> float:
    return time.process_time() + cluster_cpu()


def publish_run(show: bool = False) -> tuple[int, float, float]:
    """One run of the cron command: (scope-years built, wall s, CPU s); `show` prints
    the scope-years it built."""
    output = io.StringIO()
    wall, used = time.perf_counter(), cpu()
    call_command("publish_monitoring_figures", stdout=output)
    wall, used = time.perf_counter() - wall, cpu() - used
    lines = output.getvalue().splitlines()
    built = [line for line in lines if ": built (" in line]
    for line in lines if show else []:
        if ": built (" in line or "figures unchanged" in line or line.startswith("published "):
            out(f"    {line}")
    return len(built), wall, used


def confirm_follow_up(trajectory: Trajectory) -> None:
    """A follow-up measurement confirmed through the services, as the board confirms."""
    by = trajectory.responsible
    draft = instrument.start_measurement(trajectory, by, "follow_up")
    domains = list(draft.catalogue.domains.all())
    post = QueryDict(mutable=True)
    post["revision"] = str(draft.revision)
    post["measured_on"] = timezone.localdate().isoformat()
    post.setlist("chosen", ["wonen", "geld"])
    post["chip-resident-wonen"] = "60"
    post["chip-resident-geld"] = "45"
    post["quality_of_life"] = "7"
    for index, goal in enumerate(instrument.goals_to_review(draft)):
        post[f"review-{goal.pk}-status"] = "partly" if index % 2 else "achieved"
    data = BoardParser(post, domains).parse()
    instrument.confirm_measurement(draft, by, data)


def store_stand_ins() -> int:
    """One real cube (a coach's, this year), copied to every other scope and year a
    publish run would look at."""
    today = timezone.localdate()
    plan = publish_plan(today, YEARS_BACK, pending(), force=True)
    coach = next(scope for scope, _year in plan if scope.team_ids)
    publish(coach, today.year, today, force=True)
    model = PublishedCube.objects.get()
    rows = []
    for scope, year in plan:
        kind, key = scope_identity(scope)
        if (kind, key, year) != (model.kind, model.scope_key, model.year):
            rows.append(
                PublishedCube(
                    kind=kind,
                    scope_key=key,
                    year=year,
                    built_at=model.built_at,
                    data_version="stand-in",
                    changes_seen=model.changes_seen,
                    quarters=len(quarters_so_far(year, today)),
                    build="stand-in",
                    payload=model.payload,
                )
            )
    PublishedCube.objects.bulk_create(rows)
    return len(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.changelog", description=__doc__)
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--idle", type=int, default=5)
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--per-run", type=int, default=25)
    parser.add_argument("--interval", type=int, default=300)
    parser.add_argument(
        "--teams", type=int, default=1, help="confirm in the first N teams only (0: all)"
    )
    parser.add_argument("--reuse", action="store_true", help="measure the data in the database")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the cubes an earlier run of this bench stored (no new stand-ins)",
    )
    parser.add_argument(
        "--profile", metavar="PREFIX", help="cProfile each trickle run into PREFIX-<run>.prof"
    )
    args = parser.parse_args(argv)
    if connection.vendor != "postgresql":
        raise SystemExit("bench.changelog: PostgreSQL only (it reads the backend's CPU)")
    if not args.reuse:
        generate(args.residents, verbose=False)
        summary.rebuild()
    out(f"bench.changelog · {args.residents:,} residents · {os.cpu_count()} cores (shared)")
    if not args.keep or not PublishedCube.objects.exists():
        began = time.perf_counter()
        stand_ins = store_stand_ins()
        seconds = time.perf_counter() - began
        out(f"one cube built and {stand_ins} stand-ins stored in {seconds:.1f} s")
    FigureChange.objects.all().delete()  # the rebuild's "everything changed"

    idle = [publish_run() for _ in range(args.idle)]
    walls = [wall for _built, wall, _cpu in idle]
    if idle:
        out(
            f"nothing changed, {args.idle} runs: built {sum(b for b, _w, _c in idle)}, "
            f"wall median {statistics.median(walls) * 1000:.0f} ms (max {max(walls) * 1000:.0f}), "
            f"CPU median {statistics.median(c for _b, _w, c in idle) * 1000:.0f} ms"
        )

    open_measured = Trajectory.objects.filter(ended_on__isnull=True)
    if args.teams:
        teams = open_measured.values_list("team_id", flat=True).distinct().order_by("team_id")
        open_measured = open_measured.filter(team_id__in=list(teams[: args.teams]))
    # Trajectories measured today are left out: a bench run again on the same data
    # (--reuse --keep) confirms fresh ones, as a real trickle does, instead of a second
    # follow-up of the same trajectories, which changes fewer figures.
    candidates = list(
        open_measured.filter(measurements__status="confirmed")
        .exclude(measurements__status="draft")
        .exclude(measurements__measured_on=timezone.localdate())
        .order_by("team_id", "pk")
        .distinct()
        .values_list("pk", flat=True)[: args.runs * args.per_run * 20]
    )
    step = max(1, len(candidates) // max(1, args.runs * args.per_run))
    chosen = candidates[::step][: args.runs * args.per_run]
    where = f"the first {args.teams} team(s)" if args.teams else "all teams"
    out(f"trickle: {args.runs} runs of {args.per_run} confirmations in {where}")
    out("run | confirmations | log rows | scope-years built | wall s | CPU s | CPU share")
    totals = []
    for run in range(args.runs):
        batch = chosen[run * args.per_run : (run + 1) * args.per_run]
        for trajectory in Trajectory.objects.filter(pk__in=batch).select_related("responsible"):
            confirm_follow_up(trajectory)
        rows = FigureChange.objects.count()
        profiler = cProfile.Profile() if args.profile else None
        if profiler is not None:
            profiler.enable()
        audit.STATS.clear()
        built, wall, used = publish_run(show=True)
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(f"{args.profile}-{run + 1}.prof")
        totals.append(used)
        out(
            f"{run + 1} | {len(batch)} | {rows} | {built} | {wall:.1f} | {used:.1f} | "
            f"{used / args.interval:.1%} of one core at one run per {args.interval} s"
        )
        # Suppression of the built scope-years (wall s): steps 1-3, the interval audit,
        # and steps 2-3 once more where it hid cells; then what the audit asked.
        stats = audit.STATS
        out(
            f"    suppression: sums {stats['sums s']:.1f} s, audit {stats['audit s']:.1f} s, "
            f"closing {stats['closing s']:.1f} s; parts asked {stats['parts']:.0f}, "
            f"solves {stats['solves']:.0f}, models {stats['models']:.0f}, "
            f"hidden settled {stats['keys settled']:.0f}"
        )
    if not totals:
        return 0
    out(
        f"mean CPU per run {statistics.mean(totals):.1f} s -> "
        f"{statistics.mean(totals) / args.interval:.1%} of one core"
    )
    if len(totals) > 1:
        # The first run replaces stand-ins (no parts stored): every district asked for.
        later = statistics.mean(totals[1:])
        out(
            f"runs 2-{len(totals)} (the changed districts asked again): mean CPU per run "
            f"{later:.1f} s -> {later / args.interval:.1%} of one core"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
