"""/api/v1/: resources named in Dutch, no trailing slashes, the OpenAPI document at
/api/v1/openapi.json."""

from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework.routers import SimpleRouter

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

urlpatterns = [
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    path("cijfers", FiguresView.as_view(), name="cijfers"),
    path("", include(router.urls)),
]
