from __future__ import annotations

from django.contrib import admin

from helpdesk.models import Department, DepartmentMembership


class MembershipInline(admin.TabularInline[DepartmentMembership, Department]):
    model = DepartmentMembership
    raw_id_fields = ("user",)
    extra = 0


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin[Department]):
    list_display = ("name", "commune", "department_type", "is_active")
    list_filter = ("department_type", "is_active")
    search_fields = ("name", "commune__name", "commune__code")
    list_select_related = ("commune",)
    raw_id_fields = ("commune",)
    inlines = (MembershipInline,)
