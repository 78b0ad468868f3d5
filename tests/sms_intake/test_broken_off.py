"""An SMS whose handling broke off is taken over by the gateway's resend.

The message is recorded first, in its own transaction; then the case is filed.
If the database goes away in between (here: right after the filing's COMMIT
was sent, so nobody can tell whether the case was saved), the webhook answers
503 and the gateway sends the message again. Before, that resend found the
recorded row and was ignored with a 200: the report was never filed, and the
resident never heard back. Now a resend of a message still "being handled"
sms_intake/services.py RESUME_AFTER after its handling began takes it over
(one resend only, by a conditional UPDATE); a sooner one gets a 503 so that
the gateway keeps the message. The filing's key is the message's own: a case
the first try saved is found, not filed twice.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from helpdesk.models import Ticket
from sms_intake import services
from sms_intake.models import InboundSms
from sms_intake.services import RESUME_AFTER, HandlingTakenOver
from tests import factories
from tests.faults.tcp_cut import Relayed
from tests.sms_intake.conftest import SECRET, Phone

pytestmark = pytest.mark.usefixtures("committed_reference_data")

REPORT_MARKED_FILED = b"""UPDATE "sms_intake_inboundsms" SET "outcome" = 'filed'"""
CLAIM = b'UPDATE "sms_intake_inboundsms" SET "handling_since"'
FILING_COMMIT = {"statement": b"COMMIT\x00", "following": b'INSERT INTO "helpdesk_ticket"'}


def _post(client: Client, number: str, text: str, gateway_id: str) -> Any:
    body = {"id": gateway_id, "from": number, "text": text}
    return client.post(
        "/sms/inbound/",
        data=json.dumps(body),
        content_type="application/json",
        headers={"X-Sms-Secret": SECRET},
    )


def _break_the_filing(relayed: Relayed) -> None:
    """The next filing's COMMIT reaches the database, its answer does not,
    and the database refuses connections from then on."""
    relayed.relay.cut_done.clear()
    relayed.relay.cut_after_next(
        FILING_COMMIT["statement"], then_refuse=True, following=FILING_COMMIT["following"]
    )


def _assert_503(response: Any, code: str) -> None:
    assert response.status_code == 503, response.content[:300]
    assert response.json() == {"error": code}
    assert int(response["Retry-After"]) >= 1


def _time_passes(gateway_id: str) -> None:
    """As if RESUME_AFTER had passed since the handling began (the clock, the
    one thing moved)."""
    sms = InboundSms.objects.get(gateway_id=gateway_id)
    InboundSms.objects.filter(pk=sms.pk).update(handling_since=sms.handling_since - RESUME_AFTER)


def test_a_resend_takes_over_a_broken_off_filing_once_and_answers_once(
    relayed: Relayed, client: Client, phone: Phone
) -> None:
    number = factories.next_phone()
    text = "PA 05443 cong thoat nuoc bi vo"
    _break_the_filing(relayed)

    broken = _post(client, number, text, "gw-broken-1")

    assert relayed.relay.cut_done.is_set(), "no filing's COMMIT went through the relay"
    _assert_503(broken, "save_unconfirmed")
    relayed.relay.restore()
    (sms,) = InboundSms.objects.filter(gateway_id="gw-broken-1")
    first_handling = InboundSms.objects.get(pk=sms.pk)  # what it held, kept for the end
    assert sms.outcome == InboundSms.Outcome.RECEIVED
    assert phone.texts(sms.phone) == []

    # The gateway's quick resend, while a handling could still be running:
    # not taken as done (a 200 would make the gateway drop the message).
    _assert_503(_post(client, number, text, "gw-broken-1"), "sms_being_handled")

    # Later, a resend claims the handling, and the database goes away right
    # after the claim: the claim holds, so a resend right after it does not run
    # a second handling beside one that may still be running.
    _time_passes("gw-broken-1")
    relayed.relay.cut_done.clear()
    relayed.relay.cut_after_next(CLAIM, then_refuse=True)
    assert _post(client, number, text, "gw-broken-1").status_code == 503
    assert relayed.relay.cut_done.is_set(), "no claim went through the relay"
    relayed.relay.restore()
    # What a server does at the next request (Django's close_old_connections,
    # which the test client leaves out): drop the connection the cut broke.
    connection.close()
    _assert_503(_post(client, number, text, "gw-broken-1"), "sms_being_handled")

    _time_passes("gw-broken-1")
    resumed = _post(client, number, text, "gw-broken-1")
    assert resumed.status_code == 200, resumed.content[:300]
    (ticket,) = Ticket.objects.filter(reporter__phone=sms.phone)
    assert resumed.json() == {"status": "filed", "case": ticket.number}
    sms.refresh_from_db()
    assert (sms.outcome, sms.ticket_id) == (InboundSms.Outcome.FILED, ticket.pk)
    (answer,) = phone.texts(sms.phone)
    assert ticket.number in answer
    # Had the first handling still been running, it could write nothing more:
    # the take-over fenced it off.
    with pytest.raises(HandlingTakenOver):
        services._settle(first_handling, outcome=InboundSms.Outcome.REFUSED)
    sms.refresh_from_db()
    assert sms.outcome == InboundSms.Outcome.FILED
    # Handled: a resend from now on is a plain duplicate.
    assert _post(client, number, text, "gw-broken-1").json() == {
        "status": "duplicate",
        "case": ticket.number,
    }


def test_an_answer_to_the_commune_question_taken_over_files_the_report_it_answered(
    relayed: Relayed, client: Client, phone: Phone
) -> None:
    """The report is filed by the answer's handling; taken over after that
    filing may have been saved, it must go on with the same report, which is
    no longer waiting for its commune."""
    number = factories.next_phone()
    asked = _post(client, number, "HOI lam sao dang ky khai sinh cho con", "gw-ask-1")
    assert asked.json() == {"status": "asked_commune", "case": None}
    # The report is filed and marked filed; the database goes away before the
    # answer's own row says what it answered.
    relayed.relay.cut_after_next(REPORT_MARKED_FILED, then_refuse=True)

    assert _post(client, number, "Xa Dai Tu", "gw-answer-1").status_code == 503
    assert relayed.relay.cut_done.is_set(), "the report was not marked filed through the relay"
    relayed.relay.restore()
    connection.close()  # as in the test above
    assert InboundSms.objects.get(gateway_id="gw-ask-1").outcome == InboundSms.Outcome.FILED
    _time_passes("gw-answer-1")
    resumed = _post(client, number, "Xa Dai Tu", "gw-answer-1")

    assert resumed.status_code == 200, resumed.content[:300]
    question = InboundSms.objects.get(gateway_id="gw-ask-1")
    (ticket,) = Ticket.objects.filter(reporter__phone=question.phone)
    assert resumed.json() == {"status": "filed", "case": ticket.number}
    assert ticket.description == "lam sao dang ky khai sinh cho con"
    assert ticket.commune is not None
    assert ticket.commune.code == "05830"
    question.refresh_from_db()
    assert (question.outcome, question.ticket_id) == (InboundSms.Outcome.FILED, ticket.pk)
    answer = InboundSms.objects.get(gateway_id="gw-answer-1")
    assert (answer.answers_id, answer.ticket_id) == (question.pk, ticket.pk)
    assert ticket.number in phone.texts(question.phone)[-1]


def test_a_report_settled_by_another_answer_is_not_settled_again(
    client: Client, phone: Phone
) -> None:
    """Two answers to one commune question handled at once both read the report
    as waiting; the one that files it second must not overwrite it (say, as
    refused when its commune differs): it stops instead."""
    number = factories.next_phone()
    _post(client, number, "HOI lam sao dang ky khai sinh cho con", "gw-ask-2")
    first_read = InboundSms.objects.get(gateway_id="gw-ask-2")
    second_read = InboundSms.objects.get(gateway_id="gw-ask-2")
    assert first_read.outcome == InboundSms.Outcome.ASKED_COMMUNE
    services._settle(first_read, outcome=InboundSms.Outcome.FILED)

    with pytest.raises(HandlingTakenOver):
        services._settle(second_read, outcome=InboundSms.Outcome.REFUSED)
    assert InboundSms.objects.get(gateway_id="gw-ask-2").outcome == InboundSms.Outcome.FILED
    assert second_read.outcome == InboundSms.Outcome.ASKED_COMMUNE  # nothing claimed unwritten


def test_a_reply_by_sms_taken_over_after_it_was_saved_is_posted_once(
    relayed: Relayed, client: Client, phone: Phone
) -> None:
    """The reply's COMMIT reaches the database and its answer does not: the
    resend that takes the handling over finds the reply under the message's
    key instead of posting the words a second time."""
    number = factories.next_phone()
    resident = factories.user_create(phone=number)
    ticket = factories.case_file(reporter=resident, commune=factories.commune_get(code="05443"))
    text = f"{ticket.number} den van chua sang"
    relayed.relay.cut_done.clear()
    relayed.relay.cut_after_next(
        b"COMMIT\x00", then_refuse=True, following=b'INSERT INTO "helpdesk_ticketevent"'
    )

    broken = _post(client, number, text, "gw-reply-1")

    assert relayed.relay.cut_done.is_set(), "no reply's COMMIT went through the relay"
    _assert_503(broken, "save_unconfirmed")
    relayed.relay.restore()
    connection.close()  # as in the tests above
    replies = ticket.events.filter(kind="reply")
    assert list(replies.values_list("body", flat=True)) == ["den van chua sang"]  # it was saved
    _time_passes("gw-reply-1")

    resumed = _post(client, number, text, "gw-reply-1")

    assert resumed.status_code == 200, resumed.content[:300]
    assert resumed.json() == {"status": "replied", "case": ticket.number}
    assert list(replies.values_list("body", flat=True)) == ["den van chua sang"]
    (answer,) = phone.texts(number)
    assert ticket.number in answer
