"""The line under the status on the resident's case page.

A question the commune answered (without closing it) kept promising "Expected
answer before …" under the answer, found by a usability walk. The promise
holds only while an answer is awaited; after it the line says when the commune
answered, and a case that is done has no line.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils.formats import date_format
from django.utils.timezone import localtime

from accounts.models import User
from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.filing import service_get_active
from helpdesk.models import Ticket, TicketEvent
from tests.conftest import Personas
from tests.factories import ticket_file
from tests.refused_page import RefusedPage

pytestmark = pytest.mark.django_db


def _question(personas: Personas, commune_b: AdminUnit) -> Ticket:
    """A help question routed to officer B's one-stop centre."""
    ticket = ticket_file(
        reporter=personas.resident,
        service=service_get_active(code="online_public_service"),
        description="Nộp hồ sơ trên mạng thế nào?",
        commune=commune_b,
    ).ticket
    assert ticket.kind == "help_request"
    assert ticket.due_at is not None
    return ticket


def _status_line(user: User, ticket: Ticket, language: str = "en") -> str:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    page = RefusedPage.of(client.get(f"/cases/{ticket.number}/").content)
    [status] = [n for n in page.root.iter() if n.attrs.get("data-live-part") == "status"]
    return status.text()


def test_an_unanswered_question_promises_an_answer_by_its_due_time(
    personas: Personas, commune_b: AdminUnit
) -> None:
    ticket = _question(personas, commune_b)
    # The resident's own follow-up is no answer.
    lifecycle.ticket_reply(ticket=ticket, by=personas.resident, body="Tôi chờ ạ")
    assert "Expected answer before" in _status_line(personas.resident, ticket)


def test_an_answered_question_says_when_it_was_answered_not_when_it_is_due(
    personas: Personas, commune_b: AdminUnit
) -> None:
    ticket = _question(personas, commune_b)
    answer = lifecycle.ticket_reply(
        ticket=ticket, by=personas.officer_b, body="Vào dichvucong.gov.vn, chọn Nộp hồ sơ."
    )
    assert answer.kind == TicketEvent.Kind.REPLY
    when = date_format(localtime(answer.created_at), "H:i")
    line = _status_line(personas.resident, ticket)
    assert "Expected answer" not in line
    assert "Answered at" in line
    assert when in line
    # In the default language too, and on the live part a push puts in place.
    assert "Dự kiến" not in _status_line(personas.resident, ticket, language="vi")
    assert "Đã trả lời lúc" in _status_line(personas.resident, ticket, language="vi")
    client = Client(headers={"accept-language": "en"})
    client.force_login(personas.resident)
    live = client.get(f"/cases/{ticket.number}/live/").content.decode()
    assert "Answered at" in live
    assert "Expected answer" not in live


def test_a_question_asked_again_after_the_answer_awaits_one_again(
    personas: Personas, commune_b: AdminUnit
) -> None:
    """The line said "Answered at …" while the resident's follow-up waited (a second read)."""
    ticket = _question(personas, commune_b)
    lifecycle.ticket_reply(ticket=ticket, by=personas.officer_b, body="Vào dichvucong.gov.vn.")
    lifecycle.ticket_reply(ticket=ticket, by=personas.resident, body="Tôi không vào được ạ")
    line = _status_line(personas.resident, ticket)
    assert "Answered at" not in line
    assert "Expected answer before" in line


def test_a_resolved_question_makes_no_promise(personas: Personas, commune_b: AdminUnit) -> None:
    ticket = _question(personas, commune_b)
    ticket = lifecycle.ticket_accept(ticket=ticket, by=personas.officer_b)
    lifecycle.ticket_resolve(ticket=ticket, by=personas.officer_b, note="Đã hướng dẫn.")
    line = _status_line(personas.resident, ticket)
    assert "Expected answer" not in line
    assert "Resolved" in line
