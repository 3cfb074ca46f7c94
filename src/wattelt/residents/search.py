"""Finding a resident by name, BSN or date of birth."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.http import HttpRequest

from .models import ResidentQuerySet


def _as_date(text: str) -> dt.date | None:
    for fmt in ("%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def search_residents(residents: ResidentQuerySet, query: str) -> ResidentQuerySet:
    """Each word must match a name; a 9-digit word matches the BSN, a date the birth date."""
    if not query:
        return residents.none()
    for word in query.split():
        if word.isdigit() and len(word) == 9:
            residents = residents.filter(bsn=word)
        elif (day := _as_date(word)) is not None:
            residents = residents.filter(date_of_birth=day)
        else:
            residents = residents.filter(
                Q(first_name__icontains=word) | Q(last_name__icontains=word)
            )
    return residents


def posted_search(request: HttpRequest) -> tuple[str, str | None]:
    """The search words and page number. They come by POST, so a BSN typed into the
    search never lands in a URL, and so in no proxy log or browser history."""
    return request.POST.get("q", "").strip(), request.POST.get("page")
