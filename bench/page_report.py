"""The printed result of bench.pages and bench.role_pages: one header line about the
machine and the load, the table of pages, the queries with the most time, EXPLAIN
ANALYZE of the costliest SELECT of slow pages, and the failures."""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
from collections.abc import Sequence
from typing import TYPE_CHECKING

import django
from django.db import connection

if TYPE_CHECKING:
    from bench.pages import PageResult

TARGET_P95_MS = 50.0
NAME = 30
"""Width of the page column ("quality: Gebruik van Wat telt")."""


def out(text: str) -> None:
    print(text, flush=True)


def load() -> str:
    """The load averages (1, 5, 15 minutes): other processes on the machine skew the
    timings."""
    if not hasattr(os, "getloadavg"):
        return "?"
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


def server_version() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        row = cursor.fetchone()
    return str(row[0]) if row else "?"


def shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def explain(sql: str) -> str:
    """EXPLAIN ANALYZE of a captured SELECT (never of a statement that writes)."""
    if not sql.lstrip().upper().startswith("SELECT"):
        return "(not a SELECT; not explained)"
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def table(results: Sequence[PageResult]) -> str:
    header = (
        f"{'page':<{NAME}} {'example url':<22} {'objects':>7} {'n':>4} {'median ms':>9} "
        f"{'p95 ms':>7} {'max ms':>7} {'queries':>7} {'sql ms':>6} {'cpu ms':>6}  "
        f"p95 < {TARGET_P95_MS:.0f} ms"
    )
    lines = [header, "-" * len(header)]
    for r in results:
        if r.times_ms:
            q_low, q_high = min(r.queries), max(r.queries)
            queries = f"{q_low}" if q_low == q_high else f"{q_low}-{q_high}"
            numbers = (
                f"{r.median:>9.1f} {r.p95:>7.1f} {r.max:>7.1f} {queries:>7} "
                f"{statistics.median(r.db_ms):>6.1f} {statistics.median(r.cpu_ms):>6.1f}"
            )
            verdict = "ok" if r.ok else "SLOW"
        else:
            numbers = " ".join(f"{'-':>{w}}" for w in (9, 7, 7, 7, 6, 6))
            verdict = "FAILED"
        if r.failure:
            verdict = "FAILED"
        lines.append(
            f"{shorten(r.name, NAME):<{NAME}} {shorten(r.example, 22):<22} {r.objects:>7} "
            f"{len(r.times_ms):>4} {numbers}  {verdict}"
        )
    lines.append(
        "(median/p95/max: wall time per request; queries: SQL statements per request; "
        "sql ms, cpu ms: medians of the statements' time and of this process's CPU time)"
    )
    return "\n".join(lines)


def slow_queries(results: Sequence[PageResult]) -> str:
    lines = ["Queries with the most time per page (total over all requests):"]
    for r in results:
        if not r.by_query:
            continue
        lines.append(f"  {r.name}:")
        for q in r.slowest():
            lines.append(
                f"    {q.total_ms / max(len(r.times_ms), 1):6.2f} ms/request, {q.count:>4}x, "
                f"max {q.max_ms:5.1f} ms: {shorten(q.sql, 150)}"
            )
    return "\n".join(lines)


def explained(results: Sequence[PageResult], every_page: bool) -> list[str]:
    """EXPLAIN ANALYZE of the SELECT with the most time of each slow page (of every page
    with `every_page`)."""
    lines: list[str] = []
    for r in results:
        selects = [q for q in r.slowest(len(r.by_query)) if q.sql.lstrip().startswith("SELECT")]
        if selects and (every_page or (r.times_ms and not r.ok)):
            costly = selects[0]
            lines += [
                "",
                f"EXPLAIN ANALYZE of the SELECT with the most time on {r.name} "
                f"({costly.total_ms / len(r.times_ms):.2f} ms/request, "
                f"max {costly.max_ms:.1f} ms):",
                costly.sql,
                explain(costly.sql),
            ]
    return lines


def report(
    program: str,
    started: dt.datetime,
    load_before: str,
    about: list[str],
    results: Sequence[PageResult],
    explain_every_page: bool = False,
) -> int:
    """Print the results; 1 when a page failed, else 0."""
    out("")
    out(
        f"{program} {started:%Y-%m-%d %H:%M %Z} · {platform.node()} · {os.cpu_count()} cores · "
        f"Python {platform.python_version()} · Django {django.get_version()} · "
        f"PostgreSQL {server_version()} · load average before {load_before}, after {load()}"
    )
    for line in about:
        out(line)
    out("")
    out(table(results))
    out("")
    out(slow_queries(results))
    for line in explained(results, explain_every_page):
        out(line)
    failures = [r for r in results if r.failure]
    for r in failures:
        out("")
        out(f"FAILED {r.name}: {r.failure}")
    return 1 if failures else 0
