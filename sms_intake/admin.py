from __future__ import annotations

from django.contrib import admin

from accounts.admin import ReadOnlyAdmin
from sms_intake.models import InboundSms


@admin.register(InboundSms)
class InboundSmsAdmin(ReadOnlyAdmin[InboundSms]):
    list_display = ("phone", "kind", "outcome", "ticket", "received_at")
    list_filter = ("kind", "outcome")
    search_fields = ("phone", "gateway_id", "ticket__number")
    list_select_related = ("ticket",)
