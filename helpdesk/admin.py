from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from helpdesk import admin_calendar, admin_knowledge  # noqa: F401  (registers their models)
from helpdesk.models import (
    CannedResponse,
    Department,
    DepartmentMembership,
    RoutingRule,
    Service,
    Ticket,
    TicketEvent,
)


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


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin[Service]):
    list_display = ("code", "name", "kind", "department_type", "sla_hours", "is_active")
    list_filter = ("kind", "department_type", "is_active")
    search_fields = ("code", "name", "name_en")


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin[RoutingRule]):
    list_display = ("service", "unit", "department_type")
    list_select_related = ("service", "unit")
    raw_id_fields = ("unit",)


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin[CannedResponse]):
    list_display = ("title", "department")
    list_select_related = ("department",)
    raw_id_fields = ("department",)


class TicketEventInline(admin.TabularInline[TicketEvent, Ticket]):
    model = TicketEvent
    extra = 0
    can_delete = False
    readonly_fields = (
        "kind",
        "actor",
        "from_status",
        "to_status",
        "body",
        "is_public",
        "created_at",
    )
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest, obj: Ticket | None = None) -> bool:
        # The timeline is written by the lifecycle services only.
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin[Ticket]):
    list_display = ("number", "service", "status", "commune", "department", "due_at", "created_at")
    list_filter = ("status", "kind", "service")
    search_fields = ("number", "description")
    list_select_related = ("service", "commune", "department")
    raw_id_fields = (
        "commune",
        "province",
        "department",
        "assignee",
        "reporter",
        "duplicate_of",
        "boundary_version",
    )
    inlines = (TicketEventInline,)
