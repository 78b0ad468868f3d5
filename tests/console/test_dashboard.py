"""The dashboard: leaders and province administrators only, on-time counts, bounded queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.models import Ticket
from tests.conftest import Personas
from tests.console.pages import (
    PERSONAS,
    assert_refused,
    case_in,
    client_as,
)


@pytest.mark.django_db
@pytest.mark.parametrize("name", PERSONAS)
def test_dashboard_is_for_leaders_and_province_admins(
    personas: Personas, ticket_a: Ticket, name: str
) -> None:
    response = client_as(personas, name).get(reverse("console:dashboard"))
    if name in ("leader_a", "province_admin"):
        assert response.status_code == 200
        assert ticket_a.commune is not None
        assert ticket_a.commune.name in response.content.decode()
    elif name == "officer_a":
        assert response.status_code == 403
    else:
        assert_refused(response, name)


@pytest.mark.django_db
def test_dashboard_counts_on_time_resolutions(personas: Personas, commune_a: AdminUnit) -> None:
    on_time, late = case_in(commune_a, personas.resident), case_in(commune_a, personas.resident)
    for ticket in (on_time, late):
        lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
        lifecycle.ticket_resolve(ticket=ticket, by=personas.officer_a, note="Đã sửa")
    Ticket.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(days=1))
    client = client_as(personas, "leader_a")
    response = client.get(reverse("console:dashboard"))
    rows = response.context["by_commune"]
    assert [(r["total"], r["resolved"], r["on_time"], r["on_time_rate"]) for r in rows] == [
        (2, 2, 1, 50)
    ]


@pytest.mark.django_db
def test_dashboard_uses_one_query_per_table(
    personas: Personas, commune_a: AdminUnit, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    for _ in range(3):
        case_in(commune_a, personas.resident)
    client = client_as(personas, "province_admin")
    client.get(reverse("console:dashboard"))  # warm the session
    # Session, user, two for the scope, the header's unread badge, two tables.
    with django_assert_max_num_queries(7):
        assert client.get(reverse("console:dashboard")).status_code == 200
