"""Statements over "these trajectories" compiled once per database.

Some writes derive their summaries with the same ORM queries every time, only the list
of trajectory ids differs (one trajectory, on every confirm). Building and compiling
those querysets costs more than running them. `Compiled` builds them once per
database vendor over `ids`, a subquery of one parameter that stands in for the list,
keeps their SQL and parameters, and fills in the real list (and any other stand-ins)
on each call.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

IDS = "\x00compiled-ids"
"""The stand-in parameter for the list of ids (a value no caller passes)."""

Statement = tuple[str, list[Any]]


def statement_of(queryset: QuerySet[Any, Any]) -> Statement:
    """A queryset's SQL and parameters, as `cursor.execute` takes them."""
    sql, params = queryset.query.sql_with_params()
    return sql, list(params)


def ids(vendor: str) -> RawSQL:
    """A subquery of the ids the one parameter `IDS` lists: an array on PostgreSQL (its
    row estimate is exact, so the plans are those of a literal list), JSON on SQLite."""
    if vendor == "postgresql":
        return RawSQL("SELECT unnest(CAST(%s AS bigint[]))", [IDS])
    return RawSQL("SELECT value FROM json_each(%s)", [IDS])


def _ids_value(vendor: str, values: Sequence[int]) -> Any:
    return list(values) if vendor == "postgresql" else json.dumps(list(values))


class Compiled:
    """The statements `build(ids)` gives, compiled once per database vendor."""

    def __init__(self, build: Callable[[RawSQL], list[Statement]]) -> None:
        self.build = build
        self.statements: dict[str, list[Statement]] = {}

    def __call__(
        self, values: Sequence[int], stand_ins: Mapping[str, Callable[[], Any]] | None = None
    ) -> list[Statement]:
        """The statements for these ids. `stand_ins` maps another stand-in parameter to
        a function giving its value, called once per statement that holds it."""
        vendor = connection.vendor
        if vendor not in self.statements:
            self.statements[vendor] = self.build(ids(vendor))
        listed = _ids_value(vendor, values)
        bound = []
        for sql, params in self.statements[vendor]:
            fresh = {name: make() for name, make in (stand_ins or {}).items() if name in params}
            fresh[IDS] = listed
            bound.append((sql, [fresh.get(p, p) if isinstance(p, str) else p for p in params]))
        return bound


class Recorder:
    """Stands in for a cursor: keeps the statements instead of running them (to compile
    code written against a cursor)."""

    def __init__(self) -> None:
        self.statements: list[Statement] = []

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.statements.append((sql, list(params)))
