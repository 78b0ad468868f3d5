"""SMS intake fixtures: the webhook's secret, and the gateway every answer goes to.

Answers leave through the real HTTP adapter (core.sms.HttpSmsBackend) to the
local stand-in gateway (tests/http_stub.py): the process boundary.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from pytest_django import Settings

from tests.http_stub import Gateway

SECRET = "poster-in-the-commune-hall"
_ids = itertools.count(1)


@dataclass
class Phone:
    """What one resident's phone received from us."""

    gateway: Gateway

    def texts(self, to: str) -> list[str]:
        return [r["json"]["text"] for r in self.gateway.received if r["json"]["to"] == to]


@pytest.fixture
def sms_settings(settings: Settings, gateway: Gateway) -> Gateway:
    settings.SMS_INBOUND_SECRET = SECRET
    settings.SMS_BACKEND = "http"
    settings.SMS_HTTP_URL = gateway.url
    settings.SMS_HTTP_TOKEN = "gateway-token"
    return gateway


@pytest.fixture
def phone(sms_settings: Gateway) -> Phone:
    return Phone(sms_settings)


Send = Callable[..., dict[str, Any]]


@pytest.fixture
def send(client: Client, sms_settings: Gateway) -> Send:
    """POST one SMS to the webhook as the gateway does; return its JSON answer."""

    def post(sender: str, text: str, *, message_id: str | None = None) -> dict[str, Any]:
        body = {"id": message_id or f"gw-{next(_ids)}", "from": sender, "text": text}
        response = client.post(
            "/sms/inbound/",
            data=json.dumps(body),
            content_type="application/json",
            headers={"X-Sms-Secret": SECRET},
        )
        assert response.status_code == 200, response.content
        answer: dict[str, Any] = response.json()
        return answer

    return post


def signature(body: bytes, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
