from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from wattelt.api.demo import demo_client_ids
from wattelt.demo.data import DEMO_PASSWORD, seed_demo
from wattelt.organisations.models import Membership, Role
from wattelt.portal.demo import DEMO_CODE, DEMO_TOKEN, demo_invitation


class Command(BaseCommand):
    help = "Load the domain catalogue and a demo organisation (kept if it already exists)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-publish",
            action="store_true",
            help="Leave the monitoring figures unpublished (publishing the demo's twelve "
            "scope-years with the interval audit takes 1-2 CPU-minutes).",
        )

    def handle(self, *args: object, **options: object) -> None:
        created = seed_demo()
        if not options["no_publish"]:
            # The monitoring pages read published figures; publish what the demo holds.
            call_command("publish_monitoring_figures", stdout=self.stdout)
        self.stdout.write("Demo data created." if created else "Demo data already present; kept.")
        self.stdout.write(f"Demo logins (password: {DEMO_PASSWORD}):")
        for m in Membership.objects.select_related("staff", "team__organisation").order_by(
            "team__name", "role"
        ):
            team = f"{m.team} ({m.team.organisation})"
            self.stdout.write(f"  {m.staff.username:<18} {m.get_role_display():<13} {team}")
        for role in Role.objects.select_related("staff").order_by("staff__username"):
            self.stdout.write(f"  {role.staff.username:<18} {role.get_name_display()}")
        self.stdout.write("  beheer             administrator (admin at /beheer/)")
        self.stdout.write(
            "Two-step login code of a demo account: "
            ".venv/bin/python manage.py demo_code <username>  (with WATTELT_DEBUG=1)"
        )
        invited = demo_invitation()
        if invited is not None:
            self.stdout.write(
                f"Mijn Wat telt as resident {invited}: http://localhost:8000/mijn/uitnodiging/"
                f"{DEMO_TOKEN}/ with code {DEMO_CODE} (renewed by every seed_demo)"
            )
        for client_id in demo_client_ids():
            self.stdout.write(
                f"API demo client (docs/api.md): {client_id}; its secret: .venv/bin/python "
                f"manage.py api_client_secret {client_id}  (with WATTELT_DEBUG=1)"
            )
