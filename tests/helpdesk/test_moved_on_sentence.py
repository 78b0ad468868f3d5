"""A step the case's status no longer allows is refused with one sentence,
"This step cannot be done: the case is now “Rejected”.", said by the case
core's error (helpdesk.errors.IllegalTransition) in the person's language.

The console built that sentence itself; the resident's page and the API said
"This step is not possible for the case in its current state." for the same
refusal, and never which state that was.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from geo.models import AdminUnit
from helpdesk import errors, lifecycle
from helpdesk.models import Ticket, TicketStatus
from tests.conftest import Personas
from tests.console.pages import case_in
from tests.factories import token_client
from tests.refused_page import RefusedPage

pytestmark = pytest.mark.django_db

S = TicketStatus
API = "/api/v1/helpdesk"
SENTENCE = {
    "en": "This step cannot be done: the case is now “Rejected”.",
    "vi": "Không làm được bước này: hồ sơ hiện đang ở trạng thái “Từ chối”.",
}


@pytest.fixture
def rejected(personas: Personas, commune_a: AdminUnit) -> Ticket:
    ticket = case_in(commune_a, personas.resident)
    return lifecycle.ticket_reject(ticket=ticket, by=personas.officer_a, reason="Không thuộc xã")


def test_the_refusal_names_the_cases_status_in_the_language_it_is_shown_in(
    personas: Personas, rejected: Ticket
) -> None:
    with pytest.raises(errors.IllegalTransition) as caught:
        lifecycle.ticket_reply(ticket=rejected, by=personas.resident, body="Vẫn còn ổ gà")
    # Raised once, said in whichever language is active when it is shown.
    for language, sentence in SENTENCE.items():
        with translation.override(language):
            assert str(caught.value.message) == sentence
    # What programs read is unchanged.
    assert caught.value.code == "illegal_transition"
    assert caught.value.details["status"] == S.REJECTED
    assert S.NEW in caught.value.details["allowed"]


@pytest.mark.parametrize("language", ["en", "vi"])
def test_the_console_the_residents_page_and_the_api_say_the_same_sentence(
    personas: Personas, rejected: Ticket, language: str
) -> None:
    """The case was rejected while each of them had its page open."""
    headers = {"accept-language": language}
    sentence = SENTENCE[language]

    officer = Client(headers=headers)
    officer.force_login(personas.officer_a)
    console = officer.post(
        reverse("console:ticket-action", args=[rejected.number, "reply"]),
        {"reply-body": "Chúng tôi đã nhận"},
    )
    resident = Client(headers=headers)
    resident.force_login(personas.resident)
    page = resident.post(
        reverse("reports:case-action", args=[rejected.number, "reply"]),
        {"reply-body": "Vẫn còn ổ gà", "reply-idempotency_key": "moved-on-sentence-01"},
    )
    for answer in (console, page):
        assert answer.status_code == 409
        assert RefusedPage.of(answer.content).summary.text() == sentence

    api = token_client(personas.resident).post(
        f"{API}/cases/{rejected.number}/reply",
        {"body": "Vẫn còn ổ gà"},
        headers=headers,
    )
    assert api.status_code == 409
    body = api.json()
    # The code clients branch on stays; the sentence is the pages' own.
    assert (body["code"], body["message"]) == ("illegal_transition", sentence)
    assert body["details"]["status"] == S.REJECTED
    assert not rejected.events.filter(body="Vẫn còn ổ gà").exists()


def test_a_case_marked_a_duplicate_of_itself_is_not_said_to_have_moved(
    personas: Personas, commune_a: AdminUnit
) -> None:
    """Its status allows the step; the original chosen does not. "The case is
    now “New”" would send the officer looking for a change that never happened."""
    ticket = case_in(commune_a, personas.resident)
    with pytest.raises(errors.IllegalTransition) as caught:
        lifecycle.ticket_mark_duplicate(ticket=ticket, by=personas.officer_a, original=ticket)
    assert caught.value.code == "illegal_transition"
    with translation.override("en"):
        assert str(caught.value.message) == (
            "A case cannot be a duplicate of itself, nor of a case marked as a duplicate of it."
        )
    with translation.override("vi"):
        assert str(caught.value.message) == (
            "Hồ sơ không thể trùng với chính nó, hay với hồ sơ đã được đánh dấu là trùng với nó."
        )
