"""Admin for the holiday calendar: each year's schedule is entered here."""

from __future__ import annotations

from django.contrib import admin

from helpdesk.models.calendar import Holiday


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin[Holiday]):
    list_display = ("date", "kind", "name", "name_en", "province")
    list_filter = ("kind", "date")
    search_fields = ("name", "name_en")
    date_hierarchy = "date"
    # The province field stays a select: limit_choices_to narrows it to the
    # provinces, a few dozen rows.
    list_select_related = ("province",)
