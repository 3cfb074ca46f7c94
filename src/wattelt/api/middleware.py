"""The API's conventions for every response under /api/, also those DRF never sees (an
unknown path, a trailing slash, a server error): an `API-Version` header, and errors as
problem+json."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from .problems import PROBLEM_JSON, problem_response

API_PREFIX = "/api/"
logger = logging.getLogger(__name__)


def _detail(status: int) -> str:
    if status == 404:
        return _("There is no such resource. Paths of this API end without a slash.")
    if status == 405:
        return _("This method is not allowed on this resource.")
    if status >= 500:
        return _("Something went wrong on our side; the request was not carried out.")
    return _("The request could not be handled.")


class ApiConventions:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        response = self.get_response(request)
        if response.status_code >= 400 and response.get("Content-Type") != PROBLEM_JSON:
            replaced = problem_response(
                request, response.status_code, _detail(response.status_code)
            )
            if "Allow" in response:
                replaced["Allow"] = response["Allow"]
            response = replaced
        response["API-Version"] = settings.API_VERSION
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not request.path.startswith(API_PREFIX) or isinstance(
            exception, Http404 | PermissionDenied
        ):
            return None
        logger.exception("API error on %s", request.path, exc_info=exception)
        response = problem_response(request, 500, _detail(500))
        response["API-Version"] = settings.API_VERSION
        return response
