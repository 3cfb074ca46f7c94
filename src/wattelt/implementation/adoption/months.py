"""Months as whole numbers (year * 12 + month), in Python and in SQL, and days as
month number * 100 + day: calendar arithmetic for due dates, exact in every database
(see ADR 0006)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear


def month_number(day: dt.date) -> int:
    """Months since year 0: consecutive months differ by one."""
    return day.year * 12 + day.month - 1


@dataclass(frozen=True, order=True)
class Month:
    number: int

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(month_number(day))

    @property
    def year(self) -> int:
        return self.number // 12

    @property
    def month(self) -> int:
        return self.number % 12 + 1

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def key(self) -> str:
        """As in the URL: 2026-03."""
        return f"{self.year:04d}-{self.month:02d}"

    def __add__(self, months: int) -> Month:
        return Month(self.number + months)

    def __sub__(self, months: int) -> Month:
        return Month(self.number - months)


def month_of(date_field: Any) -> Any:
    """`month_number` in SQL, of a date column or expression."""
    return ExtractYear(date_field) * 12 + ExtractMonth(date_field) - 1


def day_code(day: dt.date) -> int:
    """A date as month number * 100 + day: ordered as the dates are."""
    return month_number(day) * 100 + day.day


def day_code_of(date_field: Any) -> Any:
    """`day_code` in SQL, of a date column or expression."""
    return month_of(date_field) * 100 + ExtractDay(date_field)
