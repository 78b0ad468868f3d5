"""The intake API for mobile clients: multipart filing, retries, nearby, me too, public map."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django import Settings

from accounts.auth import api_token_create
from accounts.models import User
from geo.models import AdminUnit
from helpdesk.attachments import attachment_approve_public
from helpdesk.models import Attachment, CaseSupport, Ticket
from helpdesk.public_view import public_point
from tests.conftest import Personas
from tests.factories import jpeg, nearby_distance_m, point_inside

API = "/api/v1/reports"


@pytest.fixture(autouse=True)
def media(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _file(client: Client, **fields: Any) -> tuple[int, Any]:
    headers = {}
    key = fields.pop("key", None)
    if key:
        headers["Idempotency-Key"] = str(key)
    response = client.post(f"{API}/cases", fields, headers=headers)
    return response.status_code, response.json()


@pytest.mark.django_db
def test_mobile_client_files_with_a_token_and_a_retry_gets_the_same_case(
    personas: Personas, commune_a: AdminUnit
) -> None:
    token = api_token_create(user=personas.resident)
    client = Client(headers={"authorization": f"Bearer {token}"})
    lat, lon = point_inside(commune_a)

    def send() -> tuple[int, Any]:
        photo = _upload(jpeg())
        return _file(
            client, service="road_damage", lat=lat, lon=lon, photos=photo, key="k-12345678"
        )

    status, body = send()
    assert status == 201
    case = body["case"]
    assert isinstance(case, dict)
    assert case["commune"]["code"] == commune_a.code
    assert case["department"]
    assert body["expected_response"]
    status_again, again = send()
    assert status_again == 200
    assert again["replayed"] is True
    assert again["case"]["number"] == case["number"]
    assert Ticket.objects.count() == 1
    assert Attachment.objects.count() == 1


def _upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("photo.jpg", data, content_type="image/jpeg")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"service": "streetlight_out", "lat": 200, "lon": 105.8}, 422, "invalid_coordinates"),
        ({"service": "streetlight_out", "lat": 19.88, "lon": 102.13}, 422, "outside_coverage"),
        ({"service": "road_damage", "lat": 21.6, "lon": 105.8}, 422, "photo_required"),
        ({"service": "nope", "lat": 21.6, "lon": 105.8}, 422, "unknown_service"),
        ({"service": "help_other", "commune_code": "05443"}, 422, "description_required"),
    ],
)
def test_bad_filings_are_4xx_with_a_code_and_a_sentence(
    personas: Personas, fields: dict[str, object], status: int, code: str
) -> None:
    got, body = _file(_client(personas.resident), **fields)
    assert (got, body["code"]) == (status, code)
    assert body["message"]
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_six_photos_are_refused(personas: Personas, commune_a: AdminUnit) -> None:
    lat, lon = point_inside(commune_a)
    photos = [_upload(jpeg()) for _ in range(6)]
    status, body = _file(
        _client(personas.resident), service="road_damage", lat=lat, lon=lon, photos=photos
    )
    assert (status, body["code"]) == (422, "too_many_photos")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (b"hello, I am text", "photo_not_an_image"),
        (jpeg()[:400], "photo_not_an_image"),
    ],
)
def test_broken_photos_are_refused_and_nothing_saved(
    personas: Personas, commune_a: AdminUnit, media: Path, payload: bytes, code: str
) -> None:
    lat, lon = point_inside(commune_a)
    status, body = _file(
        _client(personas.resident),
        service="road_damage",
        lat=lat,
        lon=lon,
        photos=[_upload(jpeg()), _upload(payload)],
    )
    assert (status, body["code"]) == (422, code)
    assert not Ticket.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]


@pytest.mark.django_db
def test_filing_needs_a_login() -> None:
    status, body = _file(Client(), service="streetlight_out", lat=21.6, lon=105.8)
    assert (status, body["code"]) == (401, "not_authenticated")


@pytest.mark.django_db
def test_nearby_shows_open_reports_of_the_same_service_within_250_m(
    personas: Personas, commune_a: AdminUnit
) -> None:
    lat, lon = point_inside(commune_a)
    resident = _client(personas.resident)
    _status, filed = _file(resident, service="streetlight_out", lat=lat, lon=lon)
    _file(resident, service="streetlight_out", lat=lat + 0.004, lon=lon)  # ~440 m north
    _file(resident, service="illegal_dumping", lat=lat, lon=lon)
    near = (
        Client()
        .get(
            f"{API}/nearby",
            {"service": "streetlight_out", "lat": f"{lat + 0.001}", "lon": f"{lon}"},
        )
        .json()
    )
    assert len(near) == 1
    # 111 m from the exact point, measured to its 100 m public cell in 50 m steps.
    ticket = Ticket.objects.get(number=filed["case"]["number"])
    shown = public_point(service=ticket.service, point=ticket.location)
    assert shown is not None
    assert near[0]["distance_m"] == nearby_distance_m(
        lat=lat + 0.001, lon=lon, to_lat=shown.y, to_lon=shown.x
    )
    assert "reporter" not in near[0]
    assert "number" not in near[0]


@pytest.mark.django_db
def test_nearby_shows_the_masked_words_and_the_approved_photo_only(
    personas: Personas, commune_a: AdminUnit, media: Path
) -> None:
    """To tell "is it the same problem?" a resident had only a distance and a
    date (a helper on a phone). Now the words and the photo the public page
    shows: the reporter's name and phone masked, unapproved photos left out."""
    lat, lon = point_inside(commune_a)
    words = (
        "Ổ gà rất sâu trước nhà Nguyễn Thị Lan, gọi 0981 234 567 nếu cần. "
        + "Xe máy ngã hai lần tuần này, trời mưa thì nước đọng kín cả mặt đường, "
        + "không nhìn thấy hố."
    )
    _file(
        _client(personas.resident),
        service="road_damage",
        lat=lat,
        lon=lon,
        description=words,
        photos=[_upload(jpeg()), _upload(jpeg(color="green"))],
    )
    first, second = Attachment.objects.order_by("position")
    query = {"service": "road_damage", "lat": f"{lat}", "lon": f"{lon}"}
    (row,) = Client().get(f"{API}/nearby", query).json()
    assert row["photo"] is None  # nothing approved yet
    summary = row["summary"]
    assert summary.startswith("Ổ gà rất sâu trước nhà ")
    for hidden in ("Lan", "0981", "567"):
        assert hidden not in summary
    assert len(summary) == 120
    assert summary.endswith("…")

    attachment_approve_public(attachment=second, by=personas.officer_a)
    (row,) = Client().get(f"{API}/nearby", query).json()
    second.refresh_from_db()
    assert second.public_thumbnail
    assert second.public_thumbnail in row["photo"]
    attachment_approve_public(attachment=first, by=personas.officer_a)
    first.refresh_from_db()
    (row,) = Client().get(f"{API}/nearby", query).json()
    assert first.public_thumbnail in row["photo"]  # the first photo, once approved


