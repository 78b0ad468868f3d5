"""A bucket that is down, silent or gone: a 503 media_unavailable with Retry-After,
nothing half-saved, and sending again files once when it is back (core/media_outage.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import (
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    ParamValidationError,
    ReadTimeoutError,
)
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from config.media_settings import media_storage_settings
from core.media_outage import media_outage
from geo.models import AdminUnit
from helpdesk.models import Attachment, PhotoJob, Ticket
from helpdesk.photo_jobs import MAX_ATTEMPTS, MEDIA_RETRY, lease, photo_jobs_process
from tests.conftest import Personas
from tests.factories import jpeg, point_inside, token_client, voice_note
from tests.notifications.live import free_port
from tests.s3_server import Bucket, silent_endpoint

pytestmark = pytest.mark.django_db

OUTAGES = ["stopped", "silent", "bucket_deleted"]


@pytest.fixture
def quick_bucket(bucket: Bucket, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Bucket:
    """The bucket, with the client giving up after one short try (set as in production)."""
    monkeypatch.setenv("XADESK_S3_CONNECT_TIMEOUT", "1")
    monkeypatch.setenv("XADESK_S3_READ_TIMEOUT", "1")
    monkeypatch.setenv("XADESK_S3_MAX_ATTEMPTS", "1")
    settings.STORAGES = {**settings.STORAGES, "default": media_storage_settings("s3")}
    return bucket


def _point_at(settings: Settings, endpoint: str) -> None:
    default = settings.STORAGES["default"]
    options = {**default["OPTIONS"], "endpoint_url": endpoint}
    settings.STORAGES = {**settings.STORAGES, "default": {**default, "OPTIONS": options}}


@contextmanager
def _outage(kind: str, bucket: Bucket, settings: Settings) -> Iterator[None]:
    """The bucket away in one of three ways while the block runs; back after it."""
    if kind == "bucket_deleted":
        bucket.client.delete_bucket(Bucket=bucket.name)
        yield
        bucket.client.create_bucket(Bucket=bucket.name)
        return
    if kind == "stopped":
        # Nothing listens there: what a stopped server answers (connection refused).
        _point_at(settings, f"http://127.0.0.1:{free_port()}")
        yield
    else:
        with silent_endpoint() as endpoint:
            _point_at(settings, endpoint)
            yield
    _point_at(settings, bucket.endpoint)


def _fields(commune: AdminUnit, **extra: Any) -> dict[str, Any]:
    lat, lon = point_inside(commune)
    photo = SimpleUploadedFile("photo.jpg", jpeg(), content_type="image/jpeg")
    return {"service": "road_damage", "lat": lat, "lon": lon, "photos": photo, **extra}


def _assert_media_503(response: Any, *, json: bool) -> None:
    assert response.status_code == 503, response.content[:500]
    assert response["Retry-After"] == "30"
    if json:
        body = response.json()
        assert body["code"] == "media_unavailable"
        assert body["details"] == {"retry_after": 30}
        assert "chưa có gì được lưu" in body["message"]  # vi, the default


@pytest.mark.parametrize("kind", OUTAGES)
def test_an_api_filing_meets_a_bucket_outage_with_a_503_and_files_once_when_it_is_back(
    quick_bucket: Bucket, settings: Settings, personas: Personas, commune_a: AdminUnit, kind: str
) -> None:
    client = token_client(personas.resident)
    key = {"Idempotency-Key": f"outage-{kind}-0001"}
    with _outage(kind, quick_bucket, settings):
        refused = client.post("/api/v1/reports/cases", _fields(commune_a), headers=key)
        _assert_media_503(refused, json=True)
        assert not Ticket.objects.exists()
    assert quick_bucket.names() == []
    # Sent again with the same key once the bucket is back: one case.
    filed = client.post("/api/v1/reports/cases", _fields(commune_a), headers=key)
    assert filed.status_code == 201, filed.content
    again = client.post("/api/v1/reports/cases", _fields(commune_a), headers=key)
    assert again.status_code == 200
    assert again.json()["replayed"] is True
    assert Ticket.objects.count() == 1
    photo = Attachment.objects.get()
    assert quick_bucket.names() == sorted([photo.display, photo.thumbnail])


@pytest.mark.parametrize("kind", OUTAGES)
def test_the_report_form_meets_a_bucket_outage_shown_again_with_what_was_typed(
    quick_bucket: Bucket, settings: Settings, personas: Personas, commune_a: AdminUnit, kind: str
) -> None:
    """The form comes back with the sentence and the description kept (only
    the photos must be chosen again), not a bare 503 page that loses it."""
    client = Client()
    client.force_login(personas.resident)
    fields = _fields(commune_a, description="Ổ gà sâu", idempotency_key=f"form-{kind}-0001")
    with _outage(kind, quick_bucket, settings):
        refused = client.post("/report/new/", fields)
        assert refused.status_code == 503
        page = refused.content.decode()
        assert "chưa có gì được lưu" in page
        assert 'name="description"' in page
        assert "Ổ gà sâu</textarea>" in page
    assert not Ticket.objects.exists()
    assert quick_bucket.names() == []
    filed = client.post(
        "/report/new/",
        _fields(commune_a, **{"description": "Ổ gà sâu", "idempotency_key": f"form-{kind}-0001"}),
    )
    assert filed.status_code == 302
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize("kind", OUTAGES)
def test_a_filing_refused_by_a_bucket_outage_uses_none_of_the_allowance(
    quick_bucket: Bucket, settings: Settings, personas: Personas, commune_a: AdminUnit, kind: str
) -> None:
    """Nothing was filed, so the resident who sends again once the bucket is
    back is not refused as if they had (core/rate_limits.py, rate_limits_charged)."""
    settings.RATE_LIMITS = {"filing.person": (1, 3600), "photo.person": (1, 3600)}
    client = token_client(personas.resident)
    with _outage(kind, quick_bucket, settings):
        _assert_media_503(client.post("/api/v1/reports/cases", _fields(commune_a)), json=True)
    filed = client.post("/api/v1/reports/cases", _fields(commune_a))
    assert filed.status_code == 201, filed.content
    # What was filed did use the allowance: the limit still holds.
    refused = client.post("/api/v1/reports/cases", _fields(commune_a))
    assert refused.status_code == 429, refused.content
    assert refused.json()["code"] in ("filing_rate_limited", "photo_rate_limited")
    assert Ticket.objects.count() == 1


def test_a_reply_refused_by_a_bucket_outage_uses_none_of_the_allowance(
    quick_bucket: Bucket, settings: Settings, personas: Personas, commune_a: AdminUnit
) -> None:
    client = token_client(personas.resident)
    filed = client.post("/api/v1/reports/cases", _fields(commune_a))
    assert filed.status_code == 201, filed.content
    url = f"/api/v1/helpdesk/cases/{filed.json()['case']['number']}/reply"
    # The filing used one photo of two; the voice note of a reply costs one.
    settings.RATE_LIMITS = {"reply.person": (1, 3600), "photo.person": (2, 3600)}

    def reply() -> Any:
        voice = SimpleUploadedFile("voice.webm", voice_note(kind="webm"))
        return client.post(url, {"body": "Vẫn còn", "voice": voice})

    with _outage("stopped", quick_bucket, settings):
        _assert_media_503(reply(), json=True)
    assert reply().status_code == 201
    assert reply().status_code == 429


def _photo_to_approve(personas: Personas, commune: AdminUnit) -> tuple[Attachment, Client, str]:
    """A report's photo, an officer's client and the address that approves it."""
    filed = token_client(personas.resident).post("/api/v1/reports/cases", _fields(commune))
    assert filed.status_code == 201, filed.content
    photo = Attachment.objects.get()
    officer = Client()
    officer.force_login(personas.officer_a)
    return photo, officer, f"/console/cases/{photo.ticket.number}/photos/{photo.pk}/public/"


def _not_approved_then_approved(photo: Attachment, officer: Client, url: str) -> None:
    """The refused approval left the photo private; the same approval now works."""
    photo.refresh_from_db()
    assert (photo.public_approved_at, photo.public_display) == (None, "")
    assert officer.post(url, {"public": "1"}).status_code == 302
    photo.refresh_from_db()
    assert photo.public_approved_at is not None


def test_approving_a_photo_for_the_public_meets_a_bucket_outage_with_the_sentence(
    quick_bucket: Bucket, settings: Settings, personas: Personas, commune_a: AdminUnit
) -> None:
    photo, officer, url = _photo_to_approve(personas, commune_a)
    with _outage("silent", quick_bucket, settings):
        refused = officer.post(url, {"public": "1"})
    assert refused.status_code == 503
    assert "chưa có gì được lưu" in refused.content.decode()
    # The console's own page, with its way back to the case, not the bare 503 page.
    assert "console/error.html" in [t.name for t in refused.templates]
    assert not [name for name in quick_bucket.names() if name.startswith("public/")]
    # Once the bucket is back the same approval works.
    _not_approved_then_approved(photo, officer, url)


def test_approving_a_photo_while_its_bucket_is_deleted_is_an_outage_not_a_missing_file(
    quick_bucket: Bucket, settings: Settings, personas: Personas, commune_a: AdminUnit
) -> None:
    """django-storages reports a bucket that is gone as a missing file; publishing
    asks the bucket (core/media_outage.media_open) and says "send again"."""
    photo, officer, url = _photo_to_approve(personas, commune_a)
    # The bucket goes with what it holds, and comes back restored from a backup.
    kept = {name: quick_bucket.body(name) for name in quick_bucket.names()}
    for name in kept:
        quick_bucket.client.delete_object(Bucket=quick_bucket.name, Key=name)
    quick_bucket.client.delete_bucket(Bucket=quick_bucket.name)
    refused = officer.post(url, {"public": "1"})
    assert refused.status_code == 503
    assert "chưa có gì được lưu" in refused.content.decode()
    quick_bucket.client.create_bucket(Bucket=quick_bucket.name)
    for name, body in kept.items():
        quick_bucket.client.put_object(Bucket=quick_bucket.name, Key=name, Body=body)
    _not_approved_then_approved(photo, officer, url)


def test_a_voice_note_meets_a_bucket_outage_with_a_503(
    quick_bucket: Bucket, settings: Settings, personas: Personas, commune_a: AdminUnit
) -> None:
    lat, lon = point_inside(commune_a)
    voice = SimpleUploadedFile("voice.webm", voice_note(kind="webm"))
    with _outage("stopped", quick_bucket, settings):
        refused = token_client(personas.resident).post(
            "/api/v1/reports/cases",
            {"service": "water_supply", "lat": lat, "lon": lon, "voice": voice},
        )
    _assert_media_503(refused, json=True)
    assert not Ticket.objects.exists()
    assert quick_bucket.names() == []


def test_the_photo_worker_waits_out_a_bucket_outage_without_giving_the_photo_up(
    quick_bucket: Bucket,
    settings: Settings,
    personas: Personas,
    commune_a: AdminUnit,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    photo = _photo_filed_for_the_worker(settings, personas, commune_a)
    with _outage("stopped", quick_bucket, settings):
        _worker_waits(photo, step=MEDIA_RETRY)
    _worker_finishes(photo, quick_bucket, django_capture_on_commit_callbacks)


def _photo_filed_for_the_worker(
    settings: Settings, personas: Personas, commune_a: AdminUnit
) -> Attachment:
    settings.PHOTO_PROCESSING = "worker"
    filed = token_client(personas.resident).post("/api/v1/reports/cases", _fields(commune_a))
    assert filed.status_code == 201, filed.content
    return Attachment.objects.get()


def _worker_waits(photo: Attachment, *, step: timedelta) -> None:
    """The worker, woken again and again, keeps the photo and counts no attempt."""
    later = timezone.now()
    # Longer than MAX_ATTEMPTS tries would allow any other failure.
    for _ in range(MAX_ATTEMPTS + 2):
        later += step + timedelta(seconds=1)
        assert photo_jobs_process(now=later) == 0
        photo.refresh_from_db()
        assert photo.state == Attachment.State.PROCESSING
        job = PhotoJob.objects.get()
        assert job.attempts == 0
        assert job.done_at is None
        # Not due again before the wait, even if the worker wakes at once.
        assert job.next_attempt_at > timezone.now()
        PhotoJob.objects.update(next_attempt_at=timezone.now())


def _worker_finishes(photo: Attachment, bucket: Bucket, on_commit: Callable[..., Any]) -> None:
    """Once the bucket is back, the next pass makes the photo's served images."""
    with on_commit(execute=True):
        assert photo_jobs_process() == 1
    photo.refresh_from_db()
    assert photo.state == Attachment.State.READY
    assert bucket.names() == sorted([photo.display, photo.thumbnail])


