"""Line breaks count once, as the officer's and the resident's screens count
them (core/multiline.py): a browser posts each one as CR LF, and a 4,000-character
note of many lines was refused as "4,098 characters" (a helper's walk). A reply
refused for its length no longer also says it is empty; a sent message is not
put back in its box by the browser's Back (SENT_TEXT)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from helpdesk.models import Ticket, TicketEvent
from tests.conftest import Personas
from tests.console.pages import client_as
from tests.refused_page import RefusedPage

pytestmark = pytest.mark.django_db

# 40 lines of 99 letters: 4,000 characters as the screen counts them, 4,040 as sent.
LINES = "\r\n".join(["x" * 99] * 40) + "\r\n"


def _action(ticket: Ticket, name: str) -> str:
    return reverse("console:ticket-action", args=[ticket.number, name])


def test_a_full_note_of_many_lines_is_taken_and_kept_with_lf_line_breaks(
    personas: Personas, ticket_a: Ticket
) -> None:
    assert len(LINES) == 4040
    assert len(LINES.replace("\r\n", "\n")) == 4000
    officer = client_as(personas, "officer_a")
    response = officer.post(_action(ticket_a, "note"), {"note-body": LINES})
    assert response.status_code == 302, response.status_code
    note = TicketEvent.objects.filter(ticket=ticket_a, kind="note").latest("id")
    assert note.body == LINES.replace("\r\n", "\n").strip()


def test_a_reply_one_character_too_long_is_refused_for_its_length_only(
    personas: Personas, ticket_a: Ticket
) -> None:
    officer = client_as(personas, "officer_a")
    response = officer.post(_action(ticket_a, "reply"), {"reply-body": LINES + "y"})
    assert response.status_code == 422
    page = RefusedPage.of(response.content)
    sentences = [text for _anchor, text in page.links]
    assert len(sentences) == 1, sentences
    assert "4000" in sentences[0]
    assert "4001" in sentences[0]
    assert "Write a reply" not in page.root.text()


def test_the_message_boxes_are_not_filled_again_by_the_browser(
    personas: Personas, ticket_a: Ticket
) -> None:
    page = client_as(personas, "officer_a").get(
        reverse("console:ticket-detail", args=[ticket_a.number])
    )
    html = page.content.decode()
    for name in ("reply-body", "note-body"):
        start = html.index(f'name="{name}"')
        tag = html[html.rindex("<textarea", 0, start) : html.index(">", start)]
        assert 'autocomplete="off"' in tag, tag
