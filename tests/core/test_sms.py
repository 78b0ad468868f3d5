"""The SMS backends; the HTTP gateway is a real local server, the only thing faked."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from pytest_django import Settings

from core import sms
from core.sms import (
    ConsoleSmsBackend,
    FileSmsBackend,
    HttpSmsBackend,
    MemorySmsBackend,
    SmsDeliveryFailed,
    phone_mask,
    sms_backend,
    sms_plain,
    sms_segments,
)
from tests.http_stub import Gateway

TO = "+84981234567"
TEXT = "Mã xác nhận XaDesk của bạn là 482913."


@pytest.fixture
def http_settings(settings: Settings, gateway: Gateway) -> Settings:
    settings.SMS_BACKEND = "http"
    settings.SMS_HTTP_URL = gateway.url
    settings.SMS_HTTP_TOKEN = "gw-secret-token"
    settings.SMS_HTTP_TIMEOUT_SECONDS = 2
    return settings


# ---- choosing the backend ------------------------------------------------------


@pytest.mark.parametrize(
    ("configured", "expected"),
    [
        ("console", ConsoleSmsBackend),
        ("memory", MemorySmsBackend),
        ("core.sms.MemorySmsBackend", MemorySmsBackend),
    ],
)
def test_backend_is_chosen_from_settings_at_call_time(
    settings: Settings, configured: str, expected: type[sms.SmsBackend]
) -> None:
    settings.SMS_BACKEND = configured
    assert type(sms_backend()) is expected


def test_backend_defaults_to_console(settings: Settings) -> None:
    del settings.SMS_BACKEND
    assert type(sms_backend()) is ConsoleSmsBackend


@pytest.mark.parametrize("configured", ["carrier-pigeon", "core.sms.Nope", "core.sms.SmsResult"])
def test_unknown_backend_fails_loudly(settings: Settings, configured: str) -> None:
    settings.SMS_BACKEND = configured
    with pytest.raises(ImproperlyConfigured, match="SMS_BACKEND"):
        sms_backend()


def test_http_backend_without_url_or_token_fails_loudly(settings: Settings) -> None:
    settings.SMS_BACKEND = "http"
    settings.SMS_HTTP_URL = ""
    settings.SMS_HTTP_TOKEN = "t"
    with pytest.raises(ImproperlyConfigured, match="SMS_HTTP_URL"):
        sms_backend()
    settings.SMS_HTTP_URL = "https://sms.example.vn/send"
    settings.SMS_HTTP_TOKEN = ""
    with pytest.raises(ImproperlyConfigured, match="SMS_HTTP_TOKEN"):
        sms_backend()


# ---- development and test backends ---------------------------------------------


def test_memory_backend_keeps_messages_in_the_outbox() -> None:
    sms.outbox.clear()
    result = MemorySmsBackend().send(to=TO, text=TEXT)
    assert [(m.to, m.text) for m in sms.outbox] == [(TO, TEXT)]
    assert result.backend == "memory"
    assert result.message_id
    sms.outbox.clear()


def test_console_backend_prints_the_whole_message(capsys: pytest.CaptureFixture[str]) -> None:
    ConsoleSmsBackend().send(to=TO, text=TEXT)
    assert capsys.readouterr().out == f"[SMS to {TO}] {TEXT}\n"


def test_file_backend_appends_one_json_line_per_message(settings: Settings, tmp_path: Path) -> None:
    settings.SMS_FILE_PATH = str(tmp_path / "outbox" / "sms.jsonl")
    settings.SMS_BACKEND = "file"
    sms_backend().send(to=TO, text=TEXT)
    sms_backend().send(to="+84912345678", text="second")
    lines = (tmp_path / "outbox" / "sms.jsonl").read_text(encoding="utf-8").splitlines()
    messages = [json.loads(line) for line in lines]
    assert [(m["to"], m["text"]) for m in messages] == [(TO, TEXT), ("+84912345678", "second")]
    assert all(m["id"] and m["sent_at"] for m in messages)


def test_file_backend_without_path_fails_loudly(settings: Settings) -> None:
    settings.SMS_FILE_PATH = ""
    with pytest.raises(ImproperlyConfigured, match="SMS_FILE_PATH"):
        FileSmsBackend()


# ---- HTTP gateway -----------------------------------------------------------------


def test_http_backend_posts_json_with_the_bearer_token(
    http_settings: Settings, gateway: Gateway
) -> None:
    result = sms_backend().send(to=TO, text=TEXT)
    assert result.backend == "http"
    assert result.message_id == "gw-1"
    [request] = gateway.received
    assert request["path"] == "/v1/sms"
    assert request["authorization"] == "Bearer gw-secret-token"
    assert request["content_type"].startswith("application/json")
    assert request["json"] == {"to": TO, "text": TEXT}


def test_http_backend_accepts_a_2xx_answer_without_json(
    http_settings: Settings, gateway: Gateway
) -> None:
    gateway.status = 202
    gateway.body = b"queued"
    assert sms_backend().send(to=TO, text=TEXT).message_id == ""


@pytest.mark.parametrize("status", [500, 401, 429])
def test_http_backend_raises_when_the_gateway_refuses(
    http_settings: Settings,
    gateway: Gateway,
    status: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    gateway.status = status
    gateway.body = json.dumps({"error": "rejected", "echo": TEXT}).encode()
    caplog.set_level(logging.DEBUG)
    with pytest.raises(SmsDeliveryFailed, match=f"HTTP {status}") as failure:
        sms_backend().send(to=TO, text=TEXT)
    # Neither the error nor the log line repeat the text (it may hold a code).
    assert "482913" not in str(failure.value)
    assert all("482913" not in record.getMessage() for record in caplog.records)
    assert any(phone_mask(TO) in record.getMessage() for record in caplog.records)


def test_http_backend_raises_when_the_gateway_is_too_slow(
    http_settings: Settings, gateway: Gateway
) -> None:
    http_settings.SMS_HTTP_TIMEOUT_SECONDS = 0.2
    gateway.delay = 1.0
    with pytest.raises(SmsDeliveryFailed, match="unreachable"):
        sms_backend().send(to=TO, text=TEXT)


def test_http_backend_raises_when_nothing_listens(settings: Settings) -> None:
    # Port 9 (discard) is closed on the test machine: the connection is refused.
    backend = HttpSmsBackend(url="http://127.0.0.1:9/send", token="t", timeout=1)
    with pytest.raises(SmsDeliveryFailed, match="unreachable"):
        backend.send(to=TO, text=TEXT)


def test_phone_mask_hides_the_middle_digits() -> None:
    assert phone_mask("+84981234567") == "+84981****67"
    assert "1234" not in phone_mask("+84981234567")


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("", 1),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("€" * 80, 1),  # two septets each
        ("€" * 81, 2),
        ("Đ" * 70, 1),  # one mark: UCS-2
        ("Đ" * 71, 2),
        ("Đ" * 134, 2),
    ],
)
def test_segments_are_counted_as_the_gateway_bills_them(text: str, segments: int) -> None:
    assert sms_segments(text) == segments


def test_plain_text_drops_vietnamese_marks_and_keeps_case() -> None:
    assert sms_plain("Xã Đại Từ: ĐÃ NHẬN") == "Xa Dai Tu: DA NHAN"
    assert sms_segments(sms_plain("Phường Phan Đình Phùng " * 6)) == 1
