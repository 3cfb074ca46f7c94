from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("toegangslog/", views.access_log, name="access_log"),
    path("toegangslog/export.csv", views.access_log_export, name="access_log_export"),
]
