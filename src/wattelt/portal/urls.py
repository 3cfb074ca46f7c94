from django.urls import path

from . import signin, staff, views

app_name = "portal"

urlpatterns = [
    path("mijn/", views.home, name="home"),
    path("mijn/inloggen/", signin.front_door, name="sign_in"),
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
]
