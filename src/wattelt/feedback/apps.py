from django.apps import AppConfig


class Config(AppConfig):
    name = "wattelt.feedback"
    default_auto_field = "django.db.models.BigAutoField"
