"""The webhook: only the gateway (holding the shared secret) gets in."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from pytest_django import Settings

from helpdesk.models import Ticket
from tests import factories
from tests.http_stub import Gateway
from tests.sms_intake.conftest import SECRET, signature

pytestmark = pytest.mark.django_db

BODY = json.dumps({"id": "gw-1", "from": "0981000001", "text": "PA 05443 den duong hong"})


def _post(client: Client, body: str = BODY, **headers: str) -> int:
    response = client.post(
        "/sms/inbound/", data=body, content_type="application/json", headers=headers
    )
    return response.status_code


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Sms-Secret": "guess"},
        {"X-Sms-Signature": "0" * 64},
        {"X-Sms-Signature": signature(BODY.encode(), secret="other")},
    ],
)
def test_a_caller_without_the_secret_is_refused_and_nothing_is_filed(
    client: Client, sms_settings: Gateway, headers: dict[str, str]
) -> None:
    assert _post(client, **headers) == 403
    assert not Ticket.objects.exists()
    assert sms_settings.received == []


def test_without_a_configured_secret_every_call_is_refused(
    client: Client, settings: Settings
) -> None:
    settings.SMS_INBOUND_SECRET = ""
    assert _post(client, **{"X-Sms-Secret": ""}) == 403
    assert _post(client, **{"X-Sms-Signature": signature(BODY.encode(), secret="")}) == 403


def test_a_signed_body_is_accepted(client: Client, sms_settings: Gateway) -> None:
    factories.department_create(commune=factories.commune_get(code="05443"))
    assert _post(client, **{"X-Sms-Signature": "sha256=" + signature(BODY.encode())}) == 200
    assert Ticket.objects.count() == 1


def test_a_form_post_with_the_gateways_own_field_names_is_read(
    client: Client, sms_settings: Gateway
) -> None:
    response = client.post(
        "/sms/inbound/",
        data={"message_id": "abc", "sender": "84981000002", "message": "HOI cach lam CCCD"},
        headers={"X-Sms-Secret": SECRET},
    )
    assert response.status_code == 200
    assert response.json()["status"] == "asked_commune"


def test_get_is_not_allowed(client: Client, sms_settings: Gateway) -> None:
    assert client.get("/sms/inbound/", headers={"X-Sms-Secret": SECRET}).status_code == 405


def test_a_sender_that_is_no_vietnamese_mobile_is_ignored_without_an_answer(
    client: Client, sms_settings: Gateway
) -> None:
    body = json.dumps({"id": "x", "from": "VIETTEL", "text": "PA 05443 khuyen mai"})
    headers = {"X-Sms-Secret": SECRET}
    response = client.post(
        "/sms/inbound/", data=body, content_type="application/json", headers=headers
    )
    assert response.json() == {"status": "ignored"}
    assert sms_settings.received == []
    missing = json.dumps({"id": "y", "text": "PA"})
    assert _post(client, missing, **{"X-Sms-Secret": SECRET}) == 400


@pytest.mark.parametrize("as_json", [True, False])
def test_a_gsm_at_sign_sent_as_a_nul_is_kept_as_at(
    client: Client, sms_settings: Gateway, as_json: bool
) -> None:
    """GSM-7 writes "@" as byte 0x00; a gateway passing the bytes through sends
    a NUL. PostgreSQL cannot store one, and the gateway retries every answer
    but a 200: refused (or a 500), the resident's message would be lost."""
    factories.department_create(commune=factories.commune_get(code="05443"))
    fields = {"id": "gw-nul\x00", "from": "0981000003", "text": "PA 05443 den hong\x00cong cho"}
    if as_json:
        response = client.post(
            "/sms/inbound/",
            data=json.dumps(fields),
            content_type="application/json",
            headers={"X-Sms-Secret": SECRET},
        )
    else:
        response = client.post("/sms/inbound/", data=fields, headers={"X-Sms-Secret": SECRET})
    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert "den hong@cong cho" in ticket.description
