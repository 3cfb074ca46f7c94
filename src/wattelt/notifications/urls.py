from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("organisatie/notificaties/", views.overview, name="overview"),
    path("organisatie/notificaties/nieuw/", views.subscribe, name="subscribe"),
    path("organisatie/notificaties/<int:pk>/stoppen/", views.stop, name="stop"),
]
