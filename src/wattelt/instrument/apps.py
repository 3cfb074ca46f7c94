from django.apps import AppConfig


class Config(AppConfig):
    name = "wattelt.instrument"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wattelt.privacy.registry import register_personal_data
        from wattelt.residents.facts import register_trajectory_facts
        from wattelt.residents.signals import trajectory_closing, trajectory_opened

        from . import privacy, schedule

        trajectory_opened.connect(schedule.first_due_date, dispatch_uid="instrument-first-due")
        trajectory_closing.connect(
            schedule.refuse_closing_with_draft, dispatch_uid="instrument-closing-draft"
        )
        register_personal_data(privacy.PERSONAL_DATA)
        register_trajectory_facts(**schedule.TRAJECTORY_FACTS)
