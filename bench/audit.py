"""The interval audit's cost per scope-year (issue 14, ADR 0012), apart from the queries.

    python -m bench.audit --dump DIR        # linked tables of the bench viewers, pickled
    python -m bench.audit --profile DIR     # suppression with and without the audit
    python -m bench.audit --profile DIR --republish N
        # also: a second publish after N changed cells (a trickle), with the first as
        # the previous publish

    python -m bench.audit --first-publish coach-2025,analyst-2026
        # publish those scope-years of the bench viewers (forced: with no previous
        # publish audited, a first publish), timed; several at once in separate runs

`--dump` needs the data set in the database (`bench.monitoring --stop-after data`);
`--profile` needs only the pickles, so the audit can be measured and changed without the
database. Figures go to bench/RESULTS.md ("Issue 14, part 3").
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import pickle
import random
import sys
import time
from pathlib import Path
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wattelt.settings")
django.setup()

from django.utils import timezone  # noqa: E402

from wattelt.monitoring import audit, previous  # noqa: E402
from wattelt.monitoring.cube import LinkedTable, Scope, cube_of, linked_table  # noqa: E402
from wattelt.monitoring.suppression import Cell  # noqa: E402


def out(text: str = "") -> None:
    print(text, flush=True)


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def dump(folder: Path, years: list[int]) -> None:
    from bench.monitoring import viewers

    folder.mkdir(parents=True, exist_ok=True)
    today = timezone.localdate()
    for viewer in viewers():
        scope = Scope(**viewer.scope)
        for year in years:
            began = time.perf_counter()
            linked = linked_table(scope, year, today)
            name = viewer.role.split(" ")[0]
            path = folder / f"{name}-{year}.pickle"
            path.write_bytes(pickle.dumps(linked))
            out(
                f"{path}: {len(linked.table.cells):,} cells, queries "
                f"{time.perf_counter() - began:.1f} s"
            )


def first_publish(names: list[str]) -> None:
    """Publish the named scope-years of the bench viewers (role-year, e.g. analyst-2026)
    as a first publish with the audit: timed, with the audit's work."""
    from bench.monitoring import viewers
    from wattelt.monitoring.published import publish

    today = timezone.localdate()
    by_name = {
        f"{viewer.role.split(' ')[0]}-{year}": (Scope(**viewer.scope), year)
        for viewer in viewers()
        for year in range(today.year - 1, today.year + 1)
    }
    for name in names:
        scope, year = by_name[name]
        load = load_average()
        audit.STATS.clear()
        began, used = time.perf_counter(), time.process_time()
        outcome = publish(scope, year, today, force=True)
        wall, used = time.perf_counter() - began, time.process_time() - used
        out(
            f"{name}: {outcome.cells:,} cells, wall {wall:.1f} s (queries "
            f"{outcome.query_seconds:.1f} s), this process's CPU {used:.1f} s, load {load} -> "
            f"{load_average()}; {dict(audit.STATS)}"
        )


def counts(cube: Any) -> tuple[int, int]:
    small = sum(1 for c in cube.cells.values() if c.suppressed == "primary")
    hidden = sum(1 for c in cube.cells.values() if c.suppressed == "secondary")
    return small, hidden


def trickle(linked: LinkedTable, changes: int, seed: int) -> LinkedTable:
    """The table after `changes` confirmed follow-up measurements of adults in this
    quarter: each adds one to "with a follow-up" of one team, one district and the
    scope, in the quarter and the year, adults and all ages (the sums still add up)."""
    rng = random.Random(seed)
    cells = {c.key: c for c in linked.table.cells}
    # A team and a district it serves (the reader's team-in-district unknowns).
    pairs: list[tuple[Any, Any]] = sorted(
        {
            pair
            for x in linked.table.unknowns
            if x[1] == "reg:follow_up"
            and isinstance(pair := x[4], tuple)
            and pair[0][0] == "d"
            and pair[1][0] == "t"
        }
    )
    quarter = linked.quarters[-1]
    done = 0
    for _attempt in range(changes * 50):
        if done == changes:
            break
        district, team = rng.choice(pairs)
        keys = [
            (item, period, area, age)
            for item in ("follow_up",)
            for period in (quarter, 0)
            for area in (team, district, "all")
            for age in ("adult", "all")
        ]
        room = all(
            ("reg:follow_up", "count", p, a, g) in cells
            and int(cells["reg:follow_up", "count", p, a, g].values["count"])  # type: ignore[call-overload]
            < int(cells["reg:trajectories", "count", p, a, g].values["count"])  # type: ignore[call-overload]
            for _i, p, a, g in keys
        )
        if not room:
            continue
        for _i, p, a, g in keys:
            key = ("reg:follow_up", "count", p, a, g)
            cell = cells[key]
            values = dict(cell.values)
            values["count"] = int(values["count"]) + 1  # type: ignore[call-overload]
            cells[key] = Cell(key, cell.residents + 1, values, cell.published)
        done += 1
    table = dataclasses.replace(linked.table, cells=tuple(cells.values()))
    return dataclasses.replace(linked, table=table)


