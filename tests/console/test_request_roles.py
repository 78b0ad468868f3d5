"""A console page reads the person's roles once (access check and header share
the read), and never keeps them past the request."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from accounts.models import Role, RoleAssignment
from accounts.request_roles import role_rows
from geo.models import AdminUnit
from helpdesk.permissions import request_scope, scope_for
from tests import factories
from tests.conftest import Personas
from tests.console.pages import ALLOWED, client_as

AUDIT_LINK = f'href="{reverse("console:audit")}"'
QUEUE_LINK = f'href="{reverse("console:queue")}" accesskey="q"'  # the header's link


def _role_reads(captured: CaptureQueriesContext) -> int:
    return sum('FROM "accounts_roleassignment"' in q["sql"] for q in captured.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ALLOWED)
@pytest.mark.parametrize("page", ["console:queue", "console:queue-map", "console:dashboard"])
def test_a_console_page_reads_the_roles_once_and_its_header_keeps_the_rule(
    personas: Personas, name: str, page: str
) -> None:
    client = client_as(personas, name)
    client.get(reverse(page))  # the session
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(page))
    assert response.status_code == (
        403 if page == "console:dashboard" and "officer" in name else 200
    )
    content = response.content.decode()
    # Was two: staff_required's scope_for, then the header's own read of the staff roles.
    assert _role_reads(captured) == 1
    assert QUEUE_LINK in content
    assert (AUDIT_LINK in content) == (name == "province_admin")


@pytest.mark.django_db
def test_the_header_keeps_its_own_rule_where_access_is_refused(
    personas: Personas, commune_a: AdminUnit
) -> None:
    # An officer without a department has the staff role (the header offers the
    # console) but reaches no case (the console refuses them): both as before.
    lone = factories.user_create(full_name="Vũ Văn Nam")
    factories.role_grant(user=lone, role=Role.OFFICER, unit=commune_a)
    client = client_as(personas, "resident")
    client.force_login(lone)
    response = client.get(reverse("console:queue"))
    assert response.status_code == 403
    assert QUEUE_LINK in response.content.decode()
    # A digital-team member has a role, but not a staff one: no console link.
    team = client_as(personas, "digital_team").get(reverse("console:queue"))
    assert team.status_code == 403
    assert QUEUE_LINK not in team.content.decode()


@pytest.mark.django_db
def test_roles_changed_between_requests_count_on_the_next_one(personas: Personas) -> None:
    client = client_as(personas, "leader_a")
    assert client.get(reverse("console:queue")).status_code == 200
    province = factories.province_get(code="19")
    factories.role_grant(user=personas.leader_a, role=Role.PROVINCE_ADMIN, unit=province)
    assert AUDIT_LINK in client.get(reverse("console:queue")).content.decode()
    RoleAssignment.objects.filter(user=personas.leader_a).delete()
    response = client.get(reverse("console:queue"))
    assert response.status_code == 403
    assert QUEUE_LINK not in response.content.decode()


@pytest.mark.django_db
def test_the_memo_is_the_request_s_and_its_user_s(
    personas: Personas, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    request = RequestFactory().get("/")
    request.user = personas.province_admin
    with django_assert_num_queries(1):
        first = role_rows(request)
        assert role_rows(request) == first
    # The same scope as scope_for, whoever asks.
    for name in ("resident", "digital_team", "officer_a", "officer_b", "leader_a"):
        request.user = getattr(personas, name)  # another user: read again
        assert request_scope(request) == scope_for(user=request.user), name
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert role_rows(request) == ()
        assert request_scope(request) == scope_for(user=request.user)
    # A new request reads again.
    fresh = RequestFactory().get("/")
    fresh.user = personas.province_admin
    with django_assert_num_queries(1):
        assert role_rows(fresh) == first


@pytest.mark.django_db
def test_a_residents_case_pages_read_the_roles_once(
    personas: Personas, commune_a: AdminUnit
) -> None:
    ticket = factories.case_file(
        reporter=personas.resident, commune=commune_a, description="Đèn đường hỏng"
    )
    client = client_as(personas, "resident")
    for page in (
        reverse("reports:case-list"),
        reverse("reports:case-detail", kwargs={"number": ticket.number}),
    ):
        client.get(page)  # the session
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page)
        assert response.status_code == 200
        assert ticket.number in response.content.decode()
        # Was two or three: the page's scope_for, the "file for a resident" check
        # (the list), then the header's read of the staff roles.
        assert _role_reads(captured) == 1
