from django.urls import path

from . import feedback, preparation, views

app_name = "portal"

urlpatterns = [
    path("mijn/", views.home, name="home"),
    path("mijn/inloggen/", views.sign_in, name="sign_in"),
    path("mijn/taal/", views.language, name="language"),
    path("mijn/uitloggen/", views.sign_out_view, name="sign_out"),
    path("mijn/voorbereiden/", preparation.prepare, name="prepare"),
    path("mijn/mening/", feedback.feedback, name="feedback"),
    path("mijn/mening/<int:pk>/", feedback.answer, name="feedback_answer"),
]
