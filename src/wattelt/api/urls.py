"""/api/v1/: resources named in Dutch, no trailing slashes, the OpenAPI document at
/api/v1/openapi.json."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from rest_framework.routers import SimpleRouter

from wattelt.replica import reads_from_replica

from . import views
from .figures import FiguresView

app_name = "api"

router = SimpleRouter(trailing_slash=False)
router.register("inwoners", views.InwonerViewSet, basename="inwoner")
router.register("trajecten", views.TrajectViewSet, basename="traject")
router.register("metingen", views.MetingViewSet, basename="meting")
router.register("doelen", views.DoelViewSet, basename="doel")
router.register("toestemmingen", views.ToestemmingViewSet, basename="toestemming")
router.register("niet-ingevuld", views.NietIngevuldViewSet, basename="niet-ingevuld")
router.register("leefgebieden", views.LeefgebiedViewSet, basename="leefgebied")


def openapi(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """The OpenAPI document; drf-spectacular's view is imported on first use, so starting
    the site does not wait for it."""
    from drf_spectacular.views import SpectacularJSONAPIView

    response: HttpResponse = SpectacularJSONAPIView.as_view()(request, *args, **kwargs)
    return response


urlpatterns = [
    path("openapi.json", openapi, name="openapi"),
    path("cijfers", reads_from_replica(FiguresView.as_view()), name="cijfers"),
    path("", include(router.urls)),
]
