"""POST files through the one filing service; retries are recognised, not duplicated."""

from __future__ import annotations

import pytest

from geo.models import AdminUnit
from helpdesk.models import IdempotencyRecord, Ticket
from open311.keys import client_issue
from tests import factories
from tests.conftest import Personas
from tests.open311.conftest import App, file_request

pytestmark = pytest.mark.django_db


def test_a_retry_from_the_same_device_returns_the_first_request(
    app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    first = file_request(app, commune_a, device_id="phone-1")
    again = file_request(app, commune_a, device_id="phone-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Ticket.objects.count() == 1
    # The record only case_submit writes: the retry went through the filing service.
    (record,) = IdempotencyRecord.objects.all()
    assert record.user == app.operator


def test_the_same_device_with_other_content_or_no_device_files_new_requests(
    app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    file_request(app, commune_a, device_id="phone-1")
    assert file_request(app, commune_a, device_id="phone-1", description="khac").status_code == 201
    assert file_request(app, commune_a).status_code == 201
    assert file_request(app, commune_a).status_code == 201
    assert Ticket.objects.count() == 4


def test_two_applications_never_share_a_device_s_retries(
    app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    other = client_issue(name="Other", account=factories.user_create())
    file_request(app, commune_a, device_id="phone-1")
    answer = file_request(
        App(other.client, other.key, other.client.account), commune_a, device_id="phone-1"
    )
    assert answer.status_code == 201
    assert Ticket.objects.count() == 2


def test_the_idempotency_key_header_is_honoured(
    app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    headers = {"Idempotency-Key": "open311-retry-0001"}
    first = file_request(app, commune_a, headers=headers)
    again = file_request(app, commune_a, headers=headers)
    assert again.status_code == 200
    assert again.json() == first.json()
    changed = file_request(app, commune_a, headers=headers, description="khac")
    assert changed.status_code == 409
    assert changed.json()[0]["code"] == 409
    assert file_request(app, commune_a, headers={"Idempotency-Key": "bad key!"}).status_code == 400
    assert Ticket.objects.count() == 1


def test_two_applications_of_one_operator_never_share_a_key(
    app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    """Keys are per account, and an operator may run several applications:
    the same header key from another of its applications files its own case
    and never gets the first one's case back."""
    other = client_issue(name="Other app, same operator", account=app.operator)
    second = App(other.client, other.key, app.operator)
    headers = {"Idempotency-Key": "open311-shared-0001"}
    first = file_request(app, commune_a, headers=headers)
    theirs = file_request(second, commune_a, headers=headers)
    assert (first.status_code, theirs.status_code) == (201, 201)
    assert theirs.json()[0]["service_request_id"] != first.json()[0]["service_request_id"]
    assert Ticket.objects.count() == 2
    # Each application's own retry still gets its own case back.
    assert file_request(second, commune_a, headers=headers).json() == theirs.json()
    assert file_request(app, commune_a, device_id="phone-9").status_code == 201
    assert file_request(second, commune_a, device_id="phone-9").status_code == 201
    assert Ticket.objects.count() == 4
