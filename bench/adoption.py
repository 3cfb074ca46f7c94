"""The adoption summary on a large data set: how long a rebuild takes, what keeping it
costs per write, how long the page's counts take from it, and that they equal the old
computation from the raw tables (tests/implementation/adoption_oracle.py).

    bin/with-postgres env WATTELT_DEBUG=1 .venv/bin/python -m bench.adoption --reuse

Without --reuse it generates the data set first (bench.generate). Exits 1 when the
figures differ, 2 when it cannot run (not PostgreSQL).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time

from django.db import connection, transaction
from django.utils import timezone
from tests.implementation import adoption_oracle as oracle

from bench.generate import DEFAULT_RESIDENTS, count_rows, generate, require_postgresql
from wattelt.implementation.adoption import Month, summary
from wattelt.implementation.adoption.counts import counts_of_teams
from wattelt.implementation.adoption.indicators import Counts, Key
from wattelt.implementation.models import AdoptionDay, AdoptionFact, AdoptionMonth
from wattelt.organisations.models import Organisation, Team
from wattelt.residents.models import Trajectory


def _nonzero(counts: dict[Key, Counts]) -> dict[Key, Counts]:
    return {key: c for key, c in counts.items() if c != Counts()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.adoption", description=__doc__)
    parser.add_argument("--residents", type=int, default=DEFAULT_RESIDENTS)
    parser.add_argument("--reuse", action="store_true", help="measure the data set as it is")
    parser.add_argument("--writes", type=int, default=200, help="trajectories refreshed")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    try:
        require_postgresql()
    except SystemExit as exc:
        print(exc, file=sys.stderr)
        return 2
    if not args.reuse:
        generate(args.residents, args.seed)
    rows = count_rows(["residents_resident", "residents_trajectory", "instrument_measurement"])
    print("bench.adoption: " + ", ".join(f"{k} {v:,}" for k, v in rows.items()), flush=True)

    for step, seconds in summary.rebuild().items():
        print(f"rebuild: {step}: {seconds:.1f} s", flush=True)
    print(
        f"rows: facts {AdoptionFact.objects.count():,}, days {AdoptionDay.objects.count():,}, "
        f"months {AdoptionMonth.objects.count():,}",
        flush=True,
    )

    ids = list(Trajectory.objects.values_list("pk", flat=True))
    chosen = random.Random(args.seed).sample(ids, min(args.writes, len(ids)))
    times = []
    for pk in chosen:
        with transaction.atomic():
            began = time.perf_counter()
            summary.refresh([pk])
            times.append((time.perf_counter() - began) * 1000)
    times.sort()
    print(
        f"refresh of one trajectory (what every write adds), {len(times)} writes: median "
        f"{statistics.median(times):.1f} ms, p95 {times[int(0.95 * (len(times) - 1))]:.1f} ms",
        flush=True,
    )

    different = 0
    today = timezone.localdate()
    for organisation in Organisation.objects.order_by("pk"):
        teams = list(Team.objects.filter(organisation=organisation).values_list("pk", flat=True))
        for back in (0, 3):
            end_month = Month.of(today) - back
            start, end = (end_month - 11).first_day, min(end_month.last_day, today)
            began = time.perf_counter()
            new = counts_of_teams(organisation, start, end, teams, today)
            new_ms = (time.perf_counter() - began) * 1000
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL jit = off")
                began = time.perf_counter()
                old = oracle.counts_of_teams(organisation, start, end, teams, today)
                old_ms = (time.perf_counter() - began) * 1000
            same = _nonzero(new) == _nonzero(old)
            different += not same
            print(
                f"{organisation.name}, 12 months to {end_month.key}: summary {new_ms:.0f} ms, "
                f"raw tables {old_ms:.0f} ms, {len(new):,} cells: "
                f"{'the same' if same else 'DIFFERENT'}",
                flush=True,
            )
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())
