"""updated_datetime and the updated_after/updated_before filters follow public changes only.

The ticket's own updated_at moves with every event: an internal note, the
reporter's own words, their rating, a "me too". Read through Open311, it
told a back office when hidden activity happened. updated_datetime is the
time of the last change the update feed shows (a status change, an officer's
public answer), the filing time before any; for a closed request, as the
spec says, the time it was closed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.models import Ticket, TicketEvent
from helpdesk.public_view import public_time
from helpdesk.support import case_support_add
from open311 import selectors
from tests.conftest import Personas
from tests.open311.conftest import BASE, App, file_request, xml

pytestmark = pytest.mark.django_db


def get(path: str, fmt: str = "json", **query: str) -> Any:
    return Client().get(f"{BASE}/{path}.{fmt}", query)


def ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [r["service_request_id"] for r in response.json()]


def filed(app: App, commune: AdminUnit, **fields: Any) -> Ticket:
    response = file_request(app, commune, **fields)
    assert response.status_code == 201, response.content
    return Ticket.objects.get(public_id=response.json()[0]["service_request_id"])


def changed_at(ticket: Ticket) -> datetime:
    """The exact time Open311 reads (updated_datetime shows it to the minute)."""
    found = selectors.request_get(public_id=ticket.public_id, client=None, province=None)
    moment: datetime = found.public_changed_at  # type: ignore[attr-defined]
    return moment


def updated_datetime(ticket: Ticket, fmt: str) -> datetime:
    response = get(f"requests/{ticket.public_id}", fmt)
    assert response.status_code == 200
    if fmt == "json":
        text = response.json()[0]["updated_datetime"]
    else:
        text = xml(response).findtext("request/updated_datetime") or ""
    return datetime.fromisoformat(text)


def last_event(ticket: Ticket) -> TicketEvent:
    return TicketEvent.objects.filter(ticket=ticket).latest("id")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_private_activity_on_an_open_request_moves_neither_updated_datetime_nor_the_filter(
    fmt: str, app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    ticket = filed(app, commune_a)
    lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    accepted = last_event(ticket)
    since = timezone.now()
    lifecycle.ticket_reply(ticket=ticket, by=personas.officer_a, body="Ghi chú", internal=True)
    lifecycle.ticket_reply(ticket=ticket, by=app.operator, body="Cảm ơn")  # the reporter's own
    case_support_add(ticket=ticket, user=personas.resident)  # "me too"
    ticket.refresh_from_db()
    assert ticket.updated_at > since  # the events did move the ticket's own column
    assert changed_at(ticket) == accepted.created_at
    assert updated_datetime(ticket, fmt) == public_time(accepted.created_at)
    assert ids(get("requests", updated_after=since.isoformat())) == []

    # An officer's public answer is a public change: it moves both.
    lifecycle.ticket_reply(ticket=ticket, by=personas.officer_a, body="Tuần sau sẽ sửa")
    answered = last_event(ticket)
    assert changed_at(ticket) == answered.created_at
    assert ids(get("requests", updated_after=since.isoformat())) == [ticket.public_id]


def test_a_closed_request_was_updated_when_it_was_closed(
    app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    ticket = filed(app, commune_a)
    lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    lifecycle.ticket_resolve(
        ticket=Ticket.objects.get(pk=ticket.pk), by=personas.officer_a, note="Đã thay bóng"
    )
    resolved = last_event(ticket)
    since = timezone.now()
    lifecycle.ticket_rate(ticket=ticket, by=app.operator, rating=2, comment="Chậm")
    lifecycle.ticket_reply(ticket=ticket, by=personas.officer_a, body="Ghi chú", internal=True)
    assert changed_at(ticket) == resolved.created_at
    assert updated_datetime(ticket, "json") == public_time(resolved.created_at)
    assert ids(get("requests", updated_after=since.isoformat())) == []
    # An officer's answer after the close is in the update feed, but the
    # spec dates a closed request by its closing.
    lifecycle.ticket_reply(ticket=ticket, by=personas.officer_a, body="Cảm ơn bạn")
    assert changed_at(ticket) == resolved.created_at
    feed = get("servicerequestupdates").json()
    assert [u["description"] for u in feed][-1] == "Cảm ơn bạn"


def test_a_request_no_one_has_touched_was_updated_when_it_was_filed(
    app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    ticket = filed(app, commune_a)
    assert changed_at(ticket) == ticket.created_at


def test_updated_after_and_before_order_by_the_last_public_change(
    app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    first = filed(app, commune_a, description="1")
    second = filed(app, commune_a, description="2")
    since = timezone.now()
    lifecycle.ticket_accept(ticket=second, by=personas.officer_a)
    between = timezone.now()
    lifecycle.ticket_accept(ticket=first, by=personas.officer_a)
    # A later internal note on the second makes its updated_at the newest;
    # publicly, the first changed last.
    lifecycle.ticket_reply(ticket=second, by=personas.officer_a, body="Nội bộ", internal=True)
    assert ids(get("requests", updated_after=since.isoformat())) == [
        second.public_id,
        first.public_id,
    ]
    window = {"updated_after": since.isoformat(), "updated_before": between.isoformat()}
    assert ids(get("requests", **window)) == [second.public_id]
    assert ids(get("requests", updated_before=between.isoformat())) == [second.public_id]
    assert get("requests", updated_before="yesterday").status_code == 400


def test_following_changes_costs_the_same_queries_for_one_case_or_many(
    app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    """updated_datetime is one column of the list's query (a subquery per row),
    not a query per case."""
    since = timezone.now().isoformat()
    lifecycle.ticket_accept(ticket=filed(app, commune_a), by=personas.officer_a)
    with CaptureQueriesContext(connection) as one:
        assert len(ids(get("requests", updated_after=since))) == 1
    for n in range(3):
        ticket = filed(app, commune_a, description=str(n))
        lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
        lifecycle.ticket_reply(ticket=ticket, by=personas.officer_a, body="x", internal=True)
    with CaptureQueriesContext(connection) as many:
        assert len(ids(get("requests", updated_after=since))) == 4
    assert len(many) == len(one)
