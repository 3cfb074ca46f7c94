from django.urls import path

from . import views

app_name = "screening"
urlpatterns = [
    path("dossierscreening/", views.rounds, name="rounds"),
    path("dossierscreening/<int:pk>/", views.round_detail, name="round"),
    path("dossierscreening/<int:pk>/bevindingen/", views.findings, name="findings"),
    path("dossierscreening/<int:pk>/delen/", views.share_round, name="share_round"),
    path("dossierscreening/dossier/<int:pk>/", views.item, name="item"),
    path("dossierscreening/dossier/<int:pk>/delen/", views.share, name="share"),
    path("mijn-screeningsbevindingen/", views.my_findings, name="my_findings"),
    path("mijn-screeningsbevindingen/<int:pk>/besproken/", views.discussed, name="discussed"),
]
