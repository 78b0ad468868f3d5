"""Open311 in the admin: client applications and their keys, service questions,
and (read only) where each Open311 case came from."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.admin import ReadOnlyAdmin
from open311.keys import client_key_rotate, client_revoke, key_assign
from open311.models import ClientApplication, ClientFiling, ServiceAttribute


def _show_key(request: HttpRequest, client: ClientApplication, key: str) -> None:
    messages.warning(
        request,
        _(
            "The API key of %(client)s is %(key)s — copy it now: "
            "it is not stored and not shown again."
        )
        % {"client": client.name, "key": key},
    )


@admin.register(ClientApplication)
class ClientApplicationAdmin(admin.ModelAdmin[ClientApplication]):
    list_display = ("name", "key_prefix", "account", "created_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("name", "contact", "key_prefix")
    raw_id_fields = ("account",)
    readonly_fields = ("key_prefix", "created_at", "revoked_at")
    actions = ("revoke", "rotate")

    def save_model(
        self, request: HttpRequest, obj: ClientApplication, form: ModelForm[Any], change: bool
    ) -> None:
        key = None if change else key_assign(obj)
        super().save_model(request, obj, form, change)
        if key is not None:
            _show_key(request, obj, key)

    @admin.action(description=_("Revoke the selected keys (at once)"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ClientApplication]) -> None:
        for client in queryset:
            client_revoke(client=client)
        self.message_user(request, _("Revoked."), messages.SUCCESS)

    @admin.action(description=_("Issue new keys (the old ones stop working)"))
    def rotate(self, request: HttpRequest, queryset: QuerySet[ClientApplication]) -> None:
        for client in queryset:
            _show_key(request, client, client_key_rotate(client=client))


@admin.register(ServiceAttribute)
class ServiceAttributeAdmin(admin.ModelAdmin[ServiceAttribute]):
    list_display = ("service", "code", "datatype", "required", "order")
    list_filter = ("datatype", "required")
    list_select_related = ("service",)
    search_fields = ("code", "description", "service__code")


@admin.register(ClientFiling)
class ClientFilingAdmin(ReadOnlyAdmin[ClientFiling]):
    list_display = ("ticket", "client", "created_at")
    list_select_related = ("ticket", "client")
    search_fields = ("ticket__number", "token")
