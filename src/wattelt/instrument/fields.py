"""Model fields of the instrument."""

from __future__ import annotations

from typing import Any

from django.db import models
from psycopg.types.json import Json, Jsonb


class FrozenJSONField(models.JSONField):  # type: ignore[type-arg]
    """JSON written once and read whole: PostgreSQL's `json` (the text as written,
    validated) instead of `jsonb` (parsed into a binary tree on every write). Nothing
    queries inside a measurement's snapshot with jsonb operators; it is read whole into
    Python. Writing `json` costs a third of `jsonb`'s server CPU: ~7 instead of ~20
    CPU-s per million snapshots in an import's COPY (bench/RESULTS.md, import15e).
    `json` has no equality operator: no lookups on the field's value (`=`, `?`, `@>`),
    no DISTINCT or GROUP BY over it; `isnull` and reading it whole work. Elsewhere
    (SQLite) it is Django's JSONField unchanged."""

    def db_type(self, connection: Any) -> str | None:
        if connection.vendor == "postgresql":
            return "json"
        return super().db_type(connection)

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        adapted = super().get_db_prep_value(value, connection, prepared)
        if isinstance(adapted, Jsonb):  # PostgreSQL: the same text, typed `json`
            return Json(adapted.obj, dumps=adapted.dumps)
        return adapted

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or isinstance(value, str):
            return super().from_db_value(value, expression, connection)
        return value  # psycopg parses `json` itself (Django only leaves `jsonb` as text)
