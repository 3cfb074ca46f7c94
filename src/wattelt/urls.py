from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from wattelt.residents.views import start

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("beheer/", admin.site.urls),
    path("inloggen/", auth_views.LoginView.as_view(), name="login"),
    path("uitloggen/", auth_views.LogoutView.as_view(), name="logout"),
    path("", start, name="start"),
    path("", include("wattelt.residents.urls")),
    path("", include("wattelt.instrument.urls")),
]
