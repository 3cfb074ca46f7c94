from django.urls import path

from . import views

app_name = "implementation_plan"
urlpatterns = [
    path("implementatieplan/", views.plan, name="plan"),
    path("implementatieplan/concept/starten/", views.start_draft, name="start_draft"),
    path("implementatieplan/concept/publiceren/", views.publish, name="publish"),
    path("implementatieplan/concept/weggooien/", views.discard, name="discard"),
    path("implementatieplan/concept/<slug:section>/", views.edit_section, name="edit"),
    path("implementatieplan/versies/", views.versions, name="versions"),
    path("implementatieplan/versies/<int:number>/", views.version, name="version"),
    path("implementatieplan/versies/<int:number>/pdf/", views.version_pdf, name="version_pdf"),
]
