"""Body size caps: nginx and Django agree, and a body over a limit gets a 413
with the stable code and a sentence in the request's language, from the API
as JSON and from the web forms as a page, never a 500 or a bare 400."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django import Settings

from geo.models import AdminUnit
from helpdesk.attachments import MAX_PHOTOS
from helpdesk.models import Ticket
from helpdesk.photos import MAX_BYTES
from tests.conftest import Personas
from tests.factories import jpeg, point_inside

ROOT = Path(__file__).resolve().parents[1]
MIB = 1024 * 1024


@pytest.fixture(autouse=True)
def media(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.parametrize("conf", ["scripts/nginx.conf.in", "docker/nginx.conf"])
def test_nginx_and_django_cap_the_body_at_the_same_size(conf: str) -> None:
    caps = re.findall(r"client_max_body_size (\d+)m;", (ROOT / conf).read_text())
    assert [int(cap) * MIB for cap in caps] == [settings.MAX_REQUEST_BODY_BYTES]
    # Five photos at the limit fit, with room for the form around them.
    assert settings.MAX_REQUEST_BODY_BYTES >= MAX_PHOTOS * MAX_BYTES + MIB
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES > MAX_PHOTOS


def _resident(personas: Personas, language: str = "vi") -> Client:
    client = Client(headers={"accept-language": language}, raise_request_exception=False)
    client.force_login(personas.resident)
    return client


def _fields(commune: AdminUnit, photos: list[SimpleUploadedFile]) -> dict[str, object]:
    lat, lon = point_inside(commune)
    return {"service": "road_damage", "lat": lat, "lon": lon, "photos": photos}


def _photo(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("photo.jpg", data, content_type="image/jpeg")


FIFTY_MB = b"\xff\xd8\xff\xe0" + bytes(50 * MIB)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "sentence"),
    [("vi", "nhỏ hơn 15 MB"), ("en", "smaller than 15 MB")],
)
def test_a_50_mb_photo_gets_413_from_the_api_in_the_request_language(
    personas: Personas, commune_a: AdminUnit, language: str, sentence: str
) -> None:
    response = _resident(personas, language).post(
        "/api/v1/reports/cases", _fields(commune_a, [_photo(FIFTY_MB)])
    )
    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "request_too_large"
    assert sentence in body["message"]
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_a_50_mb_photo_gets_a_sentence_from_the_report_form(
    personas: Personas, commune_a: AdminUnit, media: Path
) -> None:
    response = _resident(personas, "en").post(
        "/report/new/", _fields(commune_a, [_photo(FIFTY_MB)])
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert 'id="form-error"' in page
    assert "smaller than 15 MB" in page
    assert "Traceback" not in page
    assert not Ticket.objects.exists()
    assert not [path for path in media.rglob("*") if path.is_file()]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/reports/cases", "/report/new/"])
def test_eleven_files_get_413_and_six_get_the_five_photo_sentence(
    personas: Personas, commune_a: AdminUnit, url: str
) -> None:
    client = _resident(personas, "en")
    eleven = client.post(url, _fields(commune_a, [_photo(b"x") for _ in range(11)]))
    six = client.post(url, _fields(commune_a, [_photo(jpeg()) for _ in range(6)]))

    assert eleven.status_code == 413
    assert six.status_code == 422
    if url.startswith("/api/"):
        assert eleven.json()["code"] == "request_too_large"
        assert six.json()["code"] == "too_many_photos"
    else:
        assert "What was sent is too large" in eleven.content.decode()
        assert "at most 5 photos" in six.content.decode()
    assert not Ticket.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/reports/cases", "/console/cases/TN-2026-00001/note/"])
def test_too_many_fields_get_413_not_a_bare_400(personas: Personas, url: str) -> None:
    client = _resident(personas, "en")
    fields = {f"field{index}": "x" for index in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = client.post(url, fields)
    assert response.status_code == 413
    assert "What was sent is too large" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "kind"), [("/api/v1/reports/cases", "application/json"), ("/report/new/", "text/html")]
)
def test_a_body_over_the_total_cap_gets_413_before_it_is_read(
    personas: Personas, commune_a: AdminUnit, settings: Settings, url: str, kind: str
) -> None:
    settings.MAX_REQUEST_BODY_BYTES = 100_000  # a cap the test can pass cheaply
    response = _resident(personas).post(url, _fields(commune_a, [_photo(bytes(200_000))]))
    assert response.status_code == 413
    assert response["Content-Type"].startswith(kind)
    text = response.json()["message"] if kind == "application/json" else response.content.decode()
    assert "Dữ liệu gửi lên quá lớn" in text


@pytest.mark.django_db
def test_a_cut_off_multipart_body_is_a_400_with_a_sentence(personas: Personas) -> None:
    response = _resident(personas, "en").post(
        "/report/new/",
        b"--b\r\nContent-Disposition: form-data; name=",
        content_type="multipart/form-data",  # no boundary
    )
    assert response.status_code == 400
    assert "could not be read" in response.content.decode()
