from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from core.models import PeriodicJob


@admin.register(PeriodicJob)
class PeriodicJobAdmin(admin.ModelAdmin[PeriodicJob]):
    """What the scheduler did; moving ``next due at`` earlier runs a job at its next pass."""

    list_display = ("name", "next_due_at", "last_started_at", "last_finished_at", "runs")
    readonly_fields = ("name", "last_started_at", "last_finished_at", "last_summary", "runs")

    # Rows are the scheduler's: it creates one per job it knows.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: PeriodicJob | None = None) -> bool:
        return False