def test_the_photo_worker_waits_out_a_deleted_bucket_without_giving_the_photo_up(
    quick_bucket: Bucket,
    settings: Settings,
    personas: Personas,
    commune_a: AdminUnit,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    """django-storages reports a bucket that is gone as a missing file; the
    worker asks the bucket itself before it counts the attempt."""
    photo = _photo_filed_for_the_worker(settings, personas, commune_a)
    # The bucket goes with what it holds (S3 deletes only an empty bucket),
    # and comes back restored from a backup.
    kept = {name: quick_bucket.body(name) for name in quick_bucket.names()}
    assert list(kept) == [photo.original]
    quick_bucket.client.delete_object(Bucket=quick_bucket.name, Key=photo.original)
    quick_bucket.client.delete_bucket(Bucket=quick_bucket.name)
    _worker_waits(photo, step=lease() + MEDIA_RETRY)
    quick_bucket.client.create_bucket(Bucket=quick_bucket.name)
    for name, body in kept.items():
        quick_bucket.client.put_object(Bucket=quick_bucket.name, Key=name, Body=body)
    _worker_finishes(photo, quick_bucket, django_capture_on_commit_callbacks)


def test_the_photo_worker_counts_a_missing_original_while_its_bucket_answers(
    quick_bucket: Bucket,
    settings: Settings,
    personas: Personas,
    commune_a: AdminUnit,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    """One object gone is that job's own failure: given up after MAX_ATTEMPTS."""
    photo = _photo_filed_for_the_worker(settings, personas, commune_a)
    quick_bucket.client.delete_object(Bucket=quick_bucket.name, Key=photo.original)
    later = timezone.now()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        later += lease() + timedelta(seconds=1)
        with django_capture_on_commit_callbacks(execute=True):
            assert photo_jobs_process(now=later) == 1
        assert PhotoJob.objects.get().attempts == attempt
    photo.refresh_from_db()
    assert photo.state == Attachment.State.FAILED
    assert PhotoJob.objects.get().last_error == "gave_up"


def _client_error(status: int, code: str) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": ""}, "ResponseMetadata": {"HTTPStatusCode": status}},
        "PutObject",
    )


@pytest.mark.parametrize(
    ("error", "outage"),
    [
        (EndpointConnectionError(endpoint_url="http://minio:9000"), True),
        (ReadTimeoutError(endpoint_url="http://minio:9000"), True),
        (_client_error(503, "SlowDown"), True),
        (_client_error(500, "InternalError"), True),
        (_client_error(404, "NoSuchBucket"), True),
        (_client_error(403, "AccessDenied"), True),
        # Ours to fix, so a 500 that reaches the error log.
        (_client_error(400, "AccessControlListNotSupported"), False),
        (_client_error(400, "InvalidArgument"), False),
        (_client_error(404, "NoSuchKey"), False),
        (ParamValidationError(report="Bucket is missing"), False),
        (NoCredentialsError(), False),
        (ValueError("a bug"), False),
    ],
)
def test_only_an_outage_of_the_bucket_is_a_503(error: Exception, outage: bool) -> None:
    assert media_outage(error) is outage


# --- XADESK_S3_OBJECT_ACL=none ---------------------------------------------------------


def _acl_headers_sent() -> list[str]:
    """Record the ACL header of every upload the storage's client sends from now on.

    moto 5 accepts ACLs even with BucketOwnerEnforced ownership (checked), so
    the requests themselves are looked at, through botocore's own event hook.
    """
    from django.core.files.storage import default_storage

    sent: list[str] = []

    def record(request: Any, **_: Any) -> None:
        if request.method == "PUT":
            sent.append(request.headers.get("x-amz-acl", b"").decode() or "none")

    client = default_storage.connection.meta.client  # type: ignore[attr-defined]
    client.meta.events.register("before-send.s3", record)
    return sent


@pytest.mark.parametrize("mode", ["signed", "public-read"])
def test_no_acl_is_sent_with_object_acl_none(
    request: pytest.FixtureRequest,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    personas: Personas,
    commune_a: AdminUnit,
    mode: str,
) -> None:
    from helpdesk.attachments import attachment_approve_public
    from helpdesk.photo_publishing import photo_public_url
    from tests.s3_server import http_get

    bucket: Bucket = request.getfixturevalue("bucket" if mode == "signed" else "public_read_bucket")
    bucket.client.put_bucket_ownership_controls(
        Bucket=bucket.name,
        OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
    )
    monkeypatch.setenv("XADESK_S3_OBJECT_ACL", "none")
    settings.STORAGES = {**settings.STORAGES, "default": media_storage_settings("s3")}
    sent = _acl_headers_sent()
    filed = token_client(personas.resident).post("/api/v1/reports/cases", _fields(commune_a))
    assert filed.status_code == 201, filed.content
    photo = Attachment.objects.get()
    attachment_approve_public(attachment=photo, by=personas.officer_a)
    photo.refresh_from_db()
    assert sent == ["none"] * 4  # display, thumbnail and their two public copies
    grants = bucket.client.get_object_acl(Bucket=bucket.name, Key=photo.public_display)["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]  # the owner's alone
    # Signed addresses work unchanged; a public-read copy keeps its plain
    # address, which the bucket policy of the README opens.
    fetched = _client_for(personas).get(f"/photos/{photo.pk}/display/")
    assert http_get(fetched["Location"])[0] == 200
    if mode == "public-read":
        assert photo_public_url(attachment=photo) == bucket.plain_url(photo.public_thumbnail)


def test_per_object_acls_are_sent_by_default(
    public_read_bucket: Bucket, personas: Personas, commune_a: AdminUnit
) -> None:
    from helpdesk.attachments import attachment_approve_public

    sent = _acl_headers_sent()
    filed = token_client(personas.resident).post("/api/v1/reports/cases", _fields(commune_a))
    assert filed.status_code == 201, filed.content
    attachment_approve_public(attachment=Attachment.objects.get(), by=personas.officer_a)
    assert sent == ["private", "private", "public-read", "public-read"]


def _client_for(personas: Personas) -> Client:
    client = Client()
    client.force_login(personas.resident)
    return client
