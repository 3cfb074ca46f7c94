from django.urls import path

from . import screens

app_name = "api_clients"

urlpatterns = [
    path("koppelingen/", screens.clients, name="clients"),
    path("koppelingen/<int:pk>/intrekken/", screens.revoke, name="revoke"),
]
