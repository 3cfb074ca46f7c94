from django.apps import AppConfig


class Config(AppConfig):
    name = "wattelt.residents"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wattelt.audit.models import register_residents_of_organisation

        from .models import Resident

        # The privacy officer's view of the access log includes every look at the
        # organisation's residents; the log itself knows residents by id only.
        register_residents_of_organisation(
            lambda organisation_id: Resident.objects.filter(organisation_id=organisation_id).values(
                "pk"
            )
        )
