from django.apps import AppConfig


class Config(AppConfig):
    name = "wattelt.operations"
    default_auto_field = "django.db.models.BigAutoField"
