from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import District, Membership, Municipality, Organisation, Role, Staff, Team


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


class RoleInline(admin.TabularInline):
    model = Role
    extra = 0


@admin.register(Staff)
class StaffAdmin(UserAdmin):
    inlines = [MembershipInline, RoleInline]
    fieldsets = (*UserAdmin.fieldsets, ("Wat telt", {"fields": ["organisation"]}))  # type: ignore[misc]
    list_display = ["username", "first_name", "last_name", "organisation", "is_active"]


admin.site.register(Municipality)
admin.site.register(District)
admin.site.register(Organisation)
admin.site.register(Team)
