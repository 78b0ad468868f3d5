"""Two deliveries of one SMS at the same moment (a gateway retrying while the first
request is still running) make one case and one answer: the unique constraints
decide, in the database, not a check in Python that both requests pass."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from helpdesk.models import Ticket
from sms_intake.models import InboundSms
from sms_intake.services import Received, SmsBeingHandled, sms_receive
from tests import factories
from tests.http_stub import Gateway

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_same_sms_delivered_twice_at_once_files_one_case(
    committed_reference_data: None, sms_settings: Gateway
) -> None:
    factories.department_create(commune=factories.commune_get(code="05443"))
    number = factories.next_phone()
    barrier = threading.Barrier(2)
    results: list[Received] = []
    still_handled: list[SmsBeingHandled] = []

    def deliver() -> None:
        try:
            barrier.wait()
            results.append(
                sms_receive(gateway_id="gw-race", phone_raw=number, text="PA 05443 cau gay")
            )
        except SmsBeingHandled as exc:
            still_handled.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # The second finds the first's row: done by then (a duplicate, 200), or
    # still being handled (a 503, so that the gateway sends it again later).
    assert [r.duplicate for r in results if not r.duplicate] == [False]
    assert len(results) + len(still_handled) == 2
    assert Ticket.objects.count() == 1
    assert InboundSms.objects.count() == 1
    assert len(sms_settings.received) == 1
