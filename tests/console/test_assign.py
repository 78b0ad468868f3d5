"""A leader or an officer gives an accepted case to another officer of its
department from the console (the API's /cases/<n>/assign). The console had
only "Accept", which takes the case oneself: a leader could give a case to
no one (a helper's walk)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.models import DepartmentMembership, Ticket, TicketEvent
from notifications.models import Notification
from tests import factories
from tests.conftest import Personas
from tests.console.pages import client_as

pytestmark = pytest.mark.django_db


def _assign_form(client: Client, ticket: Ticket) -> Any:
    page = client.get(reverse("console:ticket-detail", args=[ticket.number]))
    assert page.status_code == 200
    return {action.name: form for action, form in page.context["actions"]}.get("assign")


def test_a_leader_gives_an_accepted_case_to_an_officer_of_its_department(
    personas: Personas, commune_a: AdminUnit, ticket_a: Ticket
) -> None:
    department = ticket_a.department
    assert department is not None
    colleague = factories.user_create(full_name="Vũ Văn Khánh")
    factories.role_grant(
        user=colleague, role=Role.OFFICER, unit=commune_a, departments=(department,)
    )
    # A seat without the officer's role (taken away): never offered.
    former = factories.user_create(full_name="Cựu Cán Bộ")
    DepartmentMembership.objects.create(department=department, user=former)
    lifecycle.ticket_accept(ticket=ticket_a, by=personas.officer_a)

    leader = client_as(personas, "leader_a")
    form = _assign_form(leader, ticket_a)
    assert form is not None
    offered = [label for value, label in form.fields["officer"].choices if value]
    # The department's officers but the one who has it.
    assert offered == ["Vũ Văn Khánh"]

    url = reverse("console:ticket-action", args=[ticket_a.number, "assign"])
    assert leader.post(url, {"assign-officer": former.pk}).status_code == 422
    response = leader.post(url, {"assign-officer": colleague.pk})
    assert response.status_code == 302
    ticket_a.refresh_from_db()
    assert ticket_a.assignee == colleague
    assert TicketEvent.objects.filter(ticket=ticket_a, kind=TicketEvent.Kind.ASSIGNED).count() == 1
    # "They have been told", as the button's answer says.
    told = Notification.objects.filter(recipient=colleague).values_list("title", flat=True)
    assert f"Hồ sơ #{ticket_a.number} đã được phân công" in told


def test_no_one_to_give_the_case_to_no_assign_form(personas: Personas, ticket_a: Ticket) -> None:
    officer = client_as(personas, "officer_a")
    assert _assign_form(officer, ticket_a) is None  # new: accept first
    lifecycle.ticket_accept(ticket=ticket_a, by=personas.officer_a)
    # Officer A is the department's only officer, and has it.
    assert _assign_form(officer, ticket_a) is None
