from django.urls import path

from . import views

app_name = "feedback"
urlpatterns = [
    path("feedback/", views.start, name="start"),
    path("feedback/vragenlijst/<int:pk>/", views.answer, name="answer"),
    path("feedback/vragenlijst/<int:pk>/tablet/", views.hand_over, name="hand_over"),
    path("feedback/vragenlijst/<int:pk>/link/", views.make_link, name="make_link"),
    path("feedback/traject/<int:pk>/", views.trajectory, name="trajectory"),
    path("feedback/tablet/", views.tablet, name="tablet"),
    path("feedback/tablet/teruggeven/", views.tablet_return, name="tablet_return"),
    # Residents without an account; a proxy may rate-limit this prefix separately.
    path("feedback/v/<str:token>/", views.respond, name="respond"),
    path("feedback/beheer/", views.manage, name="manage"),
    path("feedback/beheer/nieuw/", views.create, name="create"),
    path("feedback/beheer/<int:pk>/", views.edit, name="edit"),
    path("feedback/beheer/<int:pk>/nieuwe-versie/", views.new_version, name="new_version"),
    path("feedback/resultaten/", views.results, name="results"),
    path(
        "feedback/resultaten/<int:pk>/", views.questionnaire_results, name="questionnaire_results"
    ),
]
