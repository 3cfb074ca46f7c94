from django.http import Http404, HttpResponse

from wattelt.web import StaffRequest


def import_list(request: StaffRequest) -> HttpResponse:
    raise Http404
