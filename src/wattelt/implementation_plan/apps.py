from django.apps import AppConfig


class Config(AppConfig):
    name = "wattelt.implementation_plan"
    default_auto_field = "django.db.models.BigAutoField"
