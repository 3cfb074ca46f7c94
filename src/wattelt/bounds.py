"""Bounds on what people type: the longest text, the earliest and latest plausible date.

A form or service refuses values beyond these with a message naming the field, so a
megabyte of notes or a trajectory starting in the year 1 never reaches the database
(and the plan PDF, the search or an export never has to cope with them)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

TEXT_MAX_LENGTH = 1000
"""A goal's text and other short free text: a few sentences."""
NOTE_MAX_LENGTH = 5000
"""A note (closing note, review note, progress note, consent note, reason): a page."""

YEARS_BACK = 50
"""A trajectory, a consent, a goal's target date: not more than fifty years ago (a
youth file may be kept for decades, and an old one still entered) ..."""
YEARS_AHEAD = 20
"""... and not more than twenty years ahead."""
BIRTH_YEARS_BACK = 120

SHOWN_LENGTH = 40


def shown(value: str, length: int = SHOWN_LENGTH) -> str:
    """A value as quoted back in an error message: never a megabyte of it."""
    return value if len(value) <= length else value[: length - 1] + "…"


def too_long(text: str, max_length: int) -> str | None:
    """The message for text beyond `max_length` characters, or None."""
    if len(text) <= max_length:
        return None
    return _("This text is too long: at most %(max)s characters, not %(length)s.") % {
        "max": max_length,
        "length": len(text),
    }


def check_length(
    errors: dict[str, str], field: str, text: str, max_length: int, label: str = ""
) -> None:
    """Add the field's message to `errors` when the text is too long; `label` names the
    field in the message where the message is not shown beside the field."""
    message = too_long(text, max_length)
    if message:
        errors[field] = f"{label}: {message}" if label else message


def implausible_date(
    day: dt.date | None, label: str, *, years_back: int, years_ahead: int
) -> str | None:
    """The message when a date lies implausibly far from today (a typing error such as
    0001-01-01 or 9999-12-31), naming the field; None for a plausible date or none."""
    if day is None:
        return None
    today = timezone.localdate()
    earliest = today.replace(year=today.year - years_back, day=min(today.day, 28))
    latest = today.replace(year=today.year + years_ahead, day=min(today.day, 28))
    if day < earliest:
        return _("%(field)s: %(date)s lies too far in the past (before %(earliest)s).") % {
            "field": label,
            "date": day.strftime("%d-%m-%Y"),
            "earliest": earliest.strftime("%d-%m-%Y"),
        }
    if day > latest:
        return _("%(field)s: %(date)s lies too far in the future (after %(latest)s).") % {
            "field": label,
            "date": day.strftime("%d-%m-%Y"),
            "latest": latest.strftime("%d-%m-%Y"),
        }
    return None


def check_date(
    errors: dict[str, str],
    field: str,
    day: dt.date | None,
    label: str,
    *,
    years_back: int,
    years_ahead: int,
) -> None:
    message = implausible_date(day, label, years_back=years_back, years_ahead=years_ahead)
    if message:
        errors[field] = message


def raise_errors(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)
