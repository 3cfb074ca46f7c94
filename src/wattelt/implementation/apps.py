from django.apps import AppConfig


class Config(AppConfig):
    name = "wattelt.implementation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wattelt.residents.signals import trajectory_closing

        from . import receivers  # noqa: F401 - keeps the adoption summary on every write
        from .services import mandatory_closing_blockers

        # Under a mandatory policy a trajectory closes only with its start and end measured.
        trajectory_closing.connect(
            mandatory_closing_blockers, dispatch_uid="implementation-mandatory-closing"
        )