def profile(folder: Path, width: int, republish: int) -> None:
    out(f"bench.audit · load average {load_average()}")
    header = (
        f"{'table':<22} {'cells':>7} {'sums s':>7} {'audit s':>8} {'<10':>7} "
        f"{'x sums':>7} {'x audit':>7}  stats"
    )
    out(header)
    out("-" * len(header))
    for path in sorted(folder.glob("*.pickle")):
        linked: LinkedTable = pickle.loads(path.read_bytes())
        began = time.perf_counter()
        plain = cube_of(linked, width=0)
        sums_s = time.perf_counter() - began
        audit.STATS.clear()
        began = time.perf_counter()
        cube = cube_of(linked, width=width)
        audit_s = time.perf_counter() - began
        small, hidden_plain = counts(plain)
        _small, hidden = counts(cube)
        stats = dict(audit.STATS)
        out(
            f"{path.stem:<22} {len(linked.table.cells):>7,} {sums_s:>7.1f} {audit_s:>8.1f} "
            f"{small:>7,} {hidden_plain:>7,} {hidden:>7,}  {stats}"
        )
        if republish:
            # The first republish settles the pattern (cells the audit hid are kept hidden
            # and protected by the sums from then on); then a trickle of `republish`
            # confirmations.
            latest = cube
            for changes, trusted in ((0, True), (republish, True), (republish, False)):
                # Not trusted: the previous audit's answers are not reused (as after a
                # publish stored before they were recorded), the pattern is.
                remembered = previous.remember(
                    linked.table, latest.cells, width=width if trusted else 0
                )
                later = trickle(linked, changes, seed=len(path.stem)) if changes else linked
                table = previous.compare(later.table, dict(latest.cells), remembered)
                audit.STATS.clear()
                began = time.perf_counter()
                again = cube_of(dataclasses.replace(later, table=table), width=width)
                again_s = time.perf_counter() - began
                changed = sum(
                    1
                    for k, c in again.cells.items()
                    if c.values.get("count") != latest.cells[k].values.get("count")
                )
                name = f"  +{changes} changes" + ("" if trusted else ", all asked")
                out(
                    f"{name:<22} {changed:>7,} {'':>7} "
                    f"{again_s:>8.1f} {counts(again)[0]:>7,} {'':>7} {counts(again)[1]:>7,}  "
                    f"{dict(audit.STATS)}"
                )
                if trusted:
                    latest, linked = again, later
    out(f"load average after: {load_average()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.audit", description=__doc__)
    parser.add_argument("--dump", type=Path)
    parser.add_argument("--profile", type=Path)
    parser.add_argument("--first-publish", help="role-year,... (e.g. analyst-2026)")
    parser.add_argument("--width", type=int, default=audit.PROTECTION_WIDTH)
    parser.add_argument("--republish", type=int, default=0, help="changed cells")
    parser.add_argument("--years", type=int, default=2, help="--dump: this year and earlier")
    args = parser.parse_args(argv)
    year = timezone.localdate().year
    if args.dump:
        dump(args.dump, list(range(year - args.years + 1, year + 1)))
    if args.first_publish:
        first_publish(args.first_publish.split(","))
    if args.profile:
        profile(args.profile, args.width, args.republish)
    return 0


if __name__ == "__main__":
    sys.exit(main())