@pytest.mark.django_db
def test_me_too_counts_once_and_lets_the_supporter_follow_the_case(
    personas: Personas, commune_a: AdminUnit
) -> None:
    lat, lon = point_inside(commune_a)
    _, body = _file(_client(personas.resident), service="streetlight_out", lat=lat, lon=lon)
    public_id = body["case"]["public_id"]
    supporter = _client(personas.digital_team)
    assert supporter.post(f"{API}/public/{public_id}/support").json()["supporters"] == 1
    assert supporter.post(f"{API}/public/{public_id}/support").json()["supporters"] == 1
    assert CaseSupport.objects.count() == 1
    assert supporter.get(f"{API}/public/{public_id}").status_code == 200
    own = _client(personas.resident).post(f"{API}/public/{public_id}/support")
    assert (own.status_code, own.json()["code"]) == (409, "cannot_support")


@pytest.mark.django_db
def test_public_map_never_shows_identity_or_unapproved_photos(
    personas: Personas, commune_a: AdminUnit
) -> None:
    lat, lon = point_inside(commune_a)
    _file(
        _client(personas.resident),
        service="road_damage",
        lat=lat,
        lon=lon,
        photos=[_upload(jpeg()), _upload(jpeg(color="green"))],
    )
    first, second = Attachment.objects.order_by("position")
    attachment_approve_public(attachment=first, by=personas.officer_a)
    body = Client().get(f"{API}/public").content.decode()
    assert personas.resident.phone not in body
    assert personas.resident.full_name not in body
    assert first.public_thumbnail in body
    assert first.thumbnail not in body
    assert second.thumbnail not in body
