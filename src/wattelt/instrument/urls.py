from django.urls import path

from . import conversation, views

app_name = "instrument"
urlpatterns = [
    path("trajecten/<int:trajectory_pk>/", views.progress, name="progress"),
    path("trajecten/<int:trajectory_pk>/meting/", views.new_measurement, name="new_measurement"),
    path("trajecten/<int:trajectory_pk>/niet-ingevuld/", views.not_filled_in, name="not_filled_in"),
    path("trajecten/<int:trajectory_pk>/plan/", views.plan, name="plan"),
    path("trajecten/<int:trajectory_pk>/plan.pdf", views.plan_pdf, name="plan_pdf"),
    path(
        "trajecten/<int:trajectory_pk>/doelen/<int:goal_pk>/voortgang/",
        views.goal_progress,
        name="goal_progress",
    ),
    path("metingen/<int:pk>/", views.board, name="board"),
    path("metingen/<int:pk>/woorden/", views.set_wording, name="set_wording"),
    path("metingen/<int:pk>/corrigeren/", views.correct, name="correct"),
    path("metingen/<int:pk>/verwijderen/", views.discard, name="discard"),
    path("metingen/<int:pk>/gesprek/", conversation.conversation, name="conversation"),
    path("metingen/<int:pk>/samenvatting/", conversation.summary, name="summary"),
    path("metingen/<int:pk>/wat-is-veranderd/", conversation.changed, name="what_changed"),
    path("voorbereidingen/<int:pk>/", views.preparation, name="preparation"),
    path(
        "voorbereidingen/<int:pk>/samen-openen/",
        conversation.open_preparation,
        name="open_preparation",
    ),
    path(
        "metingen/<int:pk>/gesprek/teruggeven/",
        conversation.conversation_return,
        name="conversation_return",
    ),
]
