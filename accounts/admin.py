from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.options import InlineModelAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Model
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.forms import UserCreateForm, UserEditForm
from accounts.models import ApiToken, OneTimeCode, RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline[RoleAssignment, User]):
    model = RoleAssignment
    fk_name = "user"
    raw_id_fields = ("unit", "granted_by")
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    form = UserEditForm
    add_form = UserCreateForm
    ordering = ("phone",)
    list_display = ("phone", "full_name", "is_staff", "is_demo", "created_at")
    list_filter = ("is_staff", "is_superuser", "is_active", "is_demo")
    search_fields = ("phone", "full_name", "email")
    inlines = (RoleAssignmentInline,)

    def get_inlines(
        self, request: HttpRequest, obj: User | None
    ) -> list[type[InlineModelAdmin[Any, Any]]]:
        # Roles are granted once the person exists, as on Django's own user admin.
        return list(self.inlines) if obj is not None else []

    def save_model(
        self, request: HttpRequest, obj: User, form: ModelForm[User], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        if change and "full_name" in form.changed_data:
            # The cases' search text names the account anew outside this
            # request: the scheduler rewrites it (helpdesk/search_text.py).
            self.message_user(
                request,
                _(
                    "The queue's search will find this person's cases by the new name within "
                    "minutes; until then it finds them by the old one."
                ),
                messages.INFO,
            )

    fieldsets = (
        (None, {"fields": ("phone", "password")}),
        (_("Personal info"), {"fields": ("full_name", "email", "language")}),
        (
            _("Permissions"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "is_demo",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "created_at")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("phone", "full_name", "password1", "password2")},
        ),
    )


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin[RoleAssignment]):
    list_display = ("user", "role", "unit", "village", "created_at")
    list_filter = ("role",)
    search_fields = ("user__phone", "user__full_name", "unit__name", "unit__code")
    list_select_related = ("user", "unit")
    raw_id_fields = ("user", "unit", "granted_by")


class ReadOnlyAdmin[M: Model](admin.ModelAdmin[M]):
    """Rows written only by services; the admin may look and delete, not edit."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return False


@admin.register(OneTimeCode)
class OneTimeCodeAdmin(ReadOnlyAdmin[OneTimeCode]):
    # Only the hash is stored; nothing here can reveal a code.
    list_display = ("phone", "created_at", "expires_at", "used_at", "attempts", "requested_ip")
    search_fields = ("phone",)
    exclude = ("code_hash",)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin[ApiToken]):
    list_display = ("user", "created_at", "last_used_at")
    list_select_related = ("user",)
    search_fields = ("user__phone",)
    exclude = ("key_hash",)
