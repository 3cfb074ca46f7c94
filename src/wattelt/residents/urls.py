from django.urls import path

from . import views

app_name = "residents"
urlpatterns = [
    path("inwoners/", views.search, name="search"),
    path("inwoners/nieuw/", views.register, name="register"),
    path("inwoners/<int:pk>/", views.detail, name="detail"),
    path("inwoners/<int:pk>/taal/", views.set_language, name="set_language"),
    path("taal/", views.choose_language, name="choose_language"),
    path("inwoners/<int:pk>/traject/", views.open_trajectory, name="open_trajectory"),
    path("trajecten/<int:pk>/afsluiten/", views.close, name="close"),
    path("trajecten/<int:pk>/afspraak/", views.set_appointment, name="set_appointment"),
    path("trajecten/<int:pk>/delen/", views.consents, name="consents"),
    path("trajecten/<int:pk>/verantwoordelijke/", views.responsible, name="responsible"),
    path(
        "trajecten/<int:pk>/delen/<int:consent_pk>/intrekken/",
        views.withdraw_consent,
        name="withdraw_consent",
    ),
]
