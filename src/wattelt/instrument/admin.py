from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from .catalogue import copy_as_new_version, is_in_use
from .models import Catalogue, Domain


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0

    def has_change_permission(self, request: HttpRequest, obj: Catalogue | None = None) -> bool:
        return obj is None or not is_in_use(obj)

    has_add_permission = has_change_permission  # type: ignore[assignment]
    has_delete_permission = has_change_permission


@admin.register(Catalogue)
class CatalogueAdmin(admin.ModelAdmin):
    """Organisations load their own card texts as a new catalogue version; a version that
    measurements used is never edited in place, so old measurements keep their words."""

    inlines = [DomainInline]
    list_display = ["name", "organisation", "version", "published", "created_at"]
    actions = ["new_version"]

    @admin.action(description="Copy as a new (unpublished) version")
    def new_version(self, request: HttpRequest, queryset: QuerySet[Catalogue]) -> None:
        for catalogue in queryset:
            copy = copy_as_new_version(catalogue, catalogue.organisation)
            self.message_user(request, f"Created {copy}.", messages.SUCCESS)
