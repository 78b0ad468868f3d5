"""A password log-in with something that is no mobile number is a wrong log-in.

accounts.models.UserManager.get_by_natural_key let InvalidPhoneNumber through
Django's ModelBackend, which only expects DoesNotExist: every mistyped number
on the console's and the admin's log-in page was a 500.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from audit.models import AuditEntry
from tests.conftest import Personas
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("page", ["console:login", "admin:login"])
@pytest.mark.parametrize("username", ["abc", "0912", "+1 202 555 0100", "<script>", "x" * 10_000])
def test_a_login_with_no_mobile_number_is_refused_like_a_wrong_one(
    personas: Personas, page: str, username: str
) -> None:
    client = Client(headers={"accept-language": "en"})
    response = client.post(reverse(page), {"username": username, "password": PASSWORD})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session
    assert not AuditEntry.objects.exists()


def test_a_number_written_as_people_write_it_still_logs_in(personas: Personas) -> None:
    officer: User = personas.officer_a
    local = "0" + officer.phone.removeprefix("+84")
    spaced = f"{local[:4]} {local[4:7]} {local[7:]}"
    response = Client().post(reverse("console:login"), {"username": spaced, "password": PASSWORD})
    assert response.status_code == 302
