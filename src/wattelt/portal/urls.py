from django.urls import path

from . import feedback, page_views, preparation, signin, staff, views

app_name = "portal"

urlpatterns = [
    path("mijn/", page_views.home, name="home"),
    path("mijn/inloggen/", signin.front_door, name="sign_in"),
    # The resident's own pages (page_views.py)
    path("mijn/plan/", page_views.plan, name="plan"),
    path("mijn/plan/<int:trajectory_pk>/pdf/", page_views.plan_pdf, name="plan_pdf"),
    path("mijn/voortgang/", page_views.progress, name="progress"),
    path("mijn/wie-keek/", page_views.looked_at, name="looked"),
    path("mijn/toestemmingen/", page_views.consents, name="consents"),
    path("mijn/toestemmingen/<int:consent_pk>/intrekken/", page_views.withdraw, name="withdraw"),
    path("mijn/privacy/", page_views.privacy_statement, name="privacy"),
    path("mijn/taal/", views.language, name="language"),
    path("mijn/uitloggen/", views.sign_out_view, name="sign_out"),
    # Signing in: an invitation and the first passkey, a passkey, DigiD.
    path("mijn/uitnodiging/<str:token>/", signin.invitation, name="invitation"),
    path(
        "mijn/passkey/nieuw/opties/",
        signin.registration_options,
        name="passkey_registration_options",
    ),
    path("mijn/passkey/nieuw/", signin.register_passkey, name="passkey_register"),
    path("mijn/passkey/opties/", signin.sign_in_options, name="passkey_options"),
    path("mijn/passkey/", signin.sign_in_with_passkey, name="passkey_sign_in"),
    path("mijn/digid/", signin.digid_start, name="digid_start"),
    path("mijn/digid/terug/", signin.digid_callback, name="digid_callback"),
    # The professional invites the resident and ends their access (staff pages).
    path("inwoners/<int:pk>/mijn-wat-telt/uitnodigen/", staff.invite, name="invite"),
    path("inwoners/<int:pk>/mijn-wat-telt/intrekken/", staff.revoke, name="revoke"),
    path(
        "inwoners/<int:pk>/mijn-wat-telt/plan-met-uitnodiging/",
        staff.invitation_plan_pdf,
        name="invitation_plan_pdf",
    ),
    path("mijn/voorbereiden/", preparation.prepare, name="prepare"),
    path("mijn/mening/", feedback.feedback, name="feedback"),
    path("mijn/mening/<int:pk>/", feedback.answer, name="feedback_answer"),
]
