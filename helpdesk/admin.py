from __future__ import annotations

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from accounts.admin import ReadOnlyAdmin
from helpdesk import admin_calendar  # noqa: F401  (registers its model)
from helpdesk.links import staff_case_link
from helpdesk.models import (
    Attachment,
    CannedResponse,
    CaseSupport,
    Department,
    DepartmentMembership,
    IdempotencyRecord,
    PhotoJob,
    ProxyFiling,
    RoutingRule,
    SearchTextRefresh,
    Service,
    Ticket,
    TicketCounter,
    TicketEvent,
    TicketTally,
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


class CaseRecordAdmin[M: Model](ReadOnlyAdmin[M]):
    """Cases and what hangs off them, shown but never edited or deleted here.

    A change made in the admin would skip the lifecycle: no timeline event, no
    notification, no scope check, no SLA (issue 18, finding 6). Officers and
    province administrators change cases in the console, which goes through
    helpdesk/lifecycle.py; the timeline is append-only in the database too
    (migration 0010_event_append_only).
    """

    def has_delete_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return False


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
class TicketAdmin(CaseRecordAdmin[Ticket]):
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
    readonly_fields = ("console_link",)

    @admin.display(description=_("Change it in the console"))
    def console_link(self, ticket: Ticket) -> SafeString:
        url = staff_case_link(number=ticket.number)
        return format_html('<a href="{}">{}</a>', url, ticket.number)


@admin.register(DepartmentMembership)
class DepartmentMembershipAdmin(admin.ModelAdmin[DepartmentMembership]):
    list_display = ("user", "department", "created_at")
    list_select_related = ("user", "department__commune")
    raw_id_fields = ("user", "department")
    search_fields = ("user__phone", "user__full_name", "department__name")


@admin.register(TicketEvent)
class TicketEventAdmin(CaseRecordAdmin[TicketEvent]):
    list_display = ("id", "ticket", "kind", "from_status", "to_status", "is_public", "created_at")
    list_filter = ("kind", "is_public")
    list_select_related = ("ticket",)
    search_fields = ("ticket__number",)


@admin.register(TicketCounter)
class TicketCounterAdmin(ReadOnlyAdmin[TicketCounter]):
    list_display = ("prefix", "year", "last")


@admin.register(Attachment)
class AttachmentAdmin(CaseRecordAdmin[Attachment]):
    # Public approval is an officer's decision on the case: the console's.
    list_display = ("ticket", "role", "position", "state", "public_approved_at", "created_at")
    list_filter = ("role", "state")
    list_select_related = ("ticket",)
    raw_id_fields = ("ticket", "event", "uploaded_by", "approved_by")
    readonly_fields = ("display", "thumbnail", "original", "width", "height", "sha256", "state")


@admin.register(PhotoJob)
class PhotoJobAdmin(ReadOnlyAdmin[PhotoJob]):
    # Written by filings and the photo worker only: a hand edit could mark a
    # photo done whose files do not exist.
    list_display = ("attachment", "attempts", "next_attempt_at", "done_at", "last_error")
    list_filter = ("done_at",)
    raw_id_fields = ("attachment",)


@admin.register(CaseSupport)
class CaseSupportAdmin(CaseRecordAdmin[CaseSupport]):
    list_display = ("ticket", "user", "created_at")
    list_select_related = ("ticket", "user")


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdmin[IdempotencyRecord]):
    list_display = ("user", "key", "ticket", "created_at")
    list_select_related = ("user", "ticket")
    search_fields = ("key", "ticket__number")


@admin.register(ProxyFiling)
class ProxyFilingAdmin(CaseRecordAdmin[ProxyFiling]):
    # The record of the resident's consent, as given when the case was filed.
    list_display = ("ticket", "filed_by", "resident_name", "village", "consent", "consent_at")
    list_select_related = ("ticket", "filed_by")
    raw_id_fields = ("ticket", "filed_by")
    search_fields = ("ticket__number", "resident_name")


@admin.register(TicketTally)
class TicketTallyAdmin(CaseRecordAdmin[TicketTally]):
    # Written by the database trigger only (helpdesk/models/tally.py).
    list_display = ("province", "commune", "department", "service", "status", "total")
    list_filter = ("status",)
    list_select_related = ("province", "commune", "department", "service")


@admin.register(SearchTextRefresh)
class SearchTextRefreshAdmin(ReadOnlyAdmin[SearchTextRefresh]):
    # Written by a rename and deleted by the scheduler's search_text_fill
    # (helpdesk/search_text.py); a row that stays is a job that does not
    # finish. Deleting one would leave its cases found by the old name.
    list_display = ("reporter", "asked_at", "asks", "done_through")
    list_select_related = ("reporter",)
    raw_id_fields = ("reporter",)

    def has_delete_permission(
        self, request: HttpRequest, obj: SearchTextRefresh | None = None
    ) -> bool:
        return False
