from django.contrib import admin

from .models import Catalogue, Domain


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(Catalogue)
class CatalogueAdmin(admin.ModelAdmin):
    """Organisations load their own card texts as a new catalogue version; measurements
    keep the version they used, so a published version is never edited in place."""

    inlines = [DomainInline]
    list_display = ["name", "organisation", "version", "published", "created_at"]
