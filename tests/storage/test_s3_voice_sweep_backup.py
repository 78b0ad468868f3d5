"""Voice notes, the orphan sweep and the media side of a backup, on an S3 bucket."""

from __future__ import annotations

import io
import tarfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation
from pytest_django import Settings

from accounts.models import User
from backup.media import media_from_archive, media_to_archive
from geo.models import AdminUnit
from helpdesk.attachments import attachment_approve_public
from helpdesk.models import Attachment
from helpdesk.photo_sweep import orphan_files_sweep
from tests import factories
from tests.conftest import Personas
from tests.factories import jpeg, point_inside, voice_note
from tests.s3_server import Bucket, http_get
from tests.storage.conftest import use_bucket

pytestmark = pytest.mark.django_db


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _file(personas: Personas, commune: AdminUnit, **parts: SimpleUploadedFile) -> None:
    lat, lon = point_inside(commune)
    response = _client(personas.resident).post(
        "/api/v1/reports/cases",
        {"service": "water_supply", "description": "Mất nước", "lat": lat, "lon": lon, **parts},
    )
    assert response.status_code == 201, response.content


def test_a_voice_note_is_stored_private_and_played_through_a_signed_address(
    bucket: Bucket, personas: Personas, commune_a: AdminUnit
) -> None:
    _file(personas, commune_a, voice=SimpleUploadedFile("voice.webm", voice_note(kind="webm")))
    note = Attachment.objects.get(role=Attachment.Role.VOICE)
    assert bucket.names() == [note.display]
    assert http_get(bucket.plain_url(note.display))[0] == 403

    url = f"/voice/{note.pk}/"
    heard = _client(personas.resident).get(url)
    assert heard.status_code == 302
    assert heard["Cache-Control"] == "private, no-store"
    status, whole, headers = http_get(heard["Location"])
    assert status == 200
    assert whole.startswith(b"OggS")
    assert whole == bucket.body(note.display)
    assert headers["Content-Type"] == "audio/ogg"
    # <audio> asks for the last Ogg page with a Range request: the bucket answers it.
    status, tail, headers = http_get(heard["Location"], {"Range": "bytes=-100"})
    assert status == 206
    assert tail == whole[-100:]
    assert _client(personas.officer_a).get(url).status_code == 302
    stranger = factories.user_create(full_name="Ngô Văn Bình")
    for user in (None, stranger, personas.officer_b):
        refused = _client(user).get(url)
        assert refused.status_code == 404
        assert "Location" not in refused


def test_the_sweep_deletes_old_orphans_in_the_bucket_and_keeps_the_rest(
    bucket: Bucket, personas: Personas, commune_a: AdminUnit
) -> None:
    _file(personas, commune_a, photos=SimpleUploadedFile("p.jpg", jpeg()))
    photo = Attachment.objects.get()
    # What a filing killed before its commit leaves behind.
    orphans = [
        default_storage.save("photos/killed-filing.jpg", ContentFile(jpeg())),
        default_storage.save("voice/killed-filing.ogg", ContentFile(b"OggS")),
    ]
    # Not a photo folder: never looked at.
    default_storage.save("elsewhere/keep.txt", ContentFile(b"x"))

    young = orphan_files_sweep(grace=timedelta(hours=1), commit=True)
    assert (young.scanned, young.referenced, young.kept_young, young.deleted) == (4, 2, 2, 0)
    dry = orphan_files_sweep(
        grace=timedelta(hours=1), commit=False, now=timezone.now() + timedelta(days=2)
    )
    assert dry.deleted == 2
    assert set(orphans) <= set(bucket.names())

    old = orphan_files_sweep(
        grace=timedelta(hours=1), commit=True, now=timezone.now() + timedelta(days=2)
    )
    assert (old.referenced, old.deleted) == (2, 2)
    assert bucket.names() == sorted([photo.display, photo.thumbnail, "elsewhere/keep.txt"])


def test_the_sweep_command_runs_on_the_bucket(
    bucket: Bucket, personas: Personas, commune_a: AdminUnit
) -> None:
    _file(personas, commune_a, photos=SimpleUploadedFile("p.jpg", jpeg()))
    default_storage.save("originals/killed-filing.jpg", ContentFile(jpeg()))
    out = io.StringIO()
    with translation.override("en"):
        call_command("sweep_orphan_files", "--commit", stdout=out)
    assert "Scanned 3 files" in out.getvalue()
    assert "2 referenced" in out.getvalue()
    assert "1 orphans kept" in out.getvalue()


def test_backup_copies_the_bucket_and_restore_writes_it_into_another(
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    bucket: Bucket,
    personas: Personas,
    commune_a: AdminUnit,
    tmp_path: Path,
) -> None:
    _file(
        personas,
        commune_a,
        photos=SimpleUploadedFile("p.jpg", jpeg()),
        voice=SimpleUploadedFile("voice.webm", voice_note(kind="webm")),
    )
    photo = Attachment.objects.get(role=Attachment.Role.REPORT)
    attachment_approve_public(attachment=photo, by=personas.officer_a)
    names = bucket.names()
    assert len(names) == 5  # display, thumbnail, two public copies, the voice note
    archive = tmp_path / "media.tar"
    with tarfile.open(archive, "w") as tar:
        files = media_to_archive(storage=default_storage, tar=tar)
    assert sorted(files) == names

    other = use_bucket(settings, monkeypatch, endpoint=bucket.endpoint, public_mode="public-read")
    assert other.names() == []
    with tarfile.open(archive) as tar:
        media_from_archive(storage=default_storage, tar=tar, files=files)
    assert other.names() == names
    for name in names:
        assert other.body(name) == bucket.body(name)
    # Restored under the new bucket's rules: public copies public, the rest private.
    assert http_get(other.plain_url(photo.public_thumbnail))[0] == 200
    assert http_get(other.plain_url(photo.display))[0] == 403
