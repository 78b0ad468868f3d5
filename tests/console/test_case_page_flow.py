"""The console's case page as an officer moves through it on a phone or with a
keyboard (a helper's walk at 360 px, and one with a screen reader).

After each action the page opened at its top: a keyboard or screen-reader
officer started again from the header, and on a phone they scrolled back
down to what they had done. The answer now opens at its result, which takes
the focus. And six action forms stood between the case's facts and its
timeline: on a phone the officer scrolled past all of them to read what had
happened. The timeline now comes first, with a link to the actions at the top.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from pytest_django import Settings

from helpdesk import lifecycle
from helpdesk.models import Attachment, Ticket
from tests.conftest import Personas
from tests.console.pages import client_as
from tests.factories import jpeg
from tests.refused_page import Node, RefusedPage

pytestmark = pytest.mark.django_db

RESULT = "messages"  # the id of the list of messages (templates/base.html)


def _page(personas: Personas, ticket: Ticket) -> RefusedPage:
    response = client_as(personas, "officer_a").get(
        reverse("console:ticket-detail", args=[ticket.number])
    )
    assert response.status_code == 200
    return RefusedPage.of(response.content)


def _result(page: RefusedPage) -> Node:
    result = page.by_id(RESULT)
    # Focusable by the address's fragment, not a stop of the Tab key.
    assert result.attrs.get("tabindex") == "-1", result.attrs
    return result


def test_a_done_action_opens_the_case_page_at_its_result(
    personas: Personas, ticket_a: Ticket
) -> None:
    client = client_as(personas, "officer_a")
    case_page = reverse("console:ticket-detail", args=[ticket_a.number])
    answer = client.post(reverse("console:ticket-action", args=[ticket_a.number, "accept"]))
    assert answer.status_code == 302
    assert answer["Location"] == f"{case_page}#{RESULT}"
    shown = client.get(case_page)
    assert _result(RefusedPage.of(shown.content)).text() == "Case accepted and assigned to you."
    # Said once: the next page has no result to go to.
    assert RESULT not in {n.attrs.get("id") for n in _page(personas, ticket_a).root.iter()}


def test_a_photo_put_on_the_public_map_opens_the_case_page_at_its_result(
    personas: Personas, ticket_a: Ticket, settings: Settings, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    lifecycle.ticket_accept(ticket=ticket_a, by=personas.officer_a)
    lifecycle.ticket_resolve(ticket=ticket_a, by=personas.officer_a, note="Xong", photos=(jpeg(),))
    photo = Attachment.objects.get(ticket=ticket_a, role=Attachment.Role.AFTER)
    client = client_as(personas, "officer_a")
    answer = client.post(
        reverse("console:photo-public", args=[ticket_a.number, photo.pk]), {"public": "1"}
    )
    assert answer.status_code == 302
    case_page = reverse("console:ticket-detail", args=[ticket_a.number])
    assert answer["Location"] == f"{case_page}#{RESULT}"
    shown = RefusedPage.of(client.get(case_page).content)
    assert _result(shown).text() == "The photo is now on the public map."


def test_a_refused_action_opens_with_the_focus_on_its_summary(
    personas: Personas, ticket_a: Ticket
) -> None:
    """Answered at once, not redirected: the summary takes the focus (autofocus)."""
    lifecycle.ticket_reject(ticket=ticket_a, by=personas.officer_a, reason="Không thuộc xã")
    response = client_as(personas, "officer_a").post(
        reverse("console:ticket-action", args=[ticket_a.number, "accept"])
    )
    assert response.status_code == 409
    page = RefusedPage.of(response.content)
    assert page.summary.text() == "This step cannot be done: the case is now “Rejected”."


# --- The order of the page ----------------------------------------------------------


def _sections(page: RefusedPage) -> list[str]:
    """The page's parts in the order a screen reader and the Tab key meet them."""
    names = {"timeline-heading": "timeline", "actions-heading": "actions"}
    return [
        names[n.attrs["aria-labelledby"]]
        for n in page.root.iter()
        if n.tag == "section" and n.attrs.get("aria-labelledby") in names
    ]


def test_the_timeline_comes_before_the_actions_with_a_link_to_them_at_the_top(
    personas: Personas, ticket_a: Ticket
) -> None:
    page = _page(personas, ticket_a)
    assert _sections(page) == ["timeline", "actions"]
    nodes = list(page.root.iter())
    links = [n for n in nodes if n.tag == "a" and n.attrs.get("href") == "#actions-heading"]
    assert [n.text() for n in links] == ["Go to the actions"]
    # At the top: before the case's facts.
    facts = next(n for n in nodes if n.tag == "dl" and "facts" in n.attrs.get("class", ""))
    assert nodes.index(links[0]) < nodes.index(facts)
    # It leads to the actions' heading, which takes the focus, so that the
    # next Tab is the first action's first field.
    heading = page.by_id("actions-heading")
    assert heading.attrs.get("tabindex") == "-1"
    assert heading.text() == "Actions"


def test_a_case_with_no_action_left_offers_no_link_to_the_actions(
    personas: Personas, ticket_a: Ticket
) -> None:
    lifecycle.ticket_reject(ticket=ticket_a, by=personas.officer_a, reason="Không thuộc xã")
    page = _page(personas, ticket_a)
    assert _sections(page) == ["timeline"]
    assert not [n for n in page.root.iter() if n.attrs.get("href") == "#actions-heading"]
