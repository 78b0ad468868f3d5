"""Hostile and malformed requests get a 4xx in the API's own shape, never a 5xx
or an HTML page (issue 11: each case here was a 500 or a bare answer once)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client
from pytest_django import Settings

from accounts.auth import api_token_create
from accounts.models import User
from config.api import api
from core.api_fields import JsonBody
from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.models import Attachment, Ticket
from tests import factories
from tests.conftest import Personas
from tests.factories import jpeg

pytestmark = pytest.mark.django_db
API = "/api/v1"


def _client(user: User, language: str = "vi") -> Client:
    return Client(
        headers={
            "authorization": f"Bearer {api_token_create(user=user)}",
            "accept-language": language,
        }
    )


@pytest.fixture
def ticket(personas: Personas, commune_a: AdminUnit) -> Ticket:
    return factories.case_file(
        reporter=personas.resident, commune=commune_a, service_code="streetlight_out"
    )


def _error(response: object) -> dict[str, object]:
    assert response["Content-Type"].startswith("application/json")  # type: ignore[index]
    body: dict[str, object] = response.json()  # type: ignore[attr-defined]
    assert set(body) >= {"code", "message"}
    assert body["message"]
    return body


def test_a_body_of_one_nul_byte_is_a_400_not_a_500(ticket: Ticket, personas: Personas) -> None:
    response = _client(personas.officer_a, "en").post(
        f"{API}/helpdesk/cases/{ticket.number}/reject", "\x00", content_type="application/json"
    )
    assert response.status_code == 400
    body = _error(response)
    assert body["code"] == "malformed_request"
    assert body["message"] == "The request could not be read. Please check it and try again."


def test_a_json_body_that_is_not_an_object_is_refused(ticket: Ticket, personas: Personas) -> None:
    response = _client(personas.officer_a).post(
        f"{API}/helpdesk/cases/{ticket.number}/accept",
        json.dumps("\u0004\u0010"),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert _error(response)["code"] == "invalid_input"
    ticket.refresh_from_db()
    assert ticket.status == "new"


def test_true_is_not_a_longitude(personas: Personas) -> None:
    response = Client().post(
        f"{API}/geo/lookup",
        json.dumps({"points": [{"lat": 0, "lon": False}]}),
        content_type="application/json",
    )
    assert response.status_code == 422


@pytest.mark.parametrize("path", ["helpdesk/cases/{number}/reply", "reports/cases"])
def test_multipart_without_a_boundary_is_a_400(
    ticket: Ticket, personas: Personas, path: str
) -> None:
    response = _client(personas.resident).post(
        f"{API}/{path.format(number=ticket.number)}", b"--x--", content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert _error(response)["code"] == "malformed_request"


def test_an_undeclared_method_is_a_405_with_allow(personas: Personas) -> None:
    response = Client(headers={"accept-language": "en"}).delete(f"{API}/helpdesk/services")
    assert response.status_code == 405
    assert _error(response)["code"] == "method_not_allowed"
    assert response["Allow"] == "GET"


def test_an_unknown_api_path_is_a_json_404() -> None:
    response = Client().get(f"{API}/no/such/thing")
    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"


@pytest.mark.parametrize(
    "query", [{"offset": "1091045375741306863616"}, {"limit": "100000000000"}, {"limit": "0"}]
)
def test_paging_past_any_real_list_is_a_422_not_a_500(
    personas: Personas, query: dict[str, str]
) -> None:
    response = _client(personas.officer_a).get(f"{API}/helpdesk/cases", query)
    assert response.status_code == 422
    assert _error(response)["code"] == "invalid_input"


def test_a_body_over_the_limit_is_a_413(personas: Personas, settings: Settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = _client(personas.resident, "en").post(
        f"{API}/auth/otp/request",
        json.dumps({"phone": "0912345678", "padding": "x" * 4096}),
        content_type="application/json",
    )
    assert response.status_code == 413
    body = _error(response)
    assert body["code"] == "request_too_large"


def test_approving_a_photo_whose_file_is_gone_is_a_409(
    ticket: Ticket, personas: Personas, settings: Settings, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    lifecycle.ticket_reply(ticket=ticket, by=personas.resident, body="Ảnh", photos=(jpeg(),))
    photo = Attachment.objects.get(ticket=ticket)
    (tmp_path / photo.display).unlink()
    response = _client(personas.officer_a).post(
        f"{API}/helpdesk/cases/{ticket.number}/photos/{photo.pk}/public",
        {"public": True},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert _error(response)["code"] == "photo_file_missing"
    photo.refresh_from_db()
    assert photo.public_approved_at is None
    assert not (tmp_path / "public").exists() or not any((tmp_path / "public").iterdir())


def test_every_operation_documents_its_error_answers() -> None:
    schema = api.get_openapi_schema()
    assert "Error" in schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            statuses = {str(status) for status in operation["responses"]}
            assert {"400", "403", "409", "422", "429", "503"} <= statuses, (method, path)
            if operation.get("security"):
                assert "401" in statuses, (method, path)
            if "{" in path:
                assert "404" in statuses, (method, path)
            if "requestBody" in operation:
                assert "413" in statuses, (method, path)


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("post", "reports/cases", {"service": "streetlight_out", "commune_code": "05\x00443"}),
        ("post", "reports/cases", {"service": "help_other", "description": "a\x00b"}),
        ("get", "kb/search", {"q": "vne\x00id"}),
        ("get", "reports/nearby", {"service": "x\x00", "lat": "21.5", "lon": "105.8"}),
    ],
)
def test_a_nul_character_anywhere_is_a_422_not_a_500(
    personas: Personas, method: str, path: str, data: dict[str, str]
) -> None:
    """PostgreSQL cannot store a NUL: it was a 500 in every text field."""
    response = getattr(_client(personas.resident), method)(f"{API}/{path}", data)
    assert response.status_code == 422
    assert _error(response)["code"] == "invalid_characters"
    assert not Ticket.objects.exists()


def test_a_nul_in_a_json_body_or_a_path_is_refused(ticket: Ticket, personas: Personas) -> None:
    client = _client(personas.officer_a)
    reply = client.post(
        f"{API}/helpdesk/cases/{ticket.number}/reject",
        json.dumps({"reason": "sai\x00"}),
        content_type="application/json",
    )
    assert (reply.status_code, _error(reply)["code"]) == (422, "invalid_characters")
    ticket.refresh_from_db()
    assert ticket.status == "new"
    path = client.get(f"{API}/helpdesk/cases/TN\x00-2026-00001")
    assert (path.status_code, _error(path)["code"]) == (400, "invalid_characters")


def test_a_lone_surrogate_in_a_json_body_is_refused(ticket: Ticket, personas: Personas) -> None:
    """JSON may escape half of a UTF-16 pair (\\ud800) that no UTF-8 text can
    hold: neither PostgreSQL nor a socket's frame can carry it. The scam check's
    text reached PostgreSQL with one: a 500."""
    client = _client(personas.officer_a)
    reply = client.post(
        f"{API}/helpdesk/cases/{ticket.number}/reject",
        '{"reason": "sai \\ud800"}',
        content_type="application/json",
    )
    # pydantic refuses it in this field's own check, before the body's.
    assert (reply.status_code, _error(reply)["code"]) == (422, "invalid_input")
    assert reply.json()["details"]["fields"][0]["field"] == "payload.reason"
    ticket.refresh_from_db()
    assert ticket.status == "new"
    scam = Client().post(
        f"{API}/scams/check",
        '{"text": "trung thuong \\udfff 0912345678"}',
        content_type="application/json",
    )
    assert (scam.status_code, _error(scam)["code"]) == (422, "invalid_characters")


def test_every_json_body_follows_the_shared_body_rules() -> None:
    """Every operation's JSON body is a JsonBody (an object, strict types, no NUL).

    The scam check's body was a plain Schema: a NUL in its province code
    reached PostgreSQL as a 500 (found by the fuzzer's stateful phase). A new
    operation cannot forget the rules unseen.
    """
    bodies = []
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                for model in operation.models:
                    if model.__ninja_param_source__ != "body":
                        continue
                    for field in model.model_fields.values():
                        bodies.append((prefix + path, field.annotation))
    assert len(bodies) >= 13
    plain = [(path, body) for path, body in bodies if not issubclass(body, JsonBody)]
    assert plain == []


def test_a_nul_in_the_scam_checks_province_is_refused() -> None:
    response = Client().post(
        f"{API}/scams/check",
        json.dumps({"text": "trung thuong 0912345678", "province": "19\x00"}),
        content_type="application/json",
    )
    assert (response.status_code, _error(response)["code"]) == (422, "invalid_characters")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/reports/cases", "/api/v1/helpdesk/cases/{number}/note"])
def test_photos_sent_as_text_are_refused_not_dropped(
    path: str, personas: Personas, commune_a: AdminUnit
) -> None:
    """A multipart part named "photos" without a filename is text: the case (or
    note) must not go on without the photos the client meant to send."""
    ticket = factories.case_file(reporter=personas.resident, commune=commune_a)
    author = personas.officer_a if "note" in path else personas.resident
    client = Client(headers={"authorization": f"Bearer {api_token_create(user=author)}"})
    lat, lon = factories.point_inside(commune_a)
    form = {
        "service": "road_damage",
        "lat": lat,
        "lon": lon,
        "body": "Đã xử lý",
        "photos": "-3.4e39",
    }
    events_before = ticket.events.count()
    response = client.post(path.format(number=ticket.number), form)
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "not_a_file"
    assert "Vui lòng chọn lại ảnh" in response.json()["message"]
    assert Ticket.objects.count() == 1
    assert ticket.events.count() == events_before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "log_in", "sentence"),
    [
        ("vi", "Vui lòng", "Vui lòng tải lại trang"),
        ("en", "Please log in", "Please reload it"),
    ],
)
def test_a_session_post_without_its_csrf_token_says_what_to_do(
    ticket: Ticket, personas: Personas, language: str, log_in: str, sentence: str
) -> None:
    """ninja answered both with 403 "CSRF check Failed": English only, code
    http_error, and to someone not logged in at all (a probe of make run)."""
    url = f"/api/v1/reports/public/{ticket.public_id}/support"
    headers = {"Accept-Language": language}
    nobody = Client(enforce_csrf_checks=True, headers=headers).post(url)
    assert (nobody.status_code, nobody.json()["code"]) == (401, "not_authenticated")
    assert nobody.json()["message"].startswith(log_in)
    page = Client(enforce_csrf_checks=True, headers=headers)
    page.force_login(personas.digital_team)
    stale = page.post(url)
    assert (stale.status_code, stale.json()["code"]) == (403, "csrf_failed")
    assert sentence in stale.json()["message"]
    assert not ticket.supports.exists()
    # With the page's token it goes through.
    page.get("/")
    token = page.cookies["csrftoken"].value
    assert page.post(url, headers={"X-CSRFToken": token}).status_code == 200
