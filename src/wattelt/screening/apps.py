from django.apps import AppConfig


class Config(AppConfig):
    name = "wattelt.screening"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wattelt.privacy.registry import register_personal_data

        from .privacy import PERSONAL_DATA

        register_personal_data(PERSONAL_DATA)
