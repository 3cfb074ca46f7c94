from django.apps import AppConfig


class Config(AppConfig):
    name = "wattelt.guide"
    default_auto_field = "django.db.models.BigAutoField"
