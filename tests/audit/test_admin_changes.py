"""Every add, change and delete in the Django admin is on the trail, with the
client's address, the province of the record, and no personal values."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, RoleAssignment, User
from audit.diffs import HIDDEN
from audit.models import AuditAction, AuditEntry
from geo.models import AdminUnit
from helpdesk.models import CannedResponse, Department, DepartmentType
from tests import factories
from tests.conftest import Personas

ADMIN_IP = "198.51.100.20"


def _admin_rows(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action))


@pytest.mark.django_db
def test_changing_a_role_in_the_admin_records_the_old_and_new_role(
    admin_client_for: Client, superuser: User, personas: Personas, commune_a: AdminUnit
) -> None:
    assignment = RoleAssignment.objects.get(user=personas.officer_a, role=Role.OFFICER)
    created = timezone.localtime(assignment.created_at)
    response = admin_client_for.post(
        reverse("admin:accounts_roleassignment_change", args=[assignment.pk]),
        {
            "user": personas.officer_a.pk,
            "role": Role.LEADER,
            "unit": commune_a.pk,
            "village": "",
            "granted_by": "",
            "created_at_0": created.strftime("%Y-%m-%d"),
            "created_at_1": created.strftime("%H:%M:%S"),
        },
        REMOTE_ADDR=ADMIN_IP,
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    (row,) = _admin_rows(AuditAction.ADMIN_CHANGE)
    assert row.actor == superuser
    assert row.actor_roles == ["superuser"]
    assert row.ip == ADMIN_IP
    assert row.target_type is not None
    assert row.target_type.model_class() is RoleAssignment
    assert row.target_id == str(assignment.pk)
    assert row.province_id == commune_a.parent_id
    # (The admin's time widget drops microseconds, so created_at may be listed too.)
    assert row.changes["fields"]["role"] == [Role.OFFICER, Role.LEADER]


@pytest.mark.django_db
def test_adding_a_user_in_the_admin_keeps_the_phone_and_password_out_of_the_trail(
    admin_client_for: Client,
) -> None:
    response = admin_client_for.post(
        reverse("admin:accounts_user_add"),
        {
            "phone": "0912 345 678",
            "full_name": "",
            "password1": "a-long-enough-pass-42",
            "password2": "a-long-enough-pass-42",
        },
        REMOTE_ADDR=ADMIN_IP,
    )
    assert response.status_code == 302
    user = User.objects.get(phone="+84912345678")
    (row,) = _admin_rows(AuditAction.ADMIN_ADD)
    assert row.target_id == str(user.pk)
    assert row.changes["fields"]["phone"] == [HIDDEN, HIDDEN]
    assert row.changes["fields"]["password1"] == [HIDDEN, HIDDEN]
    stored = json.dumps([row.changes, row.target_label], ensure_ascii=False)
    assert "a-long-enough-pass-42" not in stored
    assert "345" not in stored  # the label (the user's name: their phone) is masked too
    assert row.ip == ADMIN_IP


@pytest.mark.django_db
def test_a_password_set_in_the_admin_is_recorded_without_the_password(
    admin_client_for: Client, personas: Personas
) -> None:
    response = admin_client_for.post(
        reverse("admin:auth_user_password_change", args=[personas.officer_a.pk]),
        {"password1": "another-long-pass-77", "password2": "another-long-pass-77"},
        REMOTE_ADDR=ADMIN_IP,
    )
    assert response.status_code == 302
    (row,) = _admin_rows(AuditAction.ADMIN_CHANGE)
    assert row.target_id == str(personas.officer_a.pk)
    assert "another-long-pass-77" not in json.dumps(row.changes)


@pytest.mark.django_db
def test_deleting_in_the_admin_records_the_record_that_went_and_its_province(
    admin_client_for: Client, commune_a: AdminUnit
) -> None:
    department = factories.department_create(commune=commune_a)
    answer = CannedResponse.objects.create(
        department=department, title="Đã tiếp nhận", body="Cảm ơn"
    )
    response = admin_client_for.post(
        reverse("admin:helpdesk_cannedresponse_delete", args=[answer.pk]),
        {"post": "yes"},
        REMOTE_ADDR=ADMIN_IP,
    )
    assert response.status_code == 302
    assert not CannedResponse.objects.filter(pk=answer.pk).exists()
    (row,) = _admin_rows(AuditAction.ADMIN_DELETE)
    assert (row.target_id, row.target_label) == (str(answer.pk), "Đã tiếp nhận")
    assert row.province_id == commune_a.parent_id
    assert row.ip == ADMIN_IP


@pytest.mark.django_db
def test_a_bulk_delete_in_the_admin_writes_a_row_per_record(
    admin_client_for: Client, commune_a: AdminUnit
) -> None:
    department = factories.department_create(commune=commune_a)
    answers = [
        CannedResponse.objects.create(department=department, title=f"Mẫu {i}", body="…")
        for i in range(3)
    ]
    response = admin_client_for.post(
        reverse("admin:helpdesk_cannedresponse_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [a.pk for a in answers],
            "post": "yes",
        },
        REMOTE_ADDR=ADMIN_IP,
    )
    assert response.status_code == 302
    rows = _admin_rows(AuditAction.ADMIN_DELETE)
    assert sorted(row.target_id for row in rows) == sorted(str(a.pk) for a in answers)


@pytest.mark.django_db
def test_a_department_switched_off_in_the_admin_is_on_its_provinces_trail(
    admin_client_for: Client, commune_a: AdminUnit
) -> None:
    department = factories.department_create(
        commune=commune_a, department_type=DepartmentType.OFFICE
    )
    created = timezone.localtime(department.created_at)
    response = admin_client_for.post(
        reverse("admin:helpdesk_department_change", args=[department.pk]),
        {
            "commune": commune_a.pk,
            "department_type": department.department_type,
            "name": department.name,
            "name_en": department.name_en,
            "email": department.email,
            # is_active left out: unticked.
            "created_at_0": created.strftime("%Y-%m-%d"),
            "created_at_1": created.strftime("%H:%M:%S"),
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
        REMOTE_ADDR=ADMIN_IP,
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert not Department.objects.get(pk=department.pk).is_active
    (row,) = _admin_rows(AuditAction.ADMIN_CHANGE)
    assert row.changes["fields"]["is_active"] == [True, False]
    assert row.changes["fields"].get("name") is None  # unchanged fields are not listed
    assert row.province_id == commune_a.parent_id
