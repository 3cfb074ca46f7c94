from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from oauth2_provider.views import TokenView

from wattelt.organisations import views as two_factor_views
from wattelt.organisations.forms import LoginForm
from wattelt.start.views import start
from wattelt.web import clear_site_storage

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("beheer/", admin.site.urls),
    path(
        "inloggen/",
        auth_views.LoginView.as_view(authentication_form=LoginForm),
        name="login",
    ),
    path("uitloggen/", clear_site_storage(auth_views.LogoutView.as_view()), name="logout"),
    path("inloggen/tweestaps/instellen/", two_factor_views.enrol, name="two_factor_enrol"),
    path("inloggen/tweestaps/", two_factor_views.verify, name="two_factor_verify"),
    path("inloggen/bevestigen/", two_factor_views.reauthenticate, name="reauthenticate"),
    path("account/herstelcodes/", two_factor_views.recovery_codes, name="recovery_codes"),
    path("api/v1/", include("wattelt.api.urls")),
    path("oauth/token", TokenView.as_view(), name="oauth_token"),
    path("", include("wattelt.api.screen_urls")),
    path("", start, name="start"),
    path("", include("wattelt.residents.urls")),
    path("", include("wattelt.instrument.urls")),
    path("", include("wattelt.audit.urls")),
    path("", include("wattelt.privacy.urls")),
    path("", include("wattelt.implementation.urls")),
    path("", include("wattelt.monitoring.urls")),
    path("", include("wattelt.screening.urls")),
    path("", include("wattelt.feedback.urls")),
    path("", include("wattelt.implementation_plan.urls")),
    path("", include("wattelt.guide.urls")),
    path("", include("wattelt.notifications.urls")),
    path("", include("wattelt.imports.urls")),
    path("", include("wattelt.portal.urls")),
]
if settings.OIDC_LOGIN_ENABLED:
    urlpatterns.insert(0, path("oidc/", include("mozilla_django_oidc.urls")))
