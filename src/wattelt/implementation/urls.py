from django.urls import path

from . import views

app_name = "implementation"
urlpatterns = [
    path("organisatie/instellingen/", views.organisation_settings, name="organisation_settings"),
    path("team/herinneringen/", views.team_reminders, name="team_reminders"),
    path("gebruik/", views.adoption_page, name="adoption"),
]
