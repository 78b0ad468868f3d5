from __future__ import annotations

from django.contrib import admin

from accounts.admin import ReadOnlyAdmin
from reports.models import IdempotencyRecord


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdmin[IdempotencyRecord]):
    list_display = ("user", "key", "ticket", "created_at")
    list_select_related = ("user", "ticket")
    search_fields = ("key", "ticket__number")
