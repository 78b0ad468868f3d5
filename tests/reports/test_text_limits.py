"""How long a reply, a reason or a comment may be, and which kind each form files.

The resident's reply, rating and reopen forms had no limit (only an HTML
attribute, which a script ignores): a probe posted a million characters to
each, and the case page became 2-3 MB for everyone who opened it. The limits
are the case core's (helpdesk/lifecycle.py MAX_MESSAGE, MAX_COMMENT), so the
forms, the API and the console meet the same rule.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from accounts.models import User
from geo.models import AdminUnit
from helpdesk import errors, lifecycle
from helpdesk.filing import CaseDraft, case_submit
from helpdesk.lifecycle import MAX_COMMENT, MAX_MESSAGE
from helpdesk.models import Ticket, TicketEvent, TicketStatus
from tests.conftest import Personas
from tests.factories import point_inside

pytestmark = pytest.mark.django_db

TOO_LONG_EN = "This text is too long. Please write at most"


def _client(user: User) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def _resolved(personas: Personas, commune: AdminUnit) -> Ticket:
    lat, lon = point_inside(commune)
    draft = CaseDraft(service_code="streetlight_out", lat=lat, lon=lon)
    ticket = case_submit(reporter=personas.resident, draft=draft).ticket
    lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    lifecycle.ticket_resolve(ticket=ticket, by=personas.officer_a, note="Đã thay bóng đèn")
    return ticket


@pytest.mark.parametrize(
    ("action", "field", "limit"),
    [("reply", "reply-body", MAX_MESSAGE), ("rate", "rate-comment", MAX_COMMENT),
     ("reopen", "reopen-reason", MAX_MESSAGE)],
)  # fmt: skip
def test_a_residents_text_over_the_core_limit_is_refused_with_a_sentence(
    personas: Personas, commune_a: AdminUnit, action: str, field: str, limit: int
) -> None:
    ticket = _resolved(personas, commune_a)
    events = TicketEvent.objects.count()
    data: dict[str, Any] = {field: "R" * (limit + 1)}
    if action == "rate":
        data["rate-rating"] = "4"
    response = _client(personas.resident).post(f"/cases/{ticket.number}/{action}/", data)

    assert response.status_code == 422
    assert f"at most {limit} characters" in response.content.decode()
    assert TicketEvent.objects.count() == events
    ticket.refresh_from_db()
    assert (ticket.status, ticket.rating) == (TicketStatus.RESOLVED, None)

    data[field] = "R" * limit  # at the limit: taken
    assert (
        _client(personas.resident).post(f"/cases/{ticket.number}/{action}/", data).status_code
        == 302
    )


@pytest.mark.parametrize(
    ("move", "limit"),
    [("reply", MAX_MESSAGE), ("reject", MAX_MESSAGE), ("transfer", MAX_MESSAGE),
     ("resolve", MAX_MESSAGE), ("reopen", MAX_MESSAGE), ("rate", MAX_COMMENT)],
)  # fmt: skip
def test_the_case_core_holds_the_limit_for_every_channel(
    personas: Personas, commune_a: AdminUnit, move: str, limit: int
) -> None:
    lat, lon = point_inside(commune_a)
    ticket = case_submit(
        reporter=personas.resident,
        draft=CaseDraft(service_code="streetlight_out", lat=lat, lon=lon),
    ).ticket
    text = "x" * (limit + 1)
    officer = personas.officer_a
    department = ticket.department
    assert department is not None
    calls: dict[str, Callable[[], object]] = {
        "reply": lambda: lifecycle.ticket_reply(ticket=ticket, by=officer, body=text),
        "reject": lambda: lifecycle.ticket_reject(ticket=ticket, by=officer, reason=text),
        "transfer": lambda: lifecycle.ticket_transfer(
            ticket=ticket, by=officer, department=department, reason=text
        ),
        "resolve": lambda: lifecycle.ticket_resolve(ticket=ticket, by=officer, note=text),
        "reopen": lambda: lifecycle.ticket_reopen(ticket=ticket, by=personas.resident, reason=text),
        "rate": lambda: lifecycle.ticket_rate(
            ticket=ticket, by=personas.resident, rating=4, comment=text
        ),
    }
    with pytest.raises(errors.TextTooLong) as refused:
        calls[move]()
    assert refused.value.details == {"max_length": limit}
    with translation.override("en"):
        assert str(refused.value.message) == f"{TOO_LONG_EN} {limit} characters."


def test_the_help_form_files_no_field_report(personas: Personas) -> None:
    """A street light's code sent to the help form filed a field report with no place."""
    response = _client(personas.resident).post(
        "/help/new/",
        {
            "service": "streetlight_out",
            "description": "Đèn hỏng",
            "idempotency_key": "help-kind-0001",
        },
    )
    assert response.status_code == 422
    assert "This kind of report or question does not exist." in response.content.decode()
    assert not Ticket.objects.exists()


