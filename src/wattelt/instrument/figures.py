"""What figures about the instrument's records share. Monitoring and the adoption page
(implementation) both count the records of a measurement not filled in; both apps sit
above the instrument, so the one definition lives here."""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from django.db.models import QuerySet

from .models import NotFilledIn

T = TypeVar("T")


def per_reason(zero: T) -> dict[str, T]:
    """One entry for every reason a measurement was not filled in, each `zero`."""
    return dict.fromkeys(NotFilledIn.Reason.values, zero)


def not_filled_in_recorded(start: dt.date, end: dt.date) -> QuerySet[NotFilledIn]:
    """The records of a measurement not filled in that count in a period: those recorded
    in it (both dates included), by reason."""
    return NotFilledIn.objects.filter(recorded_on__range=(start, end))
