from django.apps import AppConfig


class Config(AppConfig):
    name = "wattelt.monitoring"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import receivers  # noqa: F401 - keeps the summary up to date on every write
