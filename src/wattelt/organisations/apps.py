from django.apps import AppConfig


class Config(AppConfig):
    name = "wattelt.organisations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import sessions  # noqa: F401 - connects the login signal
