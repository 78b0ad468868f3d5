"""An SMS whose handling broke off is handled again when the gateway resends it.

The message is recorded first, in its own transaction; then the case is filed.
If the database goes away in between (here: right after the filing's COMMIT
was sent, so nobody can tell whether the case was saved), the webhook answers
503 and the gateway sends the message again. Before, that resend found the
recorded row and was ignored with a 200: the report was never filed, and the
resident never heard back. Now a resend of a message still "being handled"
after sms_intake/services.py RESUME_AFTER is handled again, filing with the
message's own idempotency key: the case saved by the first try is found, not
filed twice.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from helpdesk.models import Ticket
from sms_intake.models import InboundSms
from sms_intake.services import RESUME_AFTER
from tests import factories
from tests.faults.tcp_cut import Relayed
from tests.sms_intake.conftest import SECRET, Phone

TEXT = "PA 05443 cong thoat nuoc bi vo"


def _post(client: Client, number: str) -> Any:
    body = {"id": "gw-broken-1", "from": number, "text": TEXT}
    return client.post(
        "/sms/inbound/",
        data=json.dumps(body),
        content_type="application/json",
        headers={"X-Sms-Secret": SECRET},
    )


@pytest.mark.usefixtures("committed_reference_data")
def test_a_resend_after_a_broken_off_filing_files_once_and_answers_once(
    relayed: Relayed, client: Client, phone: Phone
) -> None:
    number = factories.next_phone()
    # The filing's COMMIT, not the record's, which commits first.
    relayed.relay.cut_after_next(
        b"COMMIT\x00", then_refuse=True, following=b'INSERT INTO "helpdesk_ticket"'
    )

    broken = _post(client, number)

    assert relayed.relay.cut_done.is_set(), "no filing's COMMIT went through the relay"
    assert broken.status_code == 503, broken.content[:300]
    assert broken.json() == {"error": "save_unconfirmed"}
    assert broken["Retry-After"] == "15"
    relayed.direct()
    (sms,) = InboundSms.objects.filter(gateway_id="gw-broken-1")
    assert sms.outcome == InboundSms.Outcome.RECEIVED
    assert phone.texts(sms.phone) == []

    # The gateway's quick resend, while a first handling could still be running:
    # ignored.
    again = _post(client, number)
    assert again.status_code == 200
    assert again.json()["status"] == "duplicate"
    assert Ticket.objects.filter(reporter__phone=sms.phone).count() <= 1

    # Later: handled again, as if the clock had moved on (the one thing moved).
    InboundSms.objects.filter(pk=sms.pk).update(received_at=sms.received_at - RESUME_AFTER)
    resumed = _post(client, number)
    assert resumed.status_code == 200, resumed.content[:300]
    assert resumed.json()["status"] == "filed"
    (ticket,) = Ticket.objects.filter(reporter__phone=sms.phone)
    assert resumed.json()["case"] == ticket.number
    sms.refresh_from_db()
    assert sms.outcome == InboundSms.Outcome.FILED
    assert sms.ticket_id == ticket.pk
    (answer,) = phone.texts(sms.phone)
    assert ticket.number in answer
