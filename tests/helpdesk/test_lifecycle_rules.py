"""Rules of the lifecycle that the API, the console and the resident pages all
ask in one place (issue 10): where a case may be transferred, and what the
reporter may still do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from geo.models import AdminUnit
from helpdesk import errors, lifecycle
from helpdesk.lifecycle import ResidentAction, resident_actions, transfer_targets
from helpdesk.models import Department, DepartmentType, Ticket, TicketStatus
from tests import factories
from tests.conftest import Personas

pytestmark = pytest.mark.django_db
LANG_SON = "20"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def ticket(personas: Personas, commune_a: AdminUnit) -> Ticket:
    # A streetlight: resolving it needs no "after" photo.
    return factories.case_file(
        reporter=personas.resident, commune=commune_a, service_code="streetlight_out"
    )


@pytest.fixture
def other_province_department() -> Department:
    commune = AdminUnit.objects.filter(level=AdminUnit.Level.COMMUNE, parent__code=LANG_SON).first()
    assert commune is not None
    return factories.department_create(commune=commune)


def test_transfer_targets_are_the_other_active_departments_of_the_province(
    ticket: Ticket, other_province_department: Department
) -> None:
    targets = set(transfer_targets(ticket=ticket))
    assert ticket.department not in targets
    assert other_province_department not in targets
    assert targets  # the other departments of Thái Nguyên
    assert all(d.commune.parent_id == ticket.province_id and d.is_active for d in targets)


def test_officer_cannot_transfer_into_another_province_through_the_api(
    ticket: Ticket, personas: Personas, other_province_department: Department
) -> None:
    response = _client(personas.officer_a).post(
        f"/api/v1/helpdesk/cases/{ticket.number}/transfer",
        {"department_id": other_province_department.pk, "reason": "Sang Lạng Sơn"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_transfer_target"
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.NEW
    assert ticket.department != other_province_department
    assert ticket.events.count() == 1


def test_console_offers_exactly_the_transfer_targets(ticket: Ticket, personas: Personas) -> None:
    page = _client(personas.officer_a).get(f"/console/cases/{ticket.number}/")
    form = page.context["actions"]
    transfer = next(f for action, f in form if action.name == "transfer")
    offered = set(transfer.fields["department"].queryset)
    assert offered == set(transfer_targets(ticket=ticket))


def test_an_inactive_department_is_no_target(
    ticket: Ticket, personas: Personas, commune_b: AdminUnit
) -> None:
    target = Department.objects.get(
        commune=commune_b, department_type=DepartmentType.PUBLIC_SERVICE_CENTRE
    )
    Department.objects.filter(pk=target.pk).update(is_active=False)
    with pytest.raises(errors.InvalidTransferTarget):
        lifecycle.ticket_transfer(
            ticket=ticket, by=personas.officer_a, department=target, reason="x"
        )


def _resolved_days_ago(ticket: Ticket, personas: Personas, days: int) -> Ticket:
    lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    lifecycle.ticket_resolve(ticket=ticket, by=personas.officer_a, note="Xong")
    Ticket.objects.filter(pk=ticket.pk).update(resolved_at=timezone.now() - timedelta(days=days))
    ticket.refresh_from_db()
    return ticket


def test_reporter_actions_follow_the_state_and_the_reopen_window(
    ticket: Ticket, personas: Personas
) -> None:
    assert resident_actions(ticket=ticket) == {ResidentAction.REPLY}
    ticket = _resolved_days_ago(ticket, personas, 6)
    assert resident_actions(ticket=ticket) == {
        ResidentAction.REPLY,
        ResidentAction.RATE,
        ResidentAction.REOPEN,
    }
    assert ResidentAction.REOPEN not in resident_actions(
        ticket=ticket, now=timezone.now() + timedelta(days=2)
    )


def test_resident_cannot_reopen_after_seven_days_on_the_page_or_the_api(
    ticket: Ticket, personas: Personas
) -> None:
    ticket = _resolved_days_ago(ticket, personas, 8)
    client = _client(personas.resident)
    page = client.get(f"/cases/{ticket.number}/")
    assert "reopen" not in page.context["forms"]
    assert "rate" in page.context["forms"]  # rating stays open
    posted = client.post(f"/cases/{ticket.number}/reopen/", {"reopen-reason": "Lại hỏng"})
    assert posted.status_code == 409
    api = client.post(
        f"/api/v1/helpdesk/cases/{ticket.number}/reopen",
        {"reason": "Lại hỏng"},
        content_type="application/json",
    )
    assert api.status_code == 409
    assert api.json()["code"] == "reopen_window_closed"
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED
