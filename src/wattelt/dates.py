"""Date arithmetic in SQL, the same answer on PostgreSQL and SQLite."""

from __future__ import annotations

from typing import Any

from django.db.models import DateField, Func


class PlusDays(Func):
    """A date column plus a whole number of days (a column or a `Value`), as a date:
    `PlusDays("started_on", Value(14))`. PostgreSQL adds an integer to a date natively;
    SQLite's `date()` takes the days as a modifier ('+14 days'). Django's own
    `F(date) + timedelta` yields a datetime text on SQLite that no date column equals."""

    arity = 2
    output_field = DateField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" + ")

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="date(%(expressions)s || ' days')",
            arg_joiner=", '+' || ",
        )
