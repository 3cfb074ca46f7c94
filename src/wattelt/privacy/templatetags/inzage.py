"""Dates in the inzage document: the data hold ISO text, the resident reads dates."""

from __future__ import annotations

import datetime as dt

from django import template

register = template.Library()


@register.filter
def as_date(value: str | None) -> dt.date | str:
    """An ISO date ("2024-03-01") as a date, for the `date` filter."""
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        return value or ""


@register.filter
def as_moment(value: str | None) -> dt.datetime | str:
    """An ISO date and time with offset as a datetime, for the `date` filter."""
    try:
        return dt.datetime.fromisoformat(value or "")
    except ValueError:
        return value or ""
