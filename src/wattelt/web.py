"""Small pieces every app's views share."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.utils import translation

if TYPE_CHECKING:  # the kernel names the staff type, it never uses organisations
    from wattelt.organisations.models import Staff


class DateInput(forms.DateInput):
    """A date field as the browser's date picker (ISO dates both ways)."""

    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the named field when the form
    has it, else at the top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def page_of(rows: QuerySet[Any], number: Any, size: int, count: int | None = None) -> Page:
    """`Paginator(rows, size).get_page(number)`, the page read in two steps: its ids in
    order first (a narrow query the database answers from an index, however many rows
    match), then only those rows through the same queryset, with its joins. A long list
    sorted after joining every row to its resident cost 50-120 ms at 1,000,000 residents.
    `count`: how many rows there are, when the caller counted them already (one query less)."""
    paginator = Paginator(rows, size)
    if count is not None:
        paginator.count = count  # a cached property: given, not asked
    page = paginator.get_page(number)
    sliced = page.object_list
    assert isinstance(sliced, QuerySet)  # a slice of `rows`
    ids = list(sliced.values_list("pk", flat=True))
    # Put in order here: the rows' query need not sort.
    found = {row.pk: row for row in rows.filter(pk__in=ids).order_by()}
    page.object_list = [found[pk] for pk in ids if pk in found]
    return page


class ChosenLanguage:
    """Dutch unless the user picked another language (the set_language cookie). The
    browser's own language is ignored: resident and professional share one screen."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class StaffRequest(HttpRequest):
    """A request behind login_required: the user is a logged-in staff member."""

    user: Staff  # type: ignore[assignment]


class RejectNullCharacters:
    """NUL characters in a request's fields are never meaningful; PostgreSQL refuses them
    in text. Refuse such a request at the door instead of failing halfway."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for data in (request.GET, request.POST):
            if any("\x00" in value for values in data.lists() for value in values[1]):
                return HttpResponseBadRequest(
                    translation.gettext("The form contains invalid characters.")
                )
        return self.get_response(request)


def clear_site_storage(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Logging out empties what this site kept in the browser (the board's offline draft
    in localStorage): the `Clear-Site-Data: "storage"` header; cookies are the session's."""

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if request.method == "POST":
            response["Clear-Site-Data"] = '"storage"'
        return response

    return wrapped
