"""Monitoring at scale: the summary tables, the dashboard and a DuckDB comparison.

    bin/with-postgres env WATTELT_DEBUG=1 .venv/bin/python -m bench.monitoring
    DATABASE_URL=sqlite:////tmp/b.sqlite3 WATTELT_DEBUG=1 .venv/bin/python -m bench.monitoring

(--residents N, default $BENCH_RESIDENTS or 1,000,000; see --help.)

1. Generates the data set (bench.generate: COPY on PostgreSQL, executemany in batches on
   SQLite), then fills the monitoring summary tables with the set-based rebuild; times both.
2. Publishes (as the cron job publish_monitoring_figures does) the suppressed cube of
   each viewer's scope for last year and this year: the whole publish (queries,
   suppression across every selection, storing) and, of that, the queries.
3. Requests the real `monitoring:dashboard` page through Django's test Client, logged in
   past the second factor, as a team coach (own teams), a quality officer (organisation)
   and a municipality analyst (municipality), for several filters (year or quarter;
   district; team; age group): warm (the scope's published cube already unpacked in the
   process) and cold (unpacked again from the stored snapshot before each request).
   Median and p95 of the wall time; also the five indicator functions for the same
   selection, as a page computing live would need at least.
4. DuckDB: exports the raw rows (residents, districts, teams, trajectories, measurements,
   chosen domains, domains, goal reviews, not-filled-in records) to CSV, loads them into
   an in-memory DuckDB, computes the same five indicators from the raw rows in SQL,
   checks that they equal ours and prints ratio = our dashboard time / DuckDB time (and
   our indicator functions / DuckDB). DuckDB reads the raw rows from memory (a column
   store), load time excluded.

Exits 1 when a page fails or DuckDB disagrees with our figures.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import django
from django.core.cache import cache, caches
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bench.generate import count_rows, generate, generate_rows
from bench.pages import log_in, percentile
from wattelt.monitoring import indicators as ind
from wattelt.monitoring import summary
from wattelt.monitoring.cube import Period, Scope
from wattelt.monitoring.published import all_scopes, forget_loaded, publish
from wattelt.organisations.models import Membership, Organisation, Role, Staff, Team

DEFAULT_RESIDENTS = int(os.environ.get("BENCH_RESIDENTS", "1000000"))
TARGET_MS = {"postgresql": 200.0, "sqlite": 1000.0}


def out(text: str = "") -> None:
    print(text, flush=True)


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"


def timed(function: Callable[[], Any], runs: int) -> tuple[list[float], Any]:
    """Wall times in ms of `runs` calls (after one warm-up call) and the last result."""
    result = function()
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - began) * 1000)
    return times, result


def stats(times: list[float]) -> str:
    if not times:
        return f"{'-':>9} {'-':>9}"
    return f"{statistics.median(times):>9.1f} {percentile(times, 95):>9.1f}"


# -- who looks, and what they ask for -----------------------------------------------------


@dataclass
class Viewer:
    role: str
    user: Staff
    scope: dict[str, Any]  # Selection keyword arguments, as the dashboard's scope
    team: Team
    district_id: int


def staff_with_role(username: str, organisation: Organisation, role: str) -> Staff:
    user, _ = Staff.objects.get_or_create(
        username=username, defaults={"organisation": organisation}
    )
    Role.objects.get_or_create(staff=user, name=role)
    return user


def viewers() -> list[Viewer]:
    membership = (
        Membership.objects.filter(role=Membership.Role.TEAMCOACH)
        .select_related("staff", "team__organisation")
        .order_by("pk")
        .first()
    )
    if membership is None:
        raise SystemExit("bench: the data set has no team coach")
    coach, team = membership.staff, membership.team
    organisation = team.organisation
    district = team.districts.order_by("pk").first()
    assert district is not None
    quality = staff_with_role("bench-quality", organisation, Role.Name.QUALITY_OFFICER)
    analyst = staff_with_role("bench-analyst", organisation, Role.Name.MUNICIPALITY_ANALYST)
    coached = tuple(
        sorted(
            coach.memberships.filter(role=Membership.Role.TEAMCOACH).values_list(
                "team_id", flat=True
            )
        )
    )
    return [
        Viewer("coach (own teams)", coach, {"team_ids": coached}, team, district.pk),
        Viewer(
            "quality officer (organisation)",
            quality,
            {"organisation_id": organisation.pk},
            team,
            district.pk,
        ),
        Viewer(
            "analyst (municipality)",
            analyst,
            {"municipality_id": organisation.municipality_id},
            team,
            district.pk,
        ),
    ]


@dataclass
class Filter:
    name: str
    period: Period
    district: bool = False
    team: bool = False
    age_group: ind.AgeGroup = "all"


def filters(today: dt.date, this_year: bool = False) -> list[Filter]:
    """The filter combinations requested, in the last complete year (the bench data
    reach until today), or in this year (`this_year`: what a trickle republishes)."""
    shown = today.year if this_year else today.year - 1
    year = Period(shown)
    q3 = Period(shown, 3)
    return [
        Filter(f"year {year.label}", year),
        Filter(f"quarter {q3.label}", q3),
        Filter("year, one district", year, district=True),
        Filter("year, one team", year, team=True),
        Filter("quarter, young people", q3, age_group="young"),
        Filter("year, district, adults", year, district=True, age_group="adult"),
    ]


def selection(viewer: Viewer, f: Filter) -> ind.Selection:
    scope = dict(viewer.scope)
    if f.team:
        scope["team_ids"] = (viewer.team.pk,)
    return ind.Selection(
        f.period.start,
        f.period.end,
        district_ids=(viewer.district_id,) if f.district else (),
        age_group=f.age_group,
        **scope,
    )


def dashboard_url(viewer: Viewer, f: Filter) -> str:
    query: dict[str, Any] = {"period": f.period.value, "age_group": f.age_group}
    if f.district:
        query["district"] = viewer.district_id
    if f.team:
        query["team"] = viewer.team.pk
    return f"{reverse('monitoring:dashboard')}?{urlencode(query)}"


def five(sel: ind.Selection) -> tuple[Any, ...]:
    return (
        ind.trajectory_counts(sel),
        ind.domain_profile(sel),
        ind.paired_change(sel),
        ind.quality_of_life_change(sel),
        ind.goal_attainment(sel),
    )


# -- publishing ----------------------------------------------------------------------------


@dataclass
class PublishRow:
    viewer: str
    year: int
    query_s: float
    total_s: float
    cells: int


def bench_publish(people: list[Viewer], years: list[int], today: dt.date) -> list[PublishRow]:
    """Per scope and year a forced publish: the linked table's queries, suppression
    across every selection, storing the snapshot (and of that, the queries)."""
    rows = []
    for viewer in people:
        scope = Scope(**viewer.scope)
        for year in years:
            outcome = publish(scope, year, today, force=True)
            query_s = outcome.query_seconds
            rows.append(PublishRow(viewer.role, year, query_s, outcome.seconds, outcome.cells))
            out(
                f"  publish {viewer.role} {year}: queries {query_s:.1f} s, whole publish "
                f"{outcome.seconds:.1f} s, {outcome.cells:,} cells; load {load_average()}"
            )
    return rows


def publish_table(rows: list[PublishRow], scopes: int) -> str:
    header = f"{'scope':<31} {'year':>4} {'queries s':>10} {'publish s':>10} {'cells':>9}"
    lines = [header, "-" * len(header)]
    for r in rows:
        lines.append(
            f"{r.viewer:<31} {r.year:>4} {r.query_s:>10.1f} {r.total_s:>10.1f} {r.cells:>9,}"
        )
    lines.append(
        f"(publish = linked table (about 85 queries) + suppression across all selections + "
        f"store; the cron job publishes {scopes} scopes, each year whose data changed)"
    )
    return "\n".join(lines)


# -- the dashboard and the indicators ------------------------------------------------------


@dataclass
class Row:
    viewer: str
    filter: str
    warm: list[float] = field(default_factory=list)
    cold: list[float] = field(default_factory=list)
    functions: list[float] = field(default_factory=list)
    failure: str = ""


def request(client: Client, url: str) -> tuple[float, str]:
    began = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - began) * 1000
    if response.status_code != 200:
        return elapsed, f"GET {url} answered {response.status_code}"
    if response.context and response.context.get("form") and response.context["form"].errors:
        return elapsed, f"GET {url}: the form refused {response.context['form'].errors}"
    return elapsed, ""


def bench_dashboard(
    people: list[Viewer], wanted: list[Filter], requests: int, cold: int, runs: int
) -> list[Row]:
    """Per scope and filter: `cold` requests with this process's loaded cubes and the
    cache forgotten before each (the page reads and unpacks the stored snapshot), then
    `requests` requests as the page is used (warm), and the five indicator functions for
    the same selection (what a page computing live would at least have to do)."""
    rows = []
    for viewer in people:
        client = log_in(viewer.user)
        for f in wanted:
            row = Row(viewer.role, f.name)
            rows.append(row)
            url = dashboard_url(viewer, f)
            for _ in range(cold):
                cache.clear()
                caches["figures"].clear()  # this process's rendered figures too
                forget_loaded()
                ms, row.failure = request(client, url)
                if row.failure:
                    break
                row.cold.append(ms)
            for _ in range(requests if not row.failure else 0):
                ms, row.failure = request(client, url)
                if row.failure:
                    break
                row.warm.append(ms)
            sel = selection(viewer, f)
            row.functions, _ = timed(lambda sel=sel: five(sel), runs)  # type: ignore[misc]
            out(
                f"  {row.viewer}, {row.filter}: warm {stats(row.warm)}, cold "
                f"{stats(row.cold)}, functions {stats(row.functions)} ms; load {load_average()}"
            )
    return rows


def dashboard_table(rows: list[Row], target: float) -> str:
    header = (
        f"{'scope':<31} {'filters':<23} {'warm med':>9} {'warm p95':>9} {'cold med':>9} "
        f"{'cold p95':>9} {'fns med':>9} {'fns p95':>9}  p95 < {target:.0f} ms"
    )
    lines = [header, "-" * len(header)]
    for r in rows:
        worst = max(percentile(r.warm, 95), percentile(r.cold, 95) if r.cold else 0)
        verdict = "FAILED " + r.failure if r.failure else ("ok" if worst < target else "SLOW")
        if not r.warm and not r.cold and not r.failure:
            verdict = "page not requested"
        lines.append(
            f"{r.viewer:<31} {r.filter:<23} {stats(r.warm)} {stats(r.cold)} "
            f"{stats(r.functions)}  {verdict}"
        )
    lines.append(
        "(ms; warm: the page as used, its scope's published cube already unpacked in this "
        "process; cold: loaded cubes and caches (rendered figures too) forgotten before each "
        "request, the page reads and unpacks the stored snapshot; fns: the five indicator "
        "functions for the same selection, without the page)"
    )
    return "\n".join(lines)


# -- DuckDB -------------------------------------------------------------------------------

EXPORTS: dict[str, tuple[str, dict[str, str]]] = {
    "res": (
        "SELECT id, date_of_birth, district_id FROM residents_resident",
        {"id": "BIGINT", "dob": "DATE", "district_id": "BIGINT"},
    ),
    "dis": (
        "SELECT id, municipality_id FROM organisations_district",
        {"id": "BIGINT", "municipality_id": "BIGINT"},
    ),
    "team": (
        "SELECT id, organisation_id FROM organisations_team",
        {"id": "BIGINT", "organisation_id": "BIGINT"},
    ),
    "traj": (
        "SELECT id, resident_id, team_id, started_on FROM residents_trajectory",
        {"id": "BIGINT", "resident_id": "BIGINT", "team_id": "BIGINT", "started_on": "DATE"},
    ),
    "meas": (
        "SELECT id, trajectory_id, kind, status, measured_on, quality_of_life"
        " FROM instrument_measurement",
        {
            "id": "BIGINT",
            "trajectory_id": "BIGINT",
            "kind": "VARCHAR",
            "status": "VARCHAR",
            "measured_on": "DATE",
            "qol": "INTEGER",
        },
    ),
    "chip": (
        "SELECT id, measurement_id, domain_id, resident_chip,"
        " CASE WHEN prioritised THEN 1 ELSE 0 END FROM instrument_chosendomain",
        {
            "id": "BIGINT",
            "measurement_id": "BIGINT",
            "domain_id": "BIGINT",
            "resident_chip": "INTEGER",
            "prioritised": "INTEGER",
        },
    ),
    "dom": (
        "SELECT id, key, position FROM instrument_domain",
        {"id": "BIGINT", "key": "VARCHAR", "position": "INTEGER"},
    ),
    "rev": (
        "SELECT id, goal_id, measurement_id, status FROM instrument_goalreview",
        {"id": "BIGINT", "goal_id": "BIGINT", "measurement_id": "BIGINT", "status": "VARCHAR"},
    ),
    "nfi": (
        "SELECT id, trajectory_id, reason, recorded_on FROM instrument_notfilledin",
        {"id": "BIGINT", "trajectory_id": "BIGINT", "reason": "VARCHAR", "recorded_on": "DATE"},
    ),
}


def export_raw(folder: Path) -> None:
    """The raw rows as CSV files (COPY on PostgreSQL, the csv module on SQLite)."""
    for name, (query, _columns) in EXPORTS.items():
        path = folder / f"{name}.csv"
        if connection.vendor == "postgresql":
            connection.ensure_connection()
            raw = connection.connection
            assert raw is not None
            statement = f"COPY ({query}) TO STDOUT WITH (FORMAT csv)"
            with raw.cursor() as cursor, path.open("wb") as file, cursor.copy(statement) as copy:
                for data in copy:
                    file.write(data)
        else:
            with connection.cursor() as cursor, path.open("w", newline="") as file:
                cursor.execute(query)
                writer = csv.writer(file)
                while batch := cursor.fetchmany(50_000):
                    writer.writerows(batch)


def duck_load(folder: Path) -> Any:
    import duckdb

    duck = duckdb.connect()
    for name, (_query, columns) in EXPORTS.items():
        spec = ", ".join(f"'{c}': '{t}'" for c, t in columns.items())
        duck.execute(
            f"CREATE TABLE {name} AS SELECT * FROM read_csv('{folder / name}.csv',"
            f" header = false, columns = {{{spec}}})"
        )
    duck.execute(
        "CREATE TABLE tx AS SELECT t.id, t.resident_id, t.team_id, t.started_on, r.dob,"
        " r.district_id, d.municipality_id, tm.organisation_id FROM traj t"
        " JOIN res r ON r.id = t.resident_id JOIN dis d ON d.id = r.district_id"
        " JOIN team tm ON tm.id = t.team_id"
    )
    return duck


def _young(on: str) -> str:
    day = f"(year({on}) * 10000 + month({on}) * 100 + day({on}))"
    born = "(year(dob) * 10000 + month(dob) * 100 + day(dob))"
    return f"({day} - {born} < 180000)"


def _where(sel: ind.Selection, on: str) -> str:
    """The selection on `tx` columns (scope and age on the date `on`), as SQL."""
    parts = ["TRUE"]
    if sel.municipality_id is not None:
        parts.append(f"municipality_id = {int(sel.municipality_id)}")
    if sel.organisation_id is not None:
        parts.append(f"organisation_id = {int(sel.organisation_id)}")
    if sel.team_ids:
        parts.append(f"team_id IN ({', '.join(str(int(t)) for t in sel.team_ids)})")
    if sel.district_ids:
        parts.append(f"district_id IN ({', '.join(str(int(d)) for d in sel.district_ids)})")
    if sel.age_group != "all":
        parts.append(("" if sel.age_group == "young" else "NOT ") + _young(on))
    return " AND ".join(parts)


def _figure_sql(condition: str = "TRUE") -> str:
    return (
        f"count(*) FILTER (WHERE {condition}), "
        f"count(DISTINCT resident_id) FILTER (WHERE {condition})"
    )


def duck_five(duck: Any, sel: ind.Selection) -> dict[str, Any]:
    """The five indicators from the raw rows, in DuckDB SQL, as plain values."""
    s, e = f"DATE '{sel.start}'", f"DATE '{sel.end}'"
    result: dict[str, Any] = {}
    result["counts"] = duck.execute(
        f"""WITH c AS (
          SELECT trajectory_id, min(measured_on) AS first_on,
            bool_or(kind = 'follow_up') AS follow_up, bool_or(kind = 'end') AS ended
          FROM meas WHERE status = 'confirmed' GROUP BY trajectory_id)
        SELECT {_figure_sql()}, {_figure_sql("c.trajectory_id IS NOT NULL")},
          {_figure_sql("c.first_on <= tx.started_on + INTERVAL 30 DAY")},
          {_figure_sql("c.follow_up")}, {_figure_sql("c.ended")}
        FROM tx LEFT JOIN c ON c.trajectory_id = tx.id
        WHERE tx.started_on BETWEEN {s} AND {e} AND {_where(sel, "tx.started_on")}"""
    ).fetchone()
    result["not_filled_in"] = sorted(
        duck.execute(
            f"""SELECT reason, count(*), count(DISTINCT resident_id) FROM nfi
            JOIN tx ON tx.id = nfi.trajectory_id
            WHERE recorded_on BETWEEN {s} AND {e} AND {_where(sel, "tx.started_on")}
            GROUP BY reason"""
        ).fetchall()
    )
    result["measured"] = sorted(
        duck.execute(
            f"""SELECT district_id, count(*), count(DISTINCT resident_id) FROM meas m
            JOIN tx ON tx.id = m.trajectory_id
            WHERE m.status = 'confirmed' AND m.measured_on BETWEEN {s} AND {e}
              AND {_where(sel, "m.measured_on")}
            GROUP BY district_id"""
        ).fetchall()
    )
    bands = ", ".join(
        _figure_sql(f"c.resident_chip BETWEEN {low} AND {high}") for _b, low, high in ind.BANDS
    )
    result["chips"] = sorted(
        duck.execute(
            f"""SELECT district_id, d.key, {_figure_sql()}, {_figure_sql("c.prioritised = 1")},
              {bands}
            FROM chip c JOIN meas m ON m.id = c.measurement_id JOIN dom d ON d.id = c.domain_id
            JOIN tx ON tx.id = m.trajectory_id
            WHERE m.status = 'confirmed' AND m.measured_on BETWEEN {s} AND {e}
              AND {_where(sel, "m.measured_on")}
            GROUP BY district_id, d.key"""
        ).fetchall()
    )
    ends = """WITH r AS (
          SELECT id, trajectory_id, measured_on, qol,
            row_number() OVER (PARTITION BY trajectory_id ORDER BY measured_on, id) AS nf,
            row_number() OVER (PARTITION BY trajectory_id ORDER BY measured_on DESC, id DESC)
              AS nl
          FROM meas WHERE status = 'confirmed'),
        fl AS (
          SELECT trajectory_id, max(id) FILTER (WHERE nf = 1) AS first_id,
            max(id) FILTER (WHERE nl = 1) AS latest_id,
            max(measured_on) FILTER (WHERE nl = 1) AS latest_on,
            max(qol) FILTER (WHERE nf = 1) AS first_grade,
            max(qol) FILTER (WHERE nl = 1) AS latest_grade
          FROM r GROUP BY trajectory_id)"""

    def change_sql(step: int) -> str:
        return (
            f"{_figure_sql()}, avg(change), {_figure_sql(f'change >= {step}')}, "
            f"{_figure_sql(f'change > -{step} AND change < {step}')}, "
            f"{_figure_sql(f'change <= -{step}')}"
        )

    result["paired"] = sorted(
        duck.execute(
            f"""{ends}, p AS (
              SELECT tx.resident_id, dl.key, cl.resident_chip - cf.resident_chip AS change
              FROM fl JOIN tx ON tx.id = fl.trajectory_id
              JOIN chip cl ON cl.measurement_id = fl.latest_id JOIN dom dl ON dl.id = cl.domain_id
              JOIN chip cf ON cf.measurement_id = fl.first_id
              JOIN dom df ON df.id = cf.domain_id AND df.key = dl.key
              WHERE fl.first_id <> fl.latest_id AND cl.resident_chip IS NOT NULL
                AND cf.resident_chip IS NOT NULL AND fl.latest_on BETWEEN {s} AND {e}
                AND {_where(sel, "fl.latest_on")})
            SELECT key, {change_sql(ind.CHIP_STEP)} FROM p GROUP BY key"""
        ).fetchall()
    )
    result["quality_of_life"] = duck.execute(
        f"""{ends}, p AS (
          SELECT tx.resident_id, fl.latest_grade - fl.first_grade AS change
          FROM fl JOIN tx ON tx.id = fl.trajectory_id
          WHERE fl.first_id <> fl.latest_id AND fl.first_grade IS NOT NULL
            AND fl.latest_grade IS NOT NULL AND fl.latest_on BETWEEN {s} AND {e}
            AND {_where(sel, "fl.latest_on")})
        SELECT {change_sql(ind.GRADE_STEP)} FROM p"""
    ).fetchone()
    result["goals"] = sorted(
        duck.execute(
            f"""WITH g AS (
              SELECT v.goal_id, v.status, m.measured_on, m.id AS mid, m.trajectory_id,
                row_number() OVER (PARTITION BY v.goal_id ORDER BY m.measured_on DESC, m.id DESC)
                  AS n
              FROM rev v JOIN meas m ON m.id = v.measurement_id
              WHERE m.status = 'confirmed' AND v.status <> ''
                AND m.measured_on BETWEEN {s} AND {e})
            SELECT g.status, count(*), count(DISTINCT resident_id) FROM g
            JOIN tx ON tx.id = g.trajectory_id
            WHERE g.n = 1 AND {_where(sel, "g.measured_on")}
            GROUP BY g.status"""
        ).fetchall()
    )
    return result


def _fig(f: ind.Figure) -> tuple[int, int]:
    return (f.count, f.residents)


def _change_tuple(c: ind.Change) -> tuple[Any, ...]:
    return (
        *_fig(c.pairs),
        None if c.mean is None else round(c.mean, 6),
        *_fig(c.improved),
        *_fig(c.same),
        *_fig(c.worse),
    )


def ours_as_plain(figures: tuple[Any, ...]) -> dict[str, Any]:
    """Our five results in the shape of `duck_five`."""
    counts, profile, paired, grades, goals = figures
    return {
        "counts": tuple(
            v
            for f in (
                counts.trajectories,
                counts.with_start,
                counts.start_within_30_days,
                counts.with_follow_up,
                counts.with_end,
            )
            for v in _fig(f)
        ),
        "not_filled_in": sorted(
            (reason, *_fig(f)) for reason, f in counts.not_filled_in.items() if f.count
        ),
        "measured": sorted((p.district_id, *_fig(p.measurements)) for p in profile),
        "chips": sorted(
            (
                p.district_id,
                d.domain,
                *_fig(d.chosen),
                *_fig(d.prioritised),
                *(v for band, _l, _h in ind.BANDS for v in _fig(d.bands[band])),
            )
            for p in profile
            for d in p.domains
        ),
        "paired": sorted((key, *_change_tuple(c)) for key, c in paired.items()),
        "quality_of_life": _change_tuple(grades),
        "goals": sorted((status, *_fig(f)) for status, f in goals.by_status.items() if f.count),
    }


def duck_as_plain(result: dict[str, Any]) -> dict[str, Any]:
    def change(row: tuple[Any, ...]) -> tuple[Any, ...]:
        values = list(row)
        values[2] = None if values[2] is None else round(float(values[2]), 6)
        return tuple(values)

    grades = result["quality_of_life"]
    return {
        **result,
        "counts": tuple(result["counts"]),
        "paired": [(row[0], *change(row[1:])) for row in result["paired"]],
        "quality_of_life": change(grades) if grades[0] else _change_tuple(ind.Change()),
    }


@dataclass
class DuckRow:
    name: str
    page: list[float]  # the dashboard for the same selection (warm), as users get it
    ours: list[float]  # the five indicator functions
    duck: list[float]
    equal: bool

    @property
    def ratio(self) -> float:
        """Our dashboard time / DuckDB time (the issue's target: at most 1.0)."""
        return statistics.median(self.page) / statistics.median(self.duck)

    @property
    def functions_ratio(self) -> float:
        return statistics.median(self.ours) / statistics.median(self.duck)


def bench_duckdb(
    selections: list[tuple[str, ind.Selection, Row]], runs: int
) -> tuple[list[DuckRow], dict[str, float]]:
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="wattelt-duck-") as name:
        folder = Path(name)
        began = time.perf_counter()
        export_raw(folder)
        timings["export"] = time.perf_counter() - began
        began = time.perf_counter()
        duck = duck_load(folder)
        timings["load"] = time.perf_counter() - began
        rows = []
        for label, sel, page in selections:
            ours_times, ours = timed(lambda sel=sel: five(sel), runs)  # type: ignore[misc]
            duck_times, theirs = timed(lambda sel=sel: duck_five(duck, sel), runs)  # type: ignore[misc]
            mine, other = ours_as_plain(ours), duck_as_plain(theirs)
            equal = mine == other
            if not equal:
                for key in mine:
                    if mine[key] != other[key]:
                        out(f"DuckDB DISAGREES on {label} / {key}:")
                        out(f"  ours:   {str(mine[key])[:400]}")
                        out(f"  duckdb: {str(other[key])[:400]}")
            rows.append(DuckRow(label, page.warm or [math.nan], ours_times, duck_times, equal))
        duck.close()
    return rows, timings


