from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.test import Client

from accounts.models import Role, RoleAssignment, User
from geo.models import AdminUnit
from tests import factories


@pytest.mark.django_db
def test_user_is_stored_under_the_e164_number_whatever_was_typed() -> None:
    user = User.objects.create_user("0912 345 678", "s3cret-pass", full_name="Lan")
    assert user.phone == "+84912345678"
    assert User.objects.get_by_natural_key("0912345678") == user


@pytest.mark.django_db
def test_same_number_written_twice_cannot_make_two_accounts() -> None:
    User.objects.create_user("0912345678")
    with pytest.raises(ValidationError):
        User.objects.create_user("+84 912 345 678")


@pytest.mark.django_db
def test_user_without_password_can_only_log_in_by_one_time_code() -> None:
    user = User.objects.create_user("0987654321")
    assert not user.has_usable_password()


@pytest.mark.django_db
def test_password_login_works_with_the_number_as_people_write_it() -> None:
    User.objects.create_user("0912345678", "s3cret-pass")
    assert Client().login(username="0912 345 678", password="s3cret-pass")


@pytest.mark.django_db
def test_officer_role_scoped_to_a_province_is_refused(commune_a: AdminUnit) -> None:
    user = factories.user_create()
    province = commune_a.parent
    assert province is not None
    assignment = RoleAssignment(user=user, role=Role.OFFICER, unit=province)
    with pytest.raises(ValidationError) as caught:
        assignment.full_clean()
    assert "unit" in caught.value.message_dict


@pytest.mark.django_db
def test_village_is_only_recorded_for_digital_team_members(commune_a: AdminUnit) -> None:
    user = factories.user_create()
    with pytest.raises(IntegrityError):
        RoleAssignment.objects.create(
            user=user, role=Role.OFFICER, unit=commune_a, village="Xóm Trại"
        )


@pytest.mark.django_db
def test_a_person_can_hold_several_roles(commune_a: AdminUnit, commune_b: AdminUnit) -> None:
    user = factories.user_create()
    factories.role_grant(user=user, role=Role.OFFICER, unit=commune_a)
    factories.role_grant(user=user, role=Role.DIGITAL_TEAM, unit=commune_b, village="Xóm A")
    assert set(user.role_assignments.values_list("role", flat=True)) == {
        Role.OFFICER,
        Role.DIGITAL_TEAM,
    }
