"""A refusal of the case core is shown beside the field it is about, in the API
(``details.fields``) and on the plain form (no script)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from pytest_django import Settings

from geo.models import AdminUnit
from helpdesk.models import Ticket
from tests.conftest import Personas
from tests.factories import point_inside

FORM_FIELDS = {
    "service": "streetlight_out",
    "description": "Đèn đường tắt cả tuần",
    "idempotency_key": "refusal-key-0001",
    "action": "submit",
}


@pytest.fixture(autouse=True)
def media(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _api(client: Client, **fields: Any) -> tuple[int, dict[str, Any]]:
    response = client.post(
        "/api/v1/reports/cases", fields, headers={"Idempotency-Key": "k-refuse-1"}
    )
    return response.status_code, response.json()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("proxy", "code", "field", "words"),
    [
        (
            {"on_behalf_name": "Bà Triệu Thị Mến"},
            "proxy_details_missing",
            "consent",
            "Chọn cách người dân đồng ý",
        ),
        ({"consent": "spoken"}, "proxy_details_missing", "on_behalf_name", "Ghi tên người dân"),
        (
            {"on_behalf_name": "Bà Mến", "consent": "spoken", "on_behalf_phone": "0208 385 1234"},
            "invalid_phone",
            "on_behalf_phone",
            "không phải số di động",
        ),
    ],
)
def test_api_names_the_proxy_field_it_refused(
    personas: Personas,
    commune_b: AdminUnit,
    proxy: dict[str, str],
    code: str,
    field: str,
    words: str,
) -> None:
    client = Client()
    client.force_login(personas.digital_team)
    lat, lon = point_inside(commune_b)
    status, body = _api(client, service="streetlight_out", lat=lat, lon=lon, **proxy)
    assert status == 422
    assert body["code"] == code
    assert body["details"]["fields"] == [{"field": field, "problem": body["message"]}]
    assert words in body["message"]
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_api_names_the_place_and_the_photos(personas: Personas, commune_a: AdminUnit) -> None:
    client = Client()
    client.force_login(personas.resident)
    status, body = _api(client, service="streetlight_out", description="Đèn tắt")
    assert (status, body["code"]) == (422, "location_required")
    assert body["details"]["fields"][0]["field"] == "lat"
    lat, lon = point_inside(commune_a)
    status, body = _api(client, service="road_damage", lat=lat, lon=lon)
    assert (status, body["code"]) == (422, "photo_required")
    assert body["details"]["fields"][0]["field"] == "photos"
    status, body = _api(client, service="streetlight_out", lat="95", lon=lon)
    assert (status, body["code"]) == (422, "invalid_coordinates")
    assert body["details"]["fields"][0]["field"] == "lat"


def _error_list_after(page: str, element_id: str) -> str:
    """The text of the first error element after the element with ``element_id``."""
    start = page.index(f'id="{element_id}"')
    match = re.search(r'class="(?:errorlist|error)"[^>]*>(.*?)</(?:ul|p)>', page[start:], re.S)
    assert match, f"no error after #{element_id}"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


@pytest.mark.django_db
def test_plain_form_puts_the_consent_refusal_at_the_consent_answer(
    personas: Personas, commune_b: AdminUnit
) -> None:
    client = Client()
    client.force_login(personas.digital_team)
    lat, lon = point_inside(commune_b)
    fields = {**FORM_FIELDS, "lat": lat, "lon": lon, "on_behalf_name": "Bà Triệu Thị Mến"}
    response = client.post("/report/new/", fields)
    assert response.status_code == 422
    page = response.content.decode()
    sentence = "Chọn cách người dân đồng ý gửi phản ánh này."
    # At the top, a link to the answer; the sentence itself beside the radios.
    assert f'<a href="#id_consent">{sentence}</a>' in page
    assert _error_list_after(page, "id_consent") == sentence
    # The name typed stays, and nothing was filed.
    assert 'value="Bà Triệu Thị Mến"' in page
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_plain_form_puts_a_missing_place_in_the_place_step(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.resident)
    response = client.post("/report/new/", FORM_FIELDS)
    assert response.status_code == 422
    page = response.content.decode()
    sentence = "Vui lòng đánh dấu vị trí trên bản đồ hoặc chọn xã/phường của bạn."
    assert f'<a href="#place">{sentence}</a>' in page
    assert 'aria-describedby="place-error"' in page
    assert _error_list_after(page, "place") == sentence


@pytest.mark.django_db
def test_plain_form_puts_a_missing_photo_under_the_photo_input(
    personas: Personas, commune_a: AdminUnit
) -> None:
    client = Client()
    client.force_login(personas.resident)
    lat, lon = point_inside(commune_a)
    fields = {**FORM_FIELDS, "service": "road_damage", "lat": lat, "lon": lon}
    response = client.post("/report/new/", fields)
    assert response.status_code == 422
    page = response.content.decode()
    assert '<a href="#photos">' in page
    assert 'aria-describedby="photos-error"' in page
    assert _error_list_after(page, "photos").startswith("Vui lòng thêm ít nhất một ảnh")


@pytest.mark.django_db
def test_every_refused_input_is_named_at_once(personas: Personas, commune_b: AdminUnit) -> None:
    """A phone walk learnt its mistakes one send at a time: no photo, then
    no place; consent, then the phone. Each cost a round trip on a weak
    signal. The answer is the first refusal's, with every input listed."""
    client = Client()
    client.force_login(personas.resident)
    status, body = _api(client, service="road_damage")
    assert (status, body["code"]) == (422, "photo_required")
    assert body["message"].startswith("Vui lòng thêm ít nhất một ảnh")
    assert [item["field"] for item in body["details"]["fields"]] == ["photos", "lat"]
    assert body["details"]["fields"][0]["problem"] == body["message"]
    assert body["details"]["fields"][1]["problem"].startswith("Vui lòng đánh dấu vị trí")

    team = Client()
    team.force_login(personas.digital_team)
    lat, lon = point_inside(commune_b)
    status, body = _api(
        team, service="streetlight_out", lat=lat, lon=lon, description="", on_behalf_phone="0912 34"
    )
    assert (status, body.get("code")) == (422, "proxy_details_missing"), body
    assert [item["field"] for item in body["details"]["fields"]] == [
        "on_behalf_name",
        "consent",
        "on_behalf_phone",
    ]
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_plain_form_marks_every_refused_input(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.resident)
    fields = {**FORM_FIELDS, "service": "road_damage"}
    response = client.post("/report/new/", fields)
    assert response.status_code == 422
    page = response.content.decode()
    # The top line links to the first; each input has its own sentence.
    assert '<a href="#photos">Vui lòng thêm ít nhất một ảnh' in page
    assert _error_list_after(page, "photos").startswith("Vui lòng thêm ít nhất một ảnh")
    assert _error_list_after(page, "place").startswith("Vui lòng đánh dấu vị trí")
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_a_refusal_about_no_input_keeps_the_first_refusals_code(
    personas: Personas, commune_a: AdminUnit
) -> None:
    """A second read: a resident (no team member) sending a road report with
    no photo and a resident's name got 403 not_digital_team instead of the
    photo refusal the first check gives. And half a point is refused once."""
    client = Client()
    client.force_login(personas.resident)
    lat, lon = point_inside(commune_a)
    status, body = _api(client, service="road_damage", lat=lat, lon=lon, on_behalf_name="Bà Mến")
    assert (status, body["code"]) == (422, "photo_required")
    assert [item["field"] for item in body["details"]["fields"]] == ["photos"]
    status, body = _api(client, service="streetlight_out", description="Đèn tắt", lon=lon)
    assert (status, body["code"]) == (422, "location_required")
    assert [item["field"] for item in body["details"]["fields"]] == ["lat"]