def test_the_report_form_files_no_help_request(personas: Personas, commune_a: AdminUnit) -> None:
    lat, lon = point_inside(commune_a)
    response = _client(personas.resident).post(
        "/report/new/",
        {"service": "help_other", "description": "Hỏi thủ tục", "idempotency_key": "rep-kind-0001",
         "action": "submit", "lat": str(lat), "lon": str(lon)},
    )  # fmt: skip
    # The report page does not show a question's topic: it sends the person
    # to the help form, where what they typed must be sent again.
    assert (response.status_code, response["Location"]) == (302, "/help/new/")
    assert not Ticket.objects.exists()


# 40 lines, 39 line breaks: 4,000 characters on the screen, 4,039 as a browser sends them.
CRLF_LINES = "\r\n".join(["x" * 99] * 39 + ["x" * 100])


def test_a_line_break_counts_once_whichever_way_the_text_comes(
    personas: Personas, commune_a: AdminUnit
) -> None:
    """core/multiline.py: the case core, the resident's forms and the intake API
    count a CR LF as the screen did, once."""
    assert len(CRLF_LINES.replace("\r\n", "\n")) == MAX_MESSAGE
    lat, lon = point_inside(commune_a)
    ticket = case_submit(
        reporter=personas.resident,
        draft=CaseDraft(service_code="streetlight_out", lat=lat, lon=lon),
    ).ticket
    # The core, as any channel reaches it.
    lifecycle.ticket_reply(ticket=ticket, by=personas.officer_a, body=CRLF_LINES)
    # The resident's page, without its script.
    response = _client(personas.resident).post(
        f"/cases/{ticket.number}/reply/", {"reply-body": CRLF_LINES}
    )
    assert response.status_code == 302
    # The intake API, as the page's script sends it (multipart), and the
    # description is kept with LF line breaks.
    filed = _client(personas.resident).post(
        "/api/v1/reports/cases",
        {"service": "streetlight_out", "description": CRLF_LINES, "lat": lat, "lon": lon},
        headers={"Idempotency-Key": "crlf-lines-0001"},
    )
    assert filed.status_code == 201, filed.content
    number = filed.json()["case"]["number"]
    stored = Ticket.objects.get(number=number).description
    assert stored == CRLF_LINES.replace("\r\n", "\n")


def test_a_residents_message_too_long_is_not_also_called_empty(
    personas: Personas, commune_a: AdminUnit
) -> None:
    ticket = _resolved(personas, commune_a)
    response = _client(personas.resident).post(
        f"/cases/{ticket.number}/reply/", {"reply-body": "R" * (MAX_MESSAGE + 1)}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert f"at most {MAX_MESSAGE} characters" in page
    assert "Write a message or record a voice note." not in page
    # The language button comes back to the case page, not to the form's
    # address, which takes only posts (a helper's walk of the console).
    assert f'name="next" value="/cases/{ticket.number}/"' in page
