"""Finding a resident by name, BSN or date of birth."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _

from .models import ResidentQuerySet


def _as_date(text: str) -> dt.date | None:
    for fmt in ("%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


MAX_WORDS = 10
"""A name, a date of birth and a BSN take a handful of words; each word is one condition
in the query, and SQLite refuses a query of a thousand (expression tree too large)."""
MAX_WORD_LENGTH = 120
"""The longest name the register accepts; a longer word matches nobody anyway."""


def search_problem(query: str) -> str | None:
    """Why the search cannot be run as typed, or None."""
    words = query.split()
    if len(words) > MAX_WORDS:
        return _("Search with at most %(max)s words; you typed %(count)s.") % {
            "max": MAX_WORDS,
            "count": len(words),
        }
    if any(len(word) > MAX_WORD_LENGTH for word in words):
        return _("A search word has at most %(max)s characters.") % {"max": MAX_WORD_LENGTH}
    return None


def search_residents(residents: ResidentQuerySet, query: str) -> ResidentQuerySet:
    """Each word must match a name; a 9-digit word matches the BSN, a date the birth date.
    A query beyond the bounds (see `search_problem`) finds nobody."""
    if not query or search_problem(query):
        return residents.none()
    for word in query.split():
        if word.isascii() and word.isdigit() and len(word) == 9:
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
    search never lands in a URL, and so in no proxy log or browser history. Words beyond
    the bounds: a message says why, and nothing is searched."""
    query = request.POST.get("q", "").strip()
    problem = search_problem(query)
    if problem:
        messages.error(request, problem)
        return "", None
    return query, request.POST.get("page")
