from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .catalogue import copy_as_new_version, is_in_use
from .models import Catalogue, Domain


class DomainInline(admin.StackedInline):
    model = Domain
    extra = 0
    fields = [
        ("key", "position", "pictogram"),
        ("labels", "explanations"),
        ("youth_labels", "youth_explanations", "youth_position"),
        "unchecked_languages",
    ]

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


class ToBeChecked(admin.SimpleListFilter):
    title = _("to be checked by a native speaker")
    parameter_name = "to_check"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", str(_("yes"))), ("no", str(_("no")))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Domain]) -> QuerySet[Domain]:
        if self.value() == "yes":
            return queryset.exclude(unchecked_languages=[])
        if self.value() == "no":
            return queryset.filter(unchecked_languages=[])
        return queryset


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    """The cards one by one: which languages a native speaker should still check. A card
    of a catalogue that measurements used is read-only (edit a new version instead)."""

    list_display = ["label", "key", "catalogue", "languages_to_check"]
    list_filter = [ToBeChecked, "catalogue"]
    fields = DomainInline.fields

    @admin.display(description=_("to be checked by a native speaker"))
    def languages_to_check(self, obj: Domain) -> str:
        return ", ".join(obj.unchecked_languages or []) or "—"

    def has_change_permission(self, request: HttpRequest, obj: Domain | None = None) -> bool:
        return obj is None or not is_in_use(obj.catalogue)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # cards are added in their catalogue

    has_delete_permission = has_change_permission
