from django.urls import path

from . import page_views, views

app_name = "portal"

urlpatterns = [
    path("mijn/", page_views.home, name="home"),
    # The resident's own pages (page_views.py)
    path("mijn/plan/", page_views.plan, name="plan"),
    path("mijn/plan/<int:trajectory_pk>/pdf/", page_views.plan_pdf, name="plan_pdf"),
    path("mijn/voortgang/", page_views.progress, name="progress"),
    path("mijn/wie-keek/", page_views.looked_at, name="looked"),
    path("mijn/toestemmingen/", page_views.consents, name="consents"),
    path("mijn/toestemmingen/<int:consent_pk>/intrekken/", page_views.withdraw, name="withdraw"),
    path("mijn/privacy/", page_views.privacy_statement, name="privacy"),
    path("mijn/inloggen/", views.sign_in, name="sign_in"),
    path("mijn/taal/", views.language, name="language"),
    path("mijn/uitloggen/", views.sign_out_view, name="sign_out"),
]
