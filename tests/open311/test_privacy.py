"""What Open311 readers never see: contact fields, names, numbers, unapproved photos."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.attachments import attachment_approve_public
from helpdesk.models import Ticket
from open311.keys import client_issue
from open311.models import ClientFiling
from tests import factories
from tests.conftest import Personas
from tests.open311.conftest import BASE, App, errors, file_request

pytestmark = pytest.mark.django_db

CONTACT: dict[str, Any] = {
    "email": "lan.nguyen@example.vn",
    "phone": "0912 345 678",
    "first_name": "Lan",
    "last_name": "Nguyễn Thị",
    "device_id": "device-SECRET-42",
    "account_id": "account-SECRET-7",
}


def _every_reading(public_id: str, token: str, *, key: str | None = None) -> list[str]:
    """The bodies of every GET that can show the case, in both formats."""
    query = {"api_key": key} if key else {}
    bodies = []
    for fmt in ("json", "xml"):
        for path in (
            f"requests.{fmt}",
            f"requests/{public_id}.{fmt}",
            f"tokens/{token}.{fmt}",
            f"servicerequestupdates.{fmt}",
        ):
            response = Client().get(f"{BASE}/{path}", query)
            assert response.status_code == 200, path
            bodies.append(response.content.decode())
    return bodies


def test_contact_fields_go_in_and_never_come_out(
    app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    response = file_request(
        app,
        commune_a,
        description="Gọi Nguyễn Thị Lan 0987 654 321 hoặc lan@example.vn, nhà số 12",
        **CONTACT,
    )
    assert response.status_code == 201
    body = response.json()[0]
    stored = ClientFiling.objects.get()
    assert {name: getattr(stored, name) for name in CONTACT} == CONTACT
    ticket = Ticket.objects.get()
    lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    lifecycle.ticket_reply(
        ticket=ticket, by=personas.officer_a, body="Chào Nguyễn Thị Lan, số 0987654321 đã nhận"
    )
    hidden = [
        *CONTACT.values(),
        "Nguyễn Thị Lan",
        "0987 654 321",
        "0987654321",
        "lan@example.vn",
        "nhà số 12",
        app.operator.full_name,
        app.operator.phone,
        personas.officer_a.full_name,
        ticket.number,
    ]
    for key in (None, app.key):
        for text in _every_reading(body["service_request_id"], stored.token, key=key):
            assert body["service_request_id"] in text
            found = [value for value in hidden if value in text]
            assert found == [], found


def test_only_officer_approved_photos_are_media_urls(
    app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    lat, lon = factories.point_inside(commune_a)
    upload = SimpleUploadedFile("p.jpg", factories.jpeg(), content_type="image/jpeg")
    filed = Client().post(
        f"{BASE}/requests.json",
        {
            "api_key": app.key,
            "service_code": "road_damage",
            "lat": lat,
            "long": lon,
            "media": upload,
        },
    )
    assert filed.status_code == 201
    public_id = filed.json()[0]["service_request_id"]
    (photo,) = Ticket.objects.get().attachments.all()

    def media_url() -> Any:
        (body,) = Client().get(f"{BASE}/requests/{public_id}.json").json()
        return body["media_url"]

    assert media_url() == ""
    attachment_approve_public(attachment=photo, by=personas.officer_a)
    photo.refresh_from_db()
    url = media_url()
    assert url == f"http://testserver/media/{photo.public_display}"
    assert photo.display not in url
    attachment_approve_public(attachment=photo, by=personas.officer_a, approved=False)
    assert media_url() == ""


def test_cases_outside_the_public_view_are_read_only_by_the_app_that_filed_them(
    app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    asked = file_request(
        app,
        commune_a,
        service_code="help_other",
        description="Hỏi thủ tục",
        lat=None,
        long=None,
        address_string="Tổ 3",
    )
    assert asked.status_code == 201
    public_id = asked.json()[0]["service_request_id"]
    other = client_issue(name="Other app", account=factories.user_create())
    assert Client().get(f"{BASE}/requests/{public_id}.json").status_code == 404
    assert (
        Client().get(f"{BASE}/requests/{public_id}.json", {"api_key": other.key}).status_code == 404
    )
    mine = Client().get(f"{BASE}/requests/{public_id}.json", {"api_key": app.key})
    assert mine.status_code == 200
    assert mine.json()[0]["status"] == "open"
    listed = Client().get(f"{BASE}/requests.json", {"api_key": app.key}).json()
    assert [r["service_request_id"] for r in listed] == [public_id]
    assert Client().get(f"{BASE}/requests.json").json() == []


def test_a_rejected_report_leaves_the_public_view_but_not_its_app(
    app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    public_id = file_request(app, commune_a).json()[0]["service_request_id"]
    lifecycle.ticket_reject(ticket=Ticket.objects.get(), by=personas.officer_a, reason="Sai chỗ")
    assert Client().get(f"{BASE}/requests/{public_id}.json").status_code == 404
    (body,) = Client().get(f"{BASE}/requests/{public_id}.json", {"api_key": app.key}).json()
    assert (body["status"], body["external_status_code"]) == ("closed", "rejected")


def test_list_endpoints_read_a_fixed_number_of_queries(
    app: App, personas: Personas, commune_a: AdminUnit, django_assert_num_queries: Any
) -> None:
    for n in range(3):
        file_request(app, commune_a, description=f"Den {n}", first_name="A", last_name=f"B {n}")
    for ticket in Ticket.objects.all():
        lifecycle.ticket_reply(ticket=ticket, by=personas.officer_a, body="Đã nhận")
    # requests: the cases (with service, place, department, reporter, filing),
    # their approved photos, the residents' names filed for.
    with django_assert_num_queries(3):
        assert len(Client().get(f"{BASE}/requests.json").json()) == 3
    # updates: the events (with their cases), their approved photos, the names.
    with django_assert_num_queries(3):
        assert len(Client().get(f"{BASE}/servicerequestupdates.json").json()) == 3


def test_names_given_to_an_application_are_hidden_on_every_public_surface(
    app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    """Open311 hid the names a person gave the application; the public page, its
    API, the nearby list and a "me too" follower's inbox showed them (a probe
    of make run): those read the case, which now carries them."""
    from notifications.models import Notification

    response = file_request(
        app,
        commune_a,
        description="Đèn tắt trước nhà Đinh Thị Xuân (dinh thi xuan), XUÂN ĐINH THỊ báo",
        first_name="Xuân",
        last_name="Đinh Thị",
    )
    assert response.status_code == 201
    ticket = Ticket.objects.get()
    assert ticket.filer_names == ["Xuân Đinh Thị", "Đinh Thị Xuân"]
    supporter = Client()
    supporter.force_login(personas.digital_team)
    public = f"/api/v1/reports/public/{ticket.public_id}"
    assert supporter.post(f"{public}/support").status_code == 200
    lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    lifecycle.ticket_reply(
        ticket=ticket, by=personas.officer_a, body="Đã liên hệ Đinh Thị Xuân, sẽ sửa trong tuần"
    )
    assert ticket.location is not None
    lat, lon = f"{ticket.location.y:.6f}", f"{ticket.location.x:.6f}"
    readings = {
        "public API": json.dumps(Client().get(public).json(), ensure_ascii=False),
        "public page": Client().get(f"/reports/{ticket.public_id}/").content.decode(),
        "nearby": json.dumps(
            Client()
            .get("/api/v1/reports/nearby", {"service": "streetlight_out", "lat": lat, "lon": lon})
            .json(),
            ensure_ascii=False,
        ),
        "follower's inbox": " ".join(
            f"{n.title} {n.body}"
            for n in Notification.objects.filter(recipient=personas.digital_team)
        ),
    }
    assert "Đèn tắt trước nhà" in readings["public API"]
    assert "Đèn tắt trước nhà" in readings["nearby"]
    assert "sẽ sửa trong tuần" in readings["follower's inbox"]
    for where, body in readings.items():
        for name in ("Xuân", "Xuan", "XUÂN", "xuan"):
            assert name not in body, (where, name)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_reused_idempotency_key_names_the_request_by_its_id_never_its_case_number(
    fmt: str, app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    """The case core's sentence names the case number, which its resident may
    read; an Open311 client is told the service_request_id it already has."""
    headers = {"Idempotency-Key": "open311-clash-0001"}
    first = file_request(app, commune_a, headers=headers)
    assert first.status_code == 201
    public_id = first.json()[0]["service_request_id"]
    number = Ticket.objects.get().number
    for language, sentence in (
        (
            "en",
            f"This Idempotency-Key was already used for service request {public_id}, with a "
            "different content. Send a new key to file another request.",
        ),
        (
            "vi",
            f"Idempotency-Key này đã được dùng cho yêu cầu {public_id} với nội dung khác. "
            "Hãy dùng một khóa mới để gửi yêu cầu khác.",
        ),
    ):
        clash = file_request(
            app,
            commune_a,
            fmt=fmt,
            description="Noi dung khac",
            headers={**headers, "Accept-Language": language},
        )
        assert clash.status_code == 409
        assert errors(clash, fmt) == [(409, sentence)]
        assert number not in clash.content.decode()
    assert Ticket.objects.count() == 1
