"""The console's pages after a refused action, as the server sends them.

A keyboard walk: an empty "Send reply" answered "Please correct the form
below." at the top, with the focus on the page's start, the reply box not
marked and the sentence that says what is missing down in the form. Now the
summary at the top takes the focus as the page opens, says that sentence as a
link to the reply box, which is marked and described by it
(templates/_error_summary.html, core/form_errors.py).
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from geo.models import AdminUnit
from helpdesk.models import Ticket
from tests.conftest import Personas
from tests.console.pages import S, client_as
from tests.refused_page import RefusedPage

pytestmark = pytest.mark.django_db

EMPTY_REPLY = "Write a reply, or add a picture or a voice answer."


def _post(client: Client, ticket: Ticket, action: str, data: dict[str, object]) -> RefusedPage:
    response = client.post(reverse("console:ticket-action", args=[ticket.number, action]), data)
    assert response.status_code in (409, 422), response.status_code
    return RefusedPage.of(response.content)


def test_an_empty_reply_is_summed_up_as_a_link_to_the_marked_reply_box(
    personas: Personas, ticket_a: Ticket
) -> None:
    page = _post(client_as(personas, "officer_a"), ticket_a, "reply", {"reply-body": " "})
    assert page.links == [("id_reply-body", EMPTY_REPLY)]
    page.assert_marked("id_reply-body", EMPTY_REPLY)
    assert "Please correct the form below." not in page.root.text()
    # Said once at the top and once at the box, not a third time atop the form.
    assert page.root.text().count(EMPTY_REPLY) == 2
    # The case page's own address, for the script to put back in the address bar.
    assert page.summary.attrs["data-page-url"] == reverse(
        "console:ticket-detail", args=[ticket_a.number]
    )


def test_a_transfer_without_a_department_links_to_the_marked_list(
    personas: Personas, ticket_a: Ticket, commune_a: AdminUnit
) -> None:
    sentence = "Choose the department to send the case to."
    page = _post(
        client_as(personas, "officer_a"),
        ticket_a,
        "transfer",
        {"transfer-department": "", "transfer-reason": "Không thuộc xã"},
    )
    assert page.links == [("id_transfer-department", sentence)]
    page.assert_marked("id_transfer-department", sentence)
    ticket_a.refresh_from_db()
    assert ticket_a.status == S.NEW


def test_a_refusal_about_no_input_is_the_focused_summary_without_a_link(
    personas: Personas, ticket_a: Ticket
) -> None:
    page = _post(client_as(personas, "officer_a"), ticket_a, "start", {})  # not accepted yet
    assert page.summary.text() == "This step cannot be done: the case is now “New”."
    assert page.links == []


def test_the_case_page_before_any_refusal_takes_no_focus(
    personas: Personas, ticket_a: Ticket
) -> None:
    client = client_as(personas, "officer_a")
    page = client.get(reverse("console:ticket-detail", args=[ticket_a.number])).content.decode()
    assert "autofocus" not in page
    assert "console/summary" not in page  # its script comes with a refusal only


def test_a_wrong_password_is_the_focused_summary(personas: Personas) -> None:
    response = Client(headers={"accept-language": "en"}).post(
        reverse("console:login"),
        {"username": personas.officer_a.phone, "password": "not the password"},
    )
    assert response.status_code == 200
    [sentence] = response.context["form"].non_field_errors()
    page = RefusedPage.of(response.content)
    assert page.summary.text() == sentence


def test_the_language_button_of_a_refused_page_comes_back_to_the_case_page(
    personas: Personas, ticket_a: Ticket
) -> None:
    """The refused page is the answer to a post to /console/cases/<n>/reply/;
    the language button sent the officer back there, a page that takes only
    posts: "This page does not take this kind of request." (a helper's walk)."""
    client = client_as(personas, "officer_a")
    page = _post(client, ticket_a, "reply", {"reply-body": " "})
    case_page = reverse("console:ticket-detail", args=[ticket_a.number])
    nexts = [n.attrs.get("value") for n in page.root.iter() if n.attrs.get("name") == "next"]
    assert nexts == [case_page]
    switched = client.post("/i18n/setlang/", {"language": "en", "next": nexts[0]})
    assert switched.status_code == 302
    assert switched["Location"] == case_page
    assert client.get(switched["Location"]).status_code == 200
    # A page shown by a get keeps its own address, query included.
    shown = client.get(case_page, {"from": "queue"}).content.decode()
    assert f'name="next" value="{case_page}?from=queue"' in shown


@pytest.mark.parametrize(
    ("action", "data", "sentence"),
    [
        ("transfer", {"transfer-reason": " "}, "Write why the case is transferred."),
        ("reject", {"reject-reason": ""}, "Write why the case is rejected."),
    ],
)
def test_an_empty_reason_is_named_in_the_summary(
    personas: Personas, ticket_a: Ticket, action: str, data: dict[str, object], sentence: str
) -> None:
    """The summary read "This field is required.", away from the box it was
    about (a helper's walk)."""
    page = _post(client_as(personas, "officer_a"), ticket_a, action, data)
    assert (f"id_{action}-reason", sentence) in page.links
