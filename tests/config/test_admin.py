"""Django admin works for every model: list, add and change pages render."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from tests.conftest import Personas

REGISTERED: list[type[Model]] = sorted(admin.site._registry, key=lambda m: m._meta.label)


@pytest.mark.django_db
@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_admin_list_and_add_pages_render_for_every_model(
    model: type[Model], admin_client_for: Client, personas: Personas
) -> None:
    opts = model._meta
    changelist = admin_client_for.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    )
    assert changelist.status_code == 200
    add = admin_client_for.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    # Rows only services write (timeline, codes, outbox) have no add page.
    can_add = admin.site._registry[model].has_add_permission(add.wsgi_request)
    assert add.status_code == (200 if can_add else 403)
    first = model._default_manager.order_by("pk").first()
    if first is not None:
        change = admin_client_for.get(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])
        )
        assert change.status_code == 200


@pytest.mark.django_db
def test_admin_creates_a_user_from_a_typed_phone_number(admin_client_for: Client) -> None:
    from accounts.models import User

    response = admin_client_for.post(
        reverse("admin:accounts_user_add"),
        {
            "phone": "0912 345 678",
            "full_name": "Vũ Văn Nam",
            "password1": "a-long-enough-pass-42",
            "password2": "a-long-enough-pass-42",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(phone="+84912345678").full_name == "Vũ Văn Nam"


@pytest.mark.django_db
def test_residents_and_officers_without_staff_flag_cannot_open_admin(
    client: Client, personas: Personas
) -> None:
    client.force_login(personas.officer_a)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_every_model_of_our_apps_has_an_admin_page() -> None:
    from django.apps import apps

    ours = {"accounts", "geo", "helpdesk", "reports", "notifications", "audit", "core"}
    missing = [
        model._meta.label
        for model in apps.get_models()
        if model._meta.app_label in ours and model not in admin.site._registry
    ]
    assert missing == []
