from django.contrib import admin
from django.http import HttpRequest

from wattelt.organisations.models import OrganisationPolicy, PolicyChange

from .models import DigestSent


class ReadOnlyAdmin(admin.ModelAdmin):
    """Read-only: the policy changes through the organisation settings screen, which
    keeps the history and moves the due dates; the rest is a record."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(OrganisationPolicy)
class OrganisationPolicyAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "mandatory", "professional_view", "carer_view"]


@admin.register(PolicyChange)
class PolicyChangeAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "changed_at", "changed_by", "field", "old", "new"]
    list_filter = ["field"]


@admin.register(DigestSent)
class DigestSentAdmin(ReadOnlyAdmin):
    list_display = ["staff", "day", "trajectories", "sent_at"]
    date_hierarchy = "day"
