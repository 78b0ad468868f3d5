"""Abuse limits on filing, replies, "me too" and photos, over the API and on the pages.

Real Redis, counted under each test's own key prefix (tests/conftest.py).
Each test lowers one limit to a handful so it is reached in a few requests;
the defaults are far above what the rest of the suite does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from accounts.models import User
from core.rate_limits import rate_limit_key
from geo.models import AdminUnit
from helpdesk.filing import CaseDraft, case_submit
from helpdesk.models import Attachment, CaseSupport, Ticket, TicketEvent
from tests.conftest import Personas
from tests.factories import jpeg, point_inside

pytestmark = pytest.mark.django_db
API = "/api/v1"
HOUR = 3600
WAIT_VI = "Vui lòng thử lại sau 60 phút."


@pytest.fixture(autouse=True)
def media(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _client(user: User, ip: str = "198.51.100.20") -> Client:
    client = Client(REMOTE_ADDR=ip)
    client.force_login(user)
    return client


def _count(action: str, subject: str) -> int:
    client = redis.Redis.from_url(django_settings.REDIS_URL)
    try:
        return int(client.get(rate_limit_key(action=action, subject=subject)) or 0)
    finally:
        client.close()


def _file(client: Client, commune: AdminUnit, key: str | None = None, **extra: Any) -> Any:
    lat, lon = point_inside(commune)
    headers = {"Idempotency-Key": key} if key else {}
    fields = {"service": "streetlight_out", "lat": lat, "lon": lon, **extra}
    return client.post(f"{API}/reports/cases", fields, headers=headers)


def _assert_429(response: Any, code: str) -> None:
    assert response.status_code == 429, response.content
    body = response.json()
    assert body["code"] == code
    assert body["message"].endswith(WAIT_VI)
    retry = body["details"]["retry_after"]
    assert 0 < retry <= HOUR
    assert response["Retry-After"] == str(retry)


# ---- filing ------------------------------------------------------------------------


def test_filing_over_the_persons_limit_is_429_with_retry_after(
    settings: Settings, personas: Personas, commune_a: AdminUnit
) -> None:
    settings.RATE_LIMITS = {"filing.person": (2, HOUR)}
    client = _client(personas.digital_team)
    assert [_file(client, commune_a).status_code for _ in range(2)] == [201, 201]
    _assert_429(_file(client, commune_a), "filing_rate_limited")
    assert Ticket.objects.count() == 2
    # Another person is not held back by this one.
    assert _file(_client(personas.resident), commune_a).status_code == 201


def test_a_retry_with_the_same_key_is_not_counted_and_gets_its_case_at_the_limit(
    settings: Settings, personas: Personas, commune_a: AdminUnit
) -> None:
    settings.RATE_LIMITS = {"filing.person": (2, HOUR)}
    client = _client(personas.resident)
    first = _file(client, commune_a, key="retry-key-0001")
    assert first.status_code == 201
    assert _file(client, commune_a, key="retry-key-0002").status_code == 201
    for _ in range(3):
        again = _file(client, commune_a, key="retry-key-0001")
        assert again.status_code == 200, again.content
        assert again.json()["replayed"] is True
        assert again.json()["case"]["number"] == first.json()["case"]["number"]
    assert _count("filing", f"person:{personas.resident.pk}") == 2
    _assert_429(_file(client, commune_a, key="retry-key-0003"), "filing_rate_limited")


def test_the_service_replays_before_it_counts(
    settings: Settings, personas: Personas, commune_a: AdminUnit
) -> None:
    settings.RATE_LIMITS = {"filing.person": (1, HOUR)}
    lat, lon = point_inside(commune_a)
    draft = CaseDraft(service_code="streetlight_out", lat=lat, lon=lon)
    first = case_submit(reporter=personas.resident, draft=draft, idempotency_key="svc-key-0001")
    again = case_submit(reporter=personas.resident, draft=draft, idempotency_key="svc-key-0001")
    assert (again.replayed, again.ticket.pk) == (True, first.ticket.pk)
    assert _count("filing", f"person:{personas.resident.pk}") == 1


def test_people_on_one_shared_address_share_its_filing_limit(
    settings: Settings, personas: Personas, commune_a: AdminUnit
) -> None:
    settings.RATE_LIMITS = {"filing.person": (10, HOUR), "filing.ip": (2, HOUR)}
    hall = "198.51.100.77"
    assert _file(_client(personas.resident, hall), commune_a).status_code == 201
    assert _file(_client(personas.digital_team, hall), commune_a).status_code == 201
    _assert_429(_file(_client(personas.leader_a, hall), commune_a), "filing_rate_limited")
    assert _file(_client(personas.leader_a, "198.51.100.78"), commune_a).status_code == 201


def test_a_refused_form_costs_nothing(
    settings: Settings, personas: Personas, commune_a: AdminUnit
) -> None:
    settings.RATE_LIMITS = {"filing.person": (1, HOUR)}
    client = _client(personas.resident)
    assert _file(client, commune_a, service="nope").status_code == 422
    assert _file(client, commune_a).status_code == 201


def test_the_report_page_says_how_long_to_wait(
    settings: Settings, personas: Personas, commune_a: AdminUnit
) -> None:
    settings.RATE_LIMITS = {"filing.person": (1, HOUR)}
    client = _client(personas.resident)
    lat, lon = point_inside(commune_a)

    def send(key: str) -> Any:
        fields = {
            "service": "streetlight_out",
            "description": "Đèn đường tắt",
            "lat": lat,
            "lon": lon,
            "idempotency_key": key,
            "action": "submit",
        }
        return client.post("/report/new/", fields)

    assert send("page-key-0001").status_code == 302
    refused = send("page-key-0002")
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "Có nhiều phản ánh được gửi từ đây trong thời gian ngắn." in page
    assert WAIT_VI in page
    assert Ticket.objects.count() == 1


# ---- photos ------------------------------------------------------------------------


def _photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("photo.jpg", jpeg(), content_type="image/jpeg")


def test_photos_are_counted_one_by_one(
    settings: Settings, personas: Personas, commune_a: AdminUnit
) -> None:
    settings.RATE_LIMITS = {"photo.person": (3, HOUR)}
    client = _client(personas.resident)
    assert _file(client, commune_a, photos=[_photo(), _photo()]).status_code == 201
    _assert_429(_file(client, commune_a, photos=[_photo(), _photo()]), "photo_rate_limited")
    # Nothing of the refused filing was counted or kept.
    assert _count("filing", f"person:{personas.resident.pk}") == 0  # no filing limit set
    assert _count("photo", f"person:{personas.resident.pk}") == 2
    assert (Ticket.objects.count(), Attachment.objects.count()) == (1, 2)
    assert _file(client, commune_a, photos=[_photo()]).status_code == 201


# ---- replies -----------------------------------------------------------------------


@pytest.fixture
def ticket(personas: Personas, commune_a: AdminUnit) -> Ticket:
    lat, lon = point_inside(commune_a)
    draft = CaseDraft(service_code="streetlight_out", lat=lat, lon=lon)
    return case_submit(reporter=personas.resident, draft=draft).ticket


def test_officer_replies_over_the_limit_are_429(
    settings: Settings, personas: Personas, ticket: Ticket
) -> None:
    settings.RATE_LIMITS = {"reply.person": (2, HOUR)}
    officer = _client(personas.officer_a)
    url = f"{API}/helpdesk/cases/{ticket.number}"
    assert officer.post(f"{url}/reply", {"body": "Đã nhận"}).status_code == 201
    assert officer.post(f"{url}/note", {"body": "Ghi chú"}).status_code == 201
    _assert_429(officer.post(f"{url}/reply", {"body": "Lần nữa"}), "reply_rate_limited")
    assert ticket.events.filter(kind=TicketEvent.Kind.REPLY).count() == 1


def test_the_console_reply_says_how_long_to_wait(
    settings: Settings, personas: Personas, ticket: Ticket
) -> None:
    settings.RATE_LIMITS = {"reply.person": (1, HOUR)}
    officer = _client(personas.officer_a)
    url = reverse("console:ticket-action", args=[ticket.number, "reply"])
    assert officer.post(url, {"reply-body": "Đã nhận"}).status_code == 302
    refused = officer.post(url, {"reply-body": "Lần nữa"})
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "Có nhiều tin nhắn được gửi từ đây trong thời gian ngắn." in page
    assert WAIT_VI in page


def test_the_residents_reply_page_says_how_long_to_wait(
    settings: Settings, personas: Personas, ticket: Ticket
) -> None:
    settings.RATE_LIMITS = {"reply.person": (1, HOUR)}
    resident = _client(personas.resident)
    url = f"/cases/{ticket.number}/reply/"
    assert resident.post(url, {"reply-body": "Đèn vẫn tắt"}).status_code == 302
    refused = resident.post(url, {"reply-body": "Vẫn tắt"})
    assert refused.status_code == 429
    assert WAIT_VI in refused.content.decode()


# ---- "me too" ----------------------------------------------------------------------


def test_me_too_over_the_limit_is_429_over_the_api_and_a_sentence_on_the_page(
    settings: Settings, personas: Personas, commune_a: AdminUnit
) -> None:
    settings.RATE_LIMITS = {"support.person": (2, HOUR)}
    lat, lon = point_inside(commune_a)
    tickets = [
        case_submit(
            reporter=personas.resident,
            draft=CaseDraft(service_code="streetlight_out", lat=lat, lon=lon),
        ).ticket
        for _ in range(3)
    ]
    supporter = _client(personas.digital_team)
    for t in tickets[:2]:
        assert supporter.post(f"{API}/reports/public/{t.public_id}/support").status_code == 200
    _assert_429(
        supporter.post(f"{API}/reports/public/{tickets[2].public_id}/support"),
        "support_rate_limited",
    )
    page = supporter.post(reverse("reports:report-support", args=[tickets[2].public_id]))
    assert page.status_code == 429
    assert WAIT_VI in page.content.decode()
    assert CaseSupport.objects.count() == 2


# ---- the schema ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/api/v1/reports/cases", "post"),
        ("/api/v1/reports/public/{public_id}/support", "post"),
        ("/api/v1/helpdesk/cases/{number}/reply", "post"),
        ("/api/v1/helpdesk/cases/{number}/note", "post"),
        ("/api/v1/helpdesk/cases/{number}/resolve", "post"),
    ],
)
def test_the_schema_documents_429_with_retry_after(path: str, method: str) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    answer = schema["paths"][path][method]["responses"]["429"]
    assert answer["headers"]["Retry-After"]["schema"]["type"] == "integer"
    assert answer["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
