"""Staff log-ins, and failed log-ins on staff accounts, are on the trail."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditAction, AuditEntry
from geo.models import AdminUnit
from tests.conftest import Personas
from tests.factories import PASSWORD

OFFICE_IP = "203.0.113.50"


def _login(phone: str, password: str) -> int:
    response = Client().post(
        reverse("console:login"),
        {"username": phone, "password": password},
        REMOTE_ADDR=OFFICE_IP,
    )
    return response.status_code


@pytest.mark.django_db
def test_an_officer_logging_in_is_recorded_with_the_address_and_province(
    personas: Personas, commune_a: AdminUnit
) -> None:
    assert _login(personas.officer_a.phone, PASSWORD) == 302
    (row,) = AuditEntry.objects.filter(action=AuditAction.LOGIN)
    assert row.actor == personas.officer_a
    assert row.ip == OFFICE_IP
    assert row.province_id == commune_a.parent_id


@pytest.mark.django_db
def test_a_wrong_password_on_a_staff_account_is_recorded_without_an_actor(
    personas: Personas,
) -> None:
    assert _login(personas.province_admin.phone, "not-the-password") == 200
    (row,) = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED)
    assert row.actor is None
    assert row.target_id == str(personas.province_admin.pk)
    assert row.ip == OFFICE_IP
    assert row.province_id == personas.province_admin.role_assignments.get().unit_id


@pytest.mark.django_db
def test_residents_and_unknown_numbers_leave_nothing(personas: Personas) -> None:
    assert _login(personas.resident.phone, PASSWORD) == 302
    assert _login(personas.resident.phone, "wrong") == 200
    assert _login("0987 000 111", "wrong") == 200
    assert not AuditEntry.objects.exists()
