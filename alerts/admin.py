"""Relays and their households are registered here by commune staff (the admin)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from alerts.models import Alert, Relay, RelayHousehold


class HouseholdInline(admin.TabularInline[RelayHousehold, Relay]):
    model = RelayHousehold
    extra = 1


@admin.register(Relay)
class RelayAdmin(admin.ModelAdmin[Relay]):
    list_display = ("name", "village", "commune")
    search_fields = ("name", "village")
    raw_id_fields = ("commune", "person")
    inlines = (HouseholdInline,)


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin[Alert]):
    # Published through the console (alerts.services.publish_alert), which
    # queues the deliveries; the admin only reads.
    list_display = ("short_text", "category", "province", "commune", "published_at", "expires_at")
    list_filter = ("category",)
    readonly_fields = (
        "category",
        "province",
        "commune",
        "villages",
        "short_text",
        "long_text",
        "expires_at",
        "author",
        "published_at",
        "submission_key",
        "submission_hash",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Alert | None = None) -> bool:
        # An alert row is never updated: it is what tells a saved publish from
        # a lost one (core/saving.py), and its key is what a resend finds.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Alert | None = None) -> bool:
        return False  # the same; and its recipients' inbox rows name it
