"""The trail in the admin: to read, never to write.

No add, change or delete permission for anyone, superusers included; the
database refuses changes anyway (migration 0002_append_only). Province
administrators read their province's rows in the console (/console/audit/).
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    list_display = ("created_at", "actor", "action", "target_label", "ip", "province")
    list_filter = ("action",)
    list_select_related = ("actor", "province", "target_type")
    search_fields = ("target_label", "target_id", "actor__phone", "ip")
    date_hierarchy = "created_at"
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False