def duck_table(rows: list[DuckRow]) -> str:
    header = (
        f"{'selection':<42} {'page med':>9} {'duck med':>9} {'duck p95':>9} {'ratio':>6} "
        f"{'fns med':>9} {'fns/duck':>8}  {'equal':<5}"
    )
    lines = [header, "-" * len(header)]
    for r in rows:
        lines.append(
            f"{r.name:<42} {statistics.median(r.page):>9.1f} {stats(r.duck)} {r.ratio:>6.2f} "
            f"{statistics.median(r.ours):>9.1f} {r.functions_ratio:>8.2f}  "
            f"{'yes' if r.equal else 'NO'}"
        )
    lines.append(
        "(ms; ratio = our dashboard's median (warm) / DuckDB's median, target <= 1.0. "
        "DuckDB: the five indicators in SQL on the raw rows held in memory, load not "
        "counted. fns: our five indicator functions on the summary tables, for comparison; "
        "equal: DuckDB's figures equal ours)"
    )
    return "\n".join(lines)


# -- the run -------------------------------------------------------------------------------


def describe_database() -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()
            settings = []
            for name in ("shared_buffers", "work_mem", "effective_cache_size", "jit"):
                cursor.execute(f"SHOW {name}")
                row = cursor.fetchone()
                settings.append(f"{name}={row[0] if row else '?'}")
        return f"PostgreSQL {version[0] if version else '?'} ({', '.join(settings)})"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"


