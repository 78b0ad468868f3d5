"""Two deliveries of one SMS at the same moment (a gateway retrying while the first
request is still running) make one case: the unique constraints decide, in the
database, not a check in Python that both requests pass."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from helpdesk.models import Ticket
from sms_intake.models import InboundSms
from sms_intake.services import Received, sms_receive
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

    def deliver() -> None:
        try:
            barrier.wait()
            results.append(
                sms_receive(gateway_id="gw-race", phone_raw=number, text="PA 05443 cau gay")
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.duplicate for r in results) == [False, True]
    assert Ticket.objects.count() == 1
    assert InboundSms.objects.count() == 1
    assert len(sms_settings.received) == 1
