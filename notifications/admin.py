from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin import ReadOnlyAdmin
from notifications.models import (
    Delivery,
    FanOut,
    Notification,
    NotificationPreference,
    SmsUsage,
    ZaloLinkCode,
)


class DeliveryInline(admin.TabularInline[Delivery, Notification]):
    model = Delivery
    extra = 0
    can_delete = False
    readonly_fields = ("channel", "status", "attempts", "next_attempt_at", "last_error", "sent_at")
    fields = readonly_fields


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin[Notification]):
    list_display = ("recipient", "title", "read_at", "created_at")
    list_select_related = ("recipient",)
    search_fields = ("recipient__phone", "title", "dedupe_key")
    inlines = (DeliveryInline,)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin[Delivery]):
    list_display = ("notification", "channel", "status", "attempts", "next_attempt_at", "sent_at")
    list_filter = ("channel", "status")
    list_select_related = ("notification",)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin[NotificationPreference]):
    list_display = ("user", "email_enabled", "sms_enabled", "zalo_enabled", "daily_digest")
    list_select_related = ("user",)
    raw_id_fields = ("user",)


@admin.register(FanOut)
class FanOutAdmin(ReadOnlyAdmin[FanOut]):
    """Messages to many people waiting for (or told by) the delivery worker."""

    list_display = ("dedupe_key", "recipients", "created_at", "attempts", "done_at")
    list_filter = (("done_at", admin.EmptyFieldListFilter),)
    search_fields = ("dedupe_key",)
    exclude = ("recipient_ids",)

    @admin.display(description=_("recipients"))
    def recipients(self, fanout: FanOut) -> int:
        return len(fanout.recipient_ids)


@admin.register(SmsUsage)
class SmsUsageAdmin(ReadOnlyAdmin[SmsUsage]):
    list_display = ("province", "month", "messages", "segments", "withheld")
    list_filter = ("month",)
    list_select_related = ("province",)


@admin.register(ZaloLinkCode)
class ZaloLinkCodeAdmin(ReadOnlyAdmin[ZaloLinkCode]):
    """Who linked their Zalo, when, to which follower id (for support)."""

    list_display = ("user", "created_at", "expires_at", "used_at", "zalo_user_id")
    list_filter = (("used_at", admin.EmptyFieldListFilter),)
    list_select_related = ("user",)
    search_fields = ("user__phone", "zalo_user_id")
    # A live code would let whoever reads it link their own Zalo to the person.
    exclude = ("code",)