def run(
    residents: int,
    requests: int = 200,
    cold: int = 2,
    runs: int = 20,
    duck_runs: int = 5,
    seed: int = 2026,
    reuse: bool = False,
    migrate: bool = True,
    page_filters: int | None = None,
    rebuild: bool = True,
    publishing: bool = True,
    stop_after: str = "",
    this_year: bool = False,
) -> int:
    """The whole benchmark; returns the exit status. `migrate=False` inside tests;
    `page_filters` limits the filter combinations requested on the page."""
    vendor = connection.vendor
    out(
        f"bench.monitoring {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} · "
        f"{platform.node()} · {os.cpu_count()} cores (shared) · Python "
        f"{platform.python_version()} · Django {django.get_version()} · {describe_database()}"
    )
    out(f"load average before: {load_average()}")
    if not reuse:
        if vendor == "postgresql" and migrate:
            generate(residents, seed)
        else:
            generate_rows(residents, seed, migrate=migrate)
    counts = count_rows(
        [
            "residents_resident",
            "residents_trajectory",
            "instrument_measurement",
            "instrument_chosendomain",
        ]
    )
    out("rows: " + ", ".join(f"{t} {n:,}" for t, n in counts.items()))
    if rebuild:
        began = time.perf_counter()
        timings = summary.rebuild()
        out(
            f"bench: monitoring summary rebuilt in {time.perf_counter() - began:.1f} s ("
            + ", ".join(f"{t.removeprefix('monitoring_')} {s:.1f} s" for t, s in timings.items())
            + ")"
        )
    failed = False
    if stop_after == "data":
        return 0
    people = viewers()
    today = timezone.localdate()
    wanted = filters(today, this_year)
    if publishing:
        out("")
        out("Publishing (the cron job's work per scope and year):")
        published = bench_publish(people, [today.year - 1, today.year], today)
        out(publish_table(published, sum(1 for _ in all_scopes())))
    if stop_after == "publish":
        return 0

    rows = bench_dashboard(people, wanted[:page_filters], requests, cold, runs)
    out("")
    out(f"Dashboard ({reverse('monitoring:dashboard')}), {requests} warm and {cold} cold")
    out(f"requests per row, test Client with an OTP session; load average {load_average()}")
    out(dashboard_table(rows, TARGET_MS.get(vendor, 1000.0)))
    failed |= any(r.failure for r in rows)
    if stop_after == "dashboard":
        return 1 if failed else 0

    analyst = next(v for v in people if v.role.startswith("analyst"))
    page_rows = {(r.viewer, r.filter): r for r in rows}
    selections = [
        (f"municipality, {f.name}", selection(analyst, f), page_rows[analyst.role, f.name])
        for f in wanted[:page_filters]
        if not f.team  # a team of the analyst's municipality: covered by the coach
    ] + [
        (
            f"coach, {wanted[0].name}",
            selection(people[0], wanted[0]),
            page_rows[people[0].role, wanted[0].name],
        )
    ]
    duck_rows, duck_timings = bench_duckdb(selections, duck_runs)
    out("")
    out(
        f"DuckDB (in memory, {os.cpu_count()} threads): raw rows exported in "
        f"{duck_timings['export']:.1f} s, loaded in {duck_timings['load']:.1f} s (not counted)"
    )
    out(duck_table(duck_rows))
    failed |= not all(r.equal for r in duck_rows)
    out(f"load average after: {load_average()}")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.monitoring", description=__doc__)
    parser.add_argument("--residents", type=int, default=DEFAULT_RESIDENTS)
    parser.add_argument("--requests", type=int, default=200, help="warm requests per row")
    parser.add_argument("--cold", type=int, default=2, help="cold requests per scope")
    parser.add_argument("--runs", type=int, default=20, help="runs of the indicator functions")
    parser.add_argument("--duck-runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reuse", action="store_true", help="measure the data set in the database")
    parser.add_argument("--page-filters", type=int, help="only the first N filter combinations")
    parser.add_argument(
        "--no-rebuild", action="store_true", help="with --reuse: keep the summary tables"
    )
    parser.add_argument(
        "--no-publish", action="store_true", help="with --reuse: keep the published cubes"
    )
    parser.add_argument(
        "--stop-after",
        choices=("data", "publish", "dashboard"),
        default="",
        help="stop after generating (and rebuilding) the data, after publishing, or after "
        "the dashboard's requests (no DuckDB comparison)",
    )
    parser.add_argument(
        "--this-year",
        action="store_true",
        help="request this year's figures (what a trickle republishes), not last year's",
    )
    args = parser.parse_args(argv)
    if args.residents < 1 or args.requests < 0 or args.cold < 0 or args.runs < 1:
        parser.error("bad counts")
    return run(
        args.residents,
        args.requests,
        args.cold,
        args.runs,
        args.duck_runs,
        args.seed,
        args.reuse,
        page_filters=args.page_filters,
        rebuild=not args.no_rebuild,
        publishing=not args.no_publish,
        stop_after=args.stop_after,
        this_year=args.this_year,
    )


if __name__ == "__main__":
    sys.exit(main())
