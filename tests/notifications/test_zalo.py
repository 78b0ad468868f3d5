"""The Zalo Official Account adapter against a stand-in OA API on 127.0.0.1
(the real HTTP code runs; only Zalo's server is replaced, issue 11)."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from pytest_django import Settings

from notifications.zalo import (
    HttpZaloBackend,
    OffZaloBackend,
    ZaloDeliveryFailed,
    ZaloTokenExpired,
    zalo_backend,
)
from tests.http_stub import Gateway

TEXT = "Phản ánh #TN-2026-00001 đã được xử lý."


@pytest.fixture
def oa(settings: Settings, gateway: Gateway) -> Gateway:
    settings.ZALO_BACKEND = "http"
    settings.ZALO_OA_URL = f"{gateway.base}/v3.0/oa/message/cs"
    settings.ZALO_OA_ACCESS_TOKEN = "oa-token"
    settings.ZALO_HTTP_TIMEOUT_SECONDS = 2
    gateway.body = b'{"error": 0, "message": "Success"}'
    return gateway


def test_a_message_is_posted_as_the_oa_api_expects(oa: Gateway) -> None:
    zalo_backend().send(user_id="84123456789", text=TEXT)
    [request] = oa.received
    assert request["path"] == "/v3.0/oa/message/cs"
    assert request["headers"]["access_token"] == "oa-token"
    assert request["json"] == {"recipient": {"user_id": "84123456789"}, "message": {"text": TEXT}}


@pytest.mark.parametrize("status", [400, 403, 500, 503])
def test_an_http_error_is_a_failed_delivery(oa: Gateway, status: int) -> None:
    oa.status = status
    with pytest.raises(ZaloDeliveryFailed, match=f"HTTP {status}"):
        zalo_backend().send(user_id="84123456789", text=TEXT)


def test_a_refusal_in_a_200_answer_is_a_failed_delivery(oa: Gateway) -> None:
    oa.body = json.dumps({"error": -213, "message": "User has not followed OA"}).encode()
    with pytest.raises(ZaloDeliveryFailed, match="error -213") as failure:
        zalo_backend().send(user_id="84123456789", text=TEXT)
    assert not isinstance(failure.value, ZaloTokenExpired)


def test_an_expired_token_says_so(oa: Gateway, caplog: pytest.LogCaptureFixture) -> None:
    oa.body = json.dumps({"error": -216, "message": "Access token is invalid"}).encode()
    with pytest.raises(ZaloTokenExpired):
        zalo_backend().send(user_id="84123456789", text=TEXT)
    assert any("renew" in record.getMessage() for record in caplog.records)


def test_a_slow_oa_is_a_failed_delivery_to_retry(oa: Gateway, settings: Settings) -> None:
    settings.ZALO_HTTP_TIMEOUT_SECONDS = 0.2
    oa.delay = 1.0
    with pytest.raises(ZaloDeliveryFailed, match="unreachable"):
        zalo_backend().send(user_id="84123456789", text=TEXT)


def test_without_url_or_token_the_http_backend_refuses_to_start(settings: Settings) -> None:
    settings.ZALO_OA_URL = ""
    settings.ZALO_OA_ACCESS_TOKEN = "t"
    with pytest.raises(ImproperlyConfigured):
        HttpZaloBackend()


def test_with_zalo_off_a_message_fails_rather_than_pretends(settings: Settings) -> None:
    settings.ZALO_BACKEND = "off"
    backend = zalo_backend()
    assert isinstance(backend, OffZaloBackend)
    with pytest.raises(ZaloDeliveryFailed, match="not configured"):
        backend.send(user_id="84123456789", text=TEXT)
