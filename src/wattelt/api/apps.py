from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "wattelt.api"
    label = "api"
    verbose_name = "API"
