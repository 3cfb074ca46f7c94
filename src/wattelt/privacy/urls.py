from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("privacy/", views.start, name="start"),
    path("privacy/inwoners/<int:pk>/", views.resident, name="resident"),
    path("privacy/inwoners/<int:pk>/inzage.pdf", views.inzage_pdf, name="inzage_pdf"),
    path("privacy/inwoners/<int:pk>/inzage.json", views.inzage_json, name="inzage_json"),
    path(
        "privacy/inwoners/<int:pk>/verwijderverzoek/",
        views.register_erasure,
        name="register_erasure",
    ),
    path("privacy/verwijderverzoeken/<int:pk>/", views.erasure, name="erasure"),
    path("privacy/verwijderverzoeken/<int:pk>/besluit/", views.decide, name="decide"),
    path("privacy/verwijderverzoeken/<int:pk>/uitvoeren/", views.execute, name="execute"),
]
