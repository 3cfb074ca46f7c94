from django.contrib import admin

from .models import ErasureRequest, RetentionPolicy


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(admin.ModelAdmin):
    list_display = ["organisation", "years", "youth_years"]


@admin.register(ErasureRequest)
class ErasureRequestAdmin(admin.ModelAdmin):
    """Read-only: requests are decided and carried out by the privacy officer's screens,
    which check the rules and write the access log."""

    list_display = ["reference", "organisation", "resident_number", "source", "decision"]
    list_filter = ["source", "decision", "legal_hold"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
