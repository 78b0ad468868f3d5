"""The admin cannot change a case behind the lifecycle's back, and nobody can
delete or rewrite its timeline (issue 18, finding 6)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from geo.models import AdminUnit
from helpdesk.models import Attachment, Ticket, TicketEvent, TicketStatus
from helpdesk.models.tickets import EventLogAppendOnly
from tests import factories
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(personas: Personas, commune_a: AdminUnit) -> Ticket:
    return factories.case_file(reporter=personas.resident, commune=commune_a)


def test_admin_shows_a_case_but_refuses_to_change_or_delete_it(
    admin_client_for: Client, ticket: Ticket, personas: Personas
) -> None:
    change = reverse("admin:helpdesk_ticket_change", args=[ticket.pk])
    page = admin_client_for.get(change)
    assert page.status_code == 200
    assert reverse("console:ticket-detail", args=[ticket.number]) in page.content.decode()
    events_before = ticket.events.count()
    posted = admin_client_for.post(
        change,
        {
            "status": TicketStatus.RESOLVED,
            "description": "rewritten",
            "assignee": personas.officer_a.pk,
        },
    )
    assert posted.status_code == 403
    deleted = admin_client_for.post(
        reverse("admin:helpdesk_ticket_delete", args=[ticket.pk]), {"post": "yes"}
    )
    assert deleted.status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.NEW
    assert ticket.description == "Ổ gà"
    assert ticket.assignee is None
    assert ticket.events.count() == events_before


@pytest.mark.parametrize("model", [TicketEvent, Attachment], ids=lambda m: m.__name__)
def test_admin_offers_no_delete_for_case_records(
    admin_client_for: Client, ticket: Ticket, model: type[TicketEvent] | type[Attachment]
) -> None:
    opts = model._meta
    event = ticket.events.first()
    assert event is not None
    if model is TicketEvent:
        url = reverse("admin:helpdesk_ticketevent_delete", args=[event.pk])
        assert admin_client_for.post(url, {"post": "yes"}).status_code == 403
        assert TicketEvent.objects.filter(pk=event.pk).exists()
    changelist = admin_client_for.post(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    # The bulk "delete selected" action is not offered: the list re-renders.
    assert changelist.status_code == 200
    assert "delete_selected" not in changelist.content.decode()
    assert TicketEvent.objects.filter(pk=event.pk).exists()


def test_events_cannot_be_deleted_or_rewritten_through_the_orm(ticket: Ticket) -> None:
    event = ticket.events.get()
    with pytest.raises(EventLogAppendOnly):
        event.delete()
    with pytest.raises(EventLogAppendOnly):
        TicketEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(EventLogAppendOnly):
        TicketEvent.objects.filter(pk=event.pk).update(body="rewritten")
    event.body = "rewritten"
    with pytest.raises(EventLogAppendOnly):
        event.save()
    assert TicketEvent.objects.get(pk=event.pk).body != "rewritten"


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM helpdesk_ticketevent WHERE id = %s",
        "UPDATE helpdesk_ticketevent SET body = 'rewritten' WHERE id = %s",
    ],
)
def test_the_database_refuses_to_delete_or_rewrite_an_event(ticket: Ticket, sql: str) -> None:
    """Whoever sends the SQL (a shell, a script, a cascade): the trigger refuses."""
    event = ticket.events.get()
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [event.pk])
    assert TicketEvent.objects.get(pk=event.pk).body == event.body


def test_a_case_with_a_timeline_cannot_be_deleted(ticket: Ticket) -> None:
    # The ORM deletes the events first (Django's cascade): the trigger refuses.
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        Ticket.objects.filter(pk=ticket.pk).delete()
    # Plain SQL leaves the events without their case: the foreign key refuses
    # when it is checked (at commit; here at once).
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM helpdesk_ticket WHERE id = %s", [ticket.pk])
        with pytest.raises(IntegrityError, match="foreign key"):
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        transaction.set_rollback(True)
    assert Ticket.objects.filter(pk=ticket.pk).exists()
