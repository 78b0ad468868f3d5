"""The resident's case page after an action the case has moved past.

The page was open while the commune rejected the case (or the seven days to
reopen it ran out); the resident then sent the form it offered. The refusal
put the same form back, with what they typed, under a sentence that did not
say what had changed: they sent it again, and it was refused again. Now the
page shows the case as it is, with the sentence of the refusal and without the
form that no longer applies, as the console does for officers
(tests/console/test_case.py, "moved past").
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.models import Ticket, TicketEvent, TicketStatus
from tests.conftest import Personas
from tests.console.pages import case_in
from tests.refused_page import RefusedPage

pytestmark = pytest.mark.django_db

S = TicketStatus
TYPED = "Đèn vẫn còn tắt, xin xem lại"


def _client(user: User) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def _actions(page: RefusedPage, ticket: Ticket) -> list[str]:
    """The resident's forms on the page, by action name."""
    prefix = f"/cases/{ticket.number}/"
    return [
        n.attrs["action"].removeprefix(prefix).strip("/")
        for n in page.root.iter()
        if n.tag == "form" and n.attrs.get("action", "").startswith(prefix)
    ]


def _rejected_while_open(personas: Personas, commune_a: AdminUnit) -> tuple[Client, Ticket]:
    ticket = case_in(commune_a, personas.resident)
    client = _client(personas.resident)
    opened = RefusedPage.of(client.get(f"/cases/{ticket.number}/").content)
    assert _actions(opened, ticket) == ["reply"]
    lifecycle.ticket_reject(ticket=ticket, by=personas.officer_a, reason="Không thuộc xã")
    return client, ticket


def test_a_message_to_a_case_rejected_meanwhile_shows_the_case_as_it_is_now(
    personas: Personas, commune_a: AdminUnit
) -> None:
    client, ticket = _rejected_while_open(personas, commune_a)
    response = client.post(
        reverse("reports:case-action", args=[ticket.number, "reply"]),
        {"reply-body": TYPED, "reply-idempotency_key": "moved-on-reply-0001"},
    )
    assert response.status_code == 409
    page = RefusedPage.of(response.content)
    assert page.summary.text() == "This step cannot be done: the case is now “Rejected”."
    assert page.links == []  # about no input: there is no form to go back to
    # No message box to send it again from, and no one's words put back in one.
    assert _actions(page, ticket) == []
    assert response.context["forms"] == {}
    assert TYPED not in response.content.decode()
    # The case as it is now: rejected, the reason on its timeline.
    status = [n for n in page.root.iter() if "data-status" in n.attrs]
    assert [n.attrs["data-status"] for n in status] == [S.REJECTED]
    assert "Không thuộc xã" in page.root.text()
    assert not ticket.events.filter(kind=TicketEvent.Kind.REPLY).exists()


def test_a_reopen_after_its_seven_days_shows_the_rating_and_not_the_reopen_form(
    personas: Personas, commune_a: AdminUnit
) -> None:
    """The refusal is not an illegal move (ReopenWindowClosed): what decides is
    whether the case still offers the form."""
    ticket = case_in(commune_a, personas.resident)
    lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    lifecycle.ticket_resolve(ticket=ticket, by=personas.officer_a, note="Đã thay bóng đèn")
    client = _client(personas.resident)
    opened = RefusedPage.of(client.get(f"/cases/{ticket.number}/").content)
    assert _actions(opened, ticket) == ["reply", "rate", "reopen"]
    # The page stayed open past the seventh day.
    Ticket.objects.filter(pk=ticket.pk).update(resolved_at=timezone.now() - timedelta(days=8))
    response = client.post(
        reverse("reports:case-action", args=[ticket.number, "reopen"]),
        {"reopen-reason": TYPED},
    )
    assert response.status_code == 409
    page = RefusedPage.of(response.content)
    assert page.summary.text() == "A case can only be reopened within 7 days of being resolved."
    assert _actions(page, ticket) == ["reply", "rate"]
    assert TYPED not in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == S.RESOLVED


def test_a_rating_from_a_page_opened_before_the_case_was_reopened_keeps_the_message_box(
    personas: Personas, commune_a: AdminUnit
) -> None:
    """Reopened from another tab: the stale page's rating is refused, the
    sentence names the status, and the form still offered (the message) stays."""
    ticket = case_in(commune_a, personas.resident)
    lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    lifecycle.ticket_resolve(ticket=ticket, by=personas.officer_a, note="Đã thay bóng đèn")
    client = _client(personas.resident)
    opened = RefusedPage.of(client.get(f"/cases/{ticket.number}/").content)
    assert _actions(opened, ticket) == ["reply", "rate", "reopen"]
    lifecycle.ticket_reopen(ticket=ticket, by=personas.resident, reason="Lại hỏng")
    response = client.post(
        reverse("reports:case-action", args=[ticket.number, "rate"]),
        {"rate-rating": "5", "rate-comment": TYPED},
    )
    assert response.status_code == 409
    page = RefusedPage.of(response.content)
    assert page.summary.text() == "This step cannot be done: the case is now “In progress”."
    assert _actions(page, ticket) == ["reply"]
    assert TYPED not in response.content.decode()


def test_the_language_button_of_a_moved_on_refusal_comes_back_to_the_case_page(
    personas: Personas, commune_a: AdminUnit
) -> None:
    """The refusal is the answer to a post to /cases/<n>/reply/, an address
    that takes only posts: the language button and the address the summary
    puts back lead to the case page, whether or not a form was put back."""
    client, ticket = _rejected_while_open(personas, commune_a)
    response = client.post(
        reverse("reports:case-action", args=[ticket.number, "reply"]),
        {"reply-body": TYPED, "reply-idempotency_key": "moved-on-reply-0002"},
    )
    page = RefusedPage.of(response.content)
    case_page = reverse("reports:case-detail", args=[ticket.number])
    nexts = [n.attrs.get("value") for n in page.root.iter() if n.attrs.get("name") == "next"]
    assert nexts == [case_page]
    assert page.summary.attrs["data-page-url"] == case_page
