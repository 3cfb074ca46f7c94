from django.urls import path

from . import views

app_name = "monitoring"
urlpatterns = [
    path("monitoring/", views.dashboard, name="dashboard"),
    path("monitoring/presentatie/", views.presentation, name="presentation"),
    path("monitoring/export.csv", views.export_csv, name="export_csv"),
    path("monitoring/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("monitoring/rapport.pdf", views.report, name="report"),
    path("monitoring/onderzoek/", views.research, name="research"),
]
