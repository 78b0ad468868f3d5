"""Report photos in an S3 bucket: filing, the worker, private fetches, public copies, failures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django import Settings

from accounts.auth import api_token_create
from accounts.models import User
from geo.models import AdminUnit
from helpdesk.attachments import attachment_approve_public
from helpdesk.models import Attachment, Ticket
from helpdesk.photo_jobs import photo_jobs_process
from helpdesk.photo_publishing import photo_public_url
from tests.conftest import Personas
from tests.factories import jpeg, point_inside
from tests.helpdesk.test_photos import assert_no_metadata
from tests.s3_server import Bucket, http_get

pytestmark = pytest.mark.django_db


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _upload(data: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def _file_by_api(personas: Personas, commune: AdminUnit, **extra: Any) -> Any:
    lat, lon = point_inside(commune)
    token = api_token_create(user=personas.resident)
    client = Client(headers={"authorization": f"Bearer {token}"})
    fields = {"service": "road_damage", "lat": lat, "lon": lon, **extra}
    return client.post("/api/v1/reports/cases", fields)


def _photo(personas: Personas, commune: AdminUnit) -> Attachment:
    response = _file_by_api(personas, commune, photos=_upload(jpeg()))
    assert response.status_code == 201, response.content
    return Attachment.objects.get()


def test_a_photo_filed_through_the_api_lands_in_the_bucket_private(
    bucket: Bucket, personas: Personas, commune_a: AdminUnit
) -> None:
    photo = _photo(personas, commune_a)
    assert bucket.names() == sorted([photo.display, photo.thumbnail])
    assert photo.display.startswith("photos/")
    assert_no_metadata(bucket.body(photo.display))
    # Nobody reads an object of the bucket without a signature: moto enforces
    # the private ACL on anonymous requests (403).
    for name in (photo.display, photo.thumbnail):
        status, _, _ = http_get(bucket.plain_url(name))
        assert status == 403


def test_a_photo_filed_through_the_form_lands_in_the_bucket(
    bucket: Bucket, personas: Personas, commune_a: AdminUnit
) -> None:
    lat, lon = point_inside(commune_a)
    response = _client(personas.resident).post(
        "/report/new/",
        {
            "service": "road_damage",
            "description": "Ổ gà sâu",
            "lat": lat,
            "lon": lon,
            "idempotency_key": "s3-form-00001",
            "photos": _upload(jpeg(color="green")),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    photo = Attachment.objects.get()
    assert bucket.names() == sorted([photo.display, photo.thumbnail])


@pytest.mark.parametrize("name", ["resident", "officer_a"])
def test_reporter_and_officer_get_a_short_lived_signed_address_that_serves_the_photo(
    bucket: Bucket, personas: Personas, commune_a: AdminUnit, settings: Settings, name: str
) -> None:
    # nginx's internal location is never used with a bucket, even when set.
    settings.MEDIA_ACCEL_REDIRECT = "/_media/"
    photo = _photo(personas, commune_a)
    response = _client(getattr(personas, name)).get(f"/photos/{photo.pk}/display/")
    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    assert "X-Accel-Redirect" not in response
    location = response["Location"]
    assert location.startswith(f"{bucket.endpoint}/{bucket.name}/{photo.display}?")
    query = parse_qs(urlsplit(location).query)
    assert query["X-Amz-Expires"] == ["300"]
    assert "X-Amz-Signature" in query
    status, body, headers = http_get(location)
    assert status == 200
    assert body == bucket.body(photo.display)
    assert headers["Content-Type"] == "image/jpeg"


@pytest.mark.parametrize("name", ["anonymous", "digital_team", "officer_b"])
def test_a_stranger_gets_no_address_at_all(
    bucket: Bucket, personas: Personas, commune_a: AdminUnit, name: str
) -> None:
    photo = _photo(personas, commune_a)
    user = None if name == "anonymous" else getattr(personas, name)
    response = _client(user).get(f"/photos/{photo.pk}/thumbnail/")
    assert response.status_code == 404
    assert "Location" not in response
    assert bucket.name not in response.content.decode()


def test_signed_mode_gives_public_copies_by_signed_address_only(
    bucket: Bucket, personas: Personas, commune_a: AdminUnit
) -> None:
    photo = _photo(personas, commune_a)
    attachment_approve_public(attachment=photo, by=personas.officer_a)
    photo.refresh_from_db()
    # Pages and Open311 keep the address: it is the app's own, and lasts.
    url = photo_public_url(attachment=photo)
    assert url == f"/photos/{photo.pk}/public/thumbnail/"
    fetched = Client().get(url)
    assert fetched.status_code == 302
    assert fetched["Cache-Control"] == "public, max-age=60"
    location = fetched["Location"]
    assert "X-Amz-Signature" in parse_qs(urlsplit(location).query)
    assert location.startswith(f"{bucket.endpoint}/{bucket.name}/{photo.public_thumbnail}?")
    status, body, _ = http_get(location)
    assert status == 200
    assert body == bucket.body(photo.public_thumbnail)
    assert http_get(bucket.plain_url(photo.public_thumbnail))[0] == 403
    # The public map API hands out the same lasting address.
    public = Client().get("/api/v1/reports/public").content.decode()
    assert url in public
    # Never a signature for what is not a public copy: a bad size, no such
    # photo, and the photo once its approval is withdrawn.
    attachment_approve_public(attachment=photo, by=personas.officer_a, approved=False)
    for path in (
        f"/photos/{photo.pk}/public/x/",
        f"/photos/{photo.pk + 999}/public/thumbnail/",
        url,
    ):
        refused = Client().get(path)
        assert refused.status_code == 404, path
        assert "Location" not in refused


def test_public_read_mode_publishes_only_the_approved_copies(
    public_read_bucket: Bucket, personas: Personas, commune_a: AdminUnit
) -> None:
    bucket = public_read_bucket
    photo = _photo(personas, commune_a)
    attachment_approve_public(attachment=photo, by=personas.officer_a)
    photo.refresh_from_db()
    url = photo_public_url(attachment=photo)
    assert url == bucket.plain_url(photo.public_thumbnail)
    status, body, _ = http_get(url)
    assert status == 200
    assert body == bucket.body(photo.public_thumbnail)
    grants = bucket.client.get_object_acl(Bucket=bucket.name, Key=photo.public_display)["Grants"]
    assert any(g["Grantee"].get("URI", "").endswith("/AllUsers") for g in grants)
    # No cache or CDN may keep serving it once approval is withdrawn.
    head = bucket.client.head_object(Bucket=bucket.name, Key=photo.public_display)
    assert head["CacheControl"] == "public, no-cache"
    # The private images stay private, and are still served by signature.
    for name in (photo.display, photo.thumbnail):
        assert http_get(bucket.plain_url(name))[0] == 403
    fetched = _client(personas.resident).get(f"/photos/{photo.pk}/display/")
    assert fetched.status_code == 302
    assert "X-Amz-Signature" in fetched["Location"]


def test_public_read_mode_uses_the_cdn_address_when_given(
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    public_read_bucket: Bucket,
    personas: Personas,
    commune_a: AdminUnit,
) -> None:
    from config.media_settings import media_storage_settings

    monkeypatch.setenv("XADESK_S3_PUBLIC_BASE_URL", "https://cdn.example.org/media/")
    settings.STORAGES = {**settings.STORAGES, "default": media_storage_settings("s3")}
    photo = _photo(personas, commune_a)
    attachment_approve_public(attachment=photo, by=personas.officer_a)
    photo.refresh_from_db()
    url = photo_public_url(attachment=photo)
    assert url == f"https://cdn.example.org/media/{photo.public_thumbnail}"


def test_withdrawing_approval_deletes_the_public_objects(
    bucket: Bucket,
    personas: Personas,
    commune_a: AdminUnit,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    photo = _photo(personas, commune_a)
    attachment_approve_public(attachment=photo, by=personas.officer_a)
    assert len(bucket.names()) == 4
    with django_capture_on_commit_callbacks(execute=True):
        attachment_approve_public(attachment=photo, by=personas.officer_a, approved=False)
    assert bucket.names() == sorted([photo.display, photo.thumbnail])


def test_a_filing_refused_after_its_photos_were_stored_leaves_no_object(
    bucket: Bucket, personas: Personas, commune_a: AdminUnit
) -> None:
    # The photos are stored, then the recording is found to be no audio.
    response = _file_by_api(
        personas,
        commune_a,
        photos=[_upload(jpeg()), _upload(jpeg(color="blue"))],
        voice=SimpleUploadedFile("voice.webm", b"\x00garbage\xff" * 300),
    )
    assert response.status_code == 422
    assert response.json()["code"] == "audio_invalid"
    # The photos are stored, then the point is found to be far from Vietnam.
    token = api_token_create(user=personas.resident)
    far = Client(headers={"authorization": f"Bearer {token}"}).post(
        "/api/v1/reports/cases",
        {"service": "road_damage", "lat": 0.0, "lon": 0.0, "photos": _upload(jpeg())},
    )
    assert (far.status_code, far.json()["code"]) == (422, "outside_coverage"), far.content
    assert not Ticket.objects.exists()
    assert bucket.names() == []


def test_the_worker_makes_the_served_images_in_the_bucket_and_drops_the_original(
    bucket: Bucket,
    personas: Personas,
    commune_a: AdminUnit,
    settings: Settings,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    settings.PHOTO_PROCESSING = "worker"
    photo = _photo(personas, commune_a)
    assert photo.state == Attachment.State.PROCESSING
    assert bucket.names() == [photo.original]
    assert photo.original.startswith("originals/")
    assert http_get(bucket.plain_url(photo.original))[0] == 403
    with django_capture_on_commit_callbacks(execute=True):
        assert photo_jobs_process() == 1
    photo.refresh_from_db()
    assert photo.state == Attachment.State.READY
    assert photo.original == ""
    assert bucket.names() == sorted([photo.display, photo.thumbnail])
    assert_no_metadata(bucket.body(photo.thumbnail))
    response = _client(personas.officer_a).get(f"/photos/{photo.pk}/thumbnail/")
    assert http_get(response["Location"])[1] == bucket.body(photo.thumbnail)
