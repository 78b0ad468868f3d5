"""Admin: the rules officers tune, the province lists, and the checks (read only)."""

from __future__ import annotations

from django.contrib import admin

from accounts.admin import ReadOnlyAdmin
from scams.models import ScamCheck, ScamIndicator, ScamRule


@admin.register(ScamRule)
class ScamRuleAdmin(admin.ModelAdmin[ScamRule]):
    list_display = ("name", "code", "kind", "weight", "requires_link", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "code")


@admin.register(ScamIndicator)
class ScamIndicatorAdmin(admin.ModelAdmin[ScamIndicator]):
    list_display = ("value", "kind", "province", "report_count", "first_seen", "last_seen")
    list_filter = ("kind", "province")
    search_fields = ("value",)
    list_select_related = ("province",)
    raw_id_fields = ("confirmed_by",)


@admin.register(ScamCheck)
class ScamCheckAdmin(ReadOnlyAdmin[ScamCheck]):
    # The checker is left out of the list: the list is for learning what scams
    # go round, not who worried about them.
    list_display = ("public_id", "verdict", "channel", "province", "created_at")
    list_filter = ("verdict", "channel")
    list_select_related = ("province",)
