"""Report photos processed off the request (XADESK_PHOTO_PROCESSING=worker).

The case exists as soon as the filing returns, with its photos PROCESSING and
only their originals stored (privately); the photo worker makes the display
image and thumbnail, stripped; a worker killed mid-job has its job redone
once the lease ends, leaving one file of each; a photo that turns out
undecodable is marked failed and its people told, the case untouched.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.storage import InMemoryStorage, default_storage
from django.db import connection
from django.test import Client
from django.utils import timezone
from PIL import Image
from pytest_django import Settings

from core.errors import InvalidInput
from geo.models import AdminUnit
from helpdesk import errors
from helpdesk.attachments import attachment_approve_public
from helpdesk.demo import COMMUNE_A
from helpdesk.filing import CaseDraft, case_submit
from helpdesk.models import Attachment, PhotoJob, Ticket
from helpdesk.photo_errors import PhotoRejected
from helpdesk.photo_jobs import lease, photo_jobs_claim, photo_jobs_process
from helpdesk.photos import photo_accept, photo_derive, photo_process
from helpdesk.support import case_support_add
from notifications.models import Notification
from tests import factories
from tests.conftest import Personas
from tests.factories import point_inside
from tests.helpdesk.test_hostile_uploads import hostile_files
from tests.helpdesk.test_photos import SECRET, assert_no_metadata, gps_exif, noisy


@pytest.fixture
def media(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    settings.PHOTO_PROCESSING = "worker"
    return tmp_path


def files(root: Path, folder: str) -> list[Path]:
    return sorted(p for p in (root / folder).rglob("*") if p.is_file())


def camera_jpeg(lat: float, lon: float) -> bytes:
    """A 2000x1500 JPEG with GPS and a secret in its EXIF, as a phone sends."""
    exif = gps_exif((float(int(lat)), 0.0, 0.0), "N", (float(int(lon)), 0.0, 0.0), "E")
    exif[0x010E] = SECRET.decode()  # ImageDescription
    buffer = io.BytesIO()
    noisy((2000, 1500)).save(buffer, "JPEG", quality=90, exif=exif.tobytes())
    return buffer.getvalue()


def damaged_png() -> bytes:
    """A PNG whose header is fine and whose pixel data is not: only decoding finds it."""
    buffer = io.BytesIO()
    Image.effect_noise((300, 200), 40).convert("RGB").save(buffer, "PNG")
    raw = bytearray(buffer.getvalue())
    raw[raw.find(b"IDAT") + 200] ^= 0xFF
    return bytes(raw)


def file_report(personas: Personas, commune: AdminUnit, *photos: bytes) -> Ticket:
    lat, lon = point_inside(commune)
    return case_submit(
        reporter=personas.resident,
        draft=CaseDraft(
            service_code="road_damage",
            description="Ổ gà sâu",
            lat=lat,
            lon=lon,
            location_source="gps",
            photos=photos,
        ),
    ).ticket


@pytest.mark.django_db
def test_the_case_exists_before_the_worker_runs_and_nothing_is_served(
    personas: Personas, commune_a: AdminUnit, media: Path
) -> None:
    lat, lon = point_inside(commune_a)
    ticket = file_report(personas, commune_a, camera_jpeg(lat, lon))

    photo = ticket.attachments.get()
    assert photo.state == Attachment.State.PROCESSING
    assert PhotoJob.objects.filter(attachment=photo, done_at__isnull=True).count() == 1
    # Only the original is stored, under originals/, never served.
    assert files(media, "photos") == []
    assert [p.name.split(".")[1] for p in files(media, "originals")] == ["jpg"]
    assert photo.original.startswith("originals/")
    # The EXIF location was still read in the request.
    assert photo.location is not None
    assert photo.location.y == int(lat)

    client = Client()
    client.force_login(personas.resident)
    assert client.get(f"/photos/{photo.pk}/display/").status_code == 404
    page = client.get(f"/cases/{ticket.number}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "Photo being processed" in page.content.decode()
    with pytest.raises(errors.PhotoNotReady):
        attachment_approve_public(attachment=photo, by=personas.officer_a)
    assert files(media, "public") == []


@pytest.mark.django_db
def test_the_worker_makes_stripped_images_and_drops_the_original(
    personas: Personas,
    commune_a: AdminUnit,
    media: Path,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    lat, lon = point_inside(commune_a)
    ticket = file_report(personas, commune_a, camera_jpeg(lat, lon), camera_jpeg(lat, lon))

    # The original is deleted after the worker's commit.
    with django_capture_on_commit_callbacks(execute=True):
        assert photo_jobs_process() == 2
    assert photo_jobs_process() == 0  # nothing left: each job ran once

    photos = list(ticket.attachments.order_by("position"))
    assert [p.state for p in photos] == [Attachment.State.READY] * 2
    assert [(p.width, p.height) for p in photos] == [(1600, 1200)] * 2
    for photo in photos:
        for name in (photo.display, photo.thumbnail):
            with default_storage.open(name) as stored:
                assert_no_metadata(stored.read())
        assert photo.original == ""
    assert len(files(media, "photos")) == 4
    assert files(media, "originals") == []
    client = Client()
    client.force_login(personas.resident)
    assert client.get(f"/photos/{photos[0].pk}/thumbnail/").status_code == 200
    attachment_approve_public(attachment=photos[0], by=personas.officer_a)
    assert len(files(media, "public")) == 2


@pytest.mark.django_db
def test_a_killed_worker_s_job_is_redone_once_when_its_lease_ends(
    personas: Personas, commune_a: AdminUnit, media: Path
) -> None:
    lat, lon = point_inside(commune_a)
    ticket = file_report(personas, commune_a, camera_jpeg(lat, lon))
    photo = ticket.attachments.get()

    # The first worker claims the job and writes the files, then dies before
    # its commit (SIGKILL, out of memory): the claim stays, nothing else does.
    start = timezone.now()
    ids, _until = photo_jobs_claim(now=start, limit=10)
    assert len(ids) == 1
    photo_derive(
        original_name=photo.original, display_name=photo.display, thumbnail_name=photo.thumbnail
    )
    # While the lease lasts, no other worker takes it.
    assert photo_jobs_process(now=start + timedelta(seconds=1)) == 0
    photo.refresh_from_db()
    assert photo.state == Attachment.State.PROCESSING

    after = start + lease() + timedelta(seconds=1)
    assert photo_jobs_process(now=after) == 1
    assert photo_jobs_process(now=after + lease() * 2) == 0  # done: never again

    photo.refresh_from_db()
    job = PhotoJob.objects.get(attachment=photo)
    assert photo.state == Attachment.State.READY
    assert (job.attempts, job.done_at is not None) == (2, True)
    # Overwritten, not added: one display image and one thumbnail.
    assert [str(p.relative_to(media)) for p in files(media, "photos")] == sorted(
        [photo.display, photo.thumbnail]
    )


@pytest.mark.django_db
def test_an_undecodable_photo_fails_alone_and_its_people_are_told(
    personas: Personas, commune_a: AdminUnit, media: Path
) -> None:
    lat, lon = point_inside(commune_a)
    ticket = file_report(personas, commune_a, camera_jpeg(lat, lon), damaged_png())
    good, bad = ticket.attachments.order_by("position")
    assert bad.state == Attachment.State.PROCESSING  # its header looked fine
    case_support_add(ticket=ticket, user=personas.digital_team)

    assert photo_jobs_process() == 2

    good.refresh_from_db()
    bad.refresh_from_db()
    assert (good.state, bad.state) == (Attachment.State.READY, Attachment.State.FAILED)
    assert PhotoJob.objects.get(attachment=bad).last_error == "photo_not_an_image"
    assert Ticket.objects.filter(pk=ticket.pk).exists()
    told = Notification.objects.filter(dedupe_key=f"photo-failed:{bad.pk}")
    told_ids = set(told.values_list("recipient_id", flat=True))
    assert {personas.resident.pk, personas.officer_a.pk} <= told_ids
    # A "me too" supporter follows the public view, which shows approved photos only.
    assert personas.digital_team.pk not in told_ids
    assert photo_jobs_process() == 0  # not retried: no retry can read it

    client = Client()
    client.force_login(personas.resident)
    page = client.get(f"/cases/{ticket.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "could not be read" in page
    assert client.get(f"/photos/{bad.pk}/display/").status_code == 404


@pytest.mark.django_db
def test_a_cut_off_upload_is_still_refused_in_the_request(
    personas: Personas, commune_a: AdminUnit, media: Path
) -> None:
    lat, lon = point_inside(commune_a)
    whole = camera_jpeg(lat, lon)
    with pytest.raises(InvalidInput) as caught:
        file_report(personas, commune_a, whole[: len(whole) * 2 // 3])
    assert caught.value.code == "photo_not_an_image"
    assert not Ticket.objects.exists()
    assert files(media, "originals") == []


# --- The real command, killed mid-batch ---------------------------------------------

ROOT = Path(__file__).resolve().parents[2]


def _worker(tmp_path: Path, media: Path, n: int) -> subprocess.Popen[bytes]:
    """`manage.py run_photo_worker` on the test database and media folder, lease 2 s."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": (
            f"postgis://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        ),
        "DATABASE_CONN_MAX_AGE": "0",
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_MEDIA_ROOT": str(media),
        "XADESK_PHOTO_JOB_LEASE_SECONDS": "2",
        "EMAIL_MODE": "console",
    }
    log = (tmp_path / f"photo-worker-{n}.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_photo_worker", "--interval", "0.2", "--nice", "0"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _wait_for(condition: Callable[[], bool], *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


def test_a_killed_worker_process_s_jobs_are_done_once_by_the_next(
    committed_reference_data: None, settings: Settings, tmp_path: Path
) -> None:
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    settings.PHOTO_PROCESSING = "worker"
    reporter = factories.user_create(full_name="Nguyễn Văn Chụp")
    lat, lon = point_inside(factories.commune_get(code=COMMUNE_A))
    # Five big photos: the worker claims them in one batch and takes a while
    # over each, so it is caught holding claims it has not finished.
    photos = tuple(camera_jpeg(lat, lon) for _ in range(5))
    ticket = case_submit(
        reporter=reporter,
        draft=CaseDraft(service_code="road_damage", lat=lat, lon=lon, photos=photos),
    ).ticket
    jobs = PhotoJob.objects.filter(attachment__ticket=ticket)

    first = _worker(tmp_path, media, 1)
    try:
        _wait_for(
            lambda: jobs.filter(attempts=1).count() == 5, seconds=60, what="the batch claimed"
        )
        first.kill()
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    left = jobs.filter(done_at__isnull=True).count()
    assert left > 0, "the worker finished before the kill: nothing was tested"

    second = _worker(tmp_path, media, 2)
    try:
        _wait_for(
            lambda: not jobs.filter(done_at__isnull=True).exists(), seconds=120, what="the redo"
        )
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)

    states = Counter(ticket.attachments.values_list("state", flat=True))
    assert states == {Attachment.State.READY: 5}
    # Redone once: the killed worker's unfinished jobs have two attempts, never more.
    assert sorted(jobs.values_list("attempts", flat=True)) == [1] * (5 - left) + [2] * left
    stored = sorted(str(p.relative_to(media)) for p in (media / "photos").rglob("*.jpg"))
    names = sorted(n for a in ticket.attachments.all() for n in (a.display, a.thumbnail))
    assert stored == names  # one display image and one thumbnail each, no extra copies
    for name in names:
        assert_no_metadata((media / name).read_bytes())


def test_hostile_files_end_in_the_worker_as_they_would_have_in_the_request() -> None:
    """The corpus of tests/helpdesk/test_hostile_uploads.py: photo_accept refuses
    with a reason or accepts, never crashes; what it accepts, photo_derive makes
    (or refuses) exactly when photo_process would have, so a file refused in the
    request before is now a failed photo, never a served unstripped one."""
    moved = 0
    for file in hostile_files():
        if file.kind == "body-50mb":
            continue  # refused by the request's size limit before any photo code
        storage = InMemoryStorage()
        try:
            accepted = photo_accept(data=file.data, storage=storage)
        except PhotoRejected:
            continue
        try:
            photo_process(data=file.data, storage=InMemoryStorage())
            expected = "ready"
        except PhotoRejected as error:
            expected, moved = error.code, moved + 1
        try:
            photo_derive(
                original_name=accepted.original_name or "",
                display_name=accepted.display_name,
                thumbnail_name=accepted.thumbnail_name,
                storage=storage,
            )
            outcome = "ready"
        except PhotoRejected as error:
            outcome = error.code
        assert outcome == expected, file.name
        if outcome == "ready":
            for name in (accepted.display_name, accepted.thumbnail_name):
                with storage.open(name) as stored:
                    assert_no_metadata(stored.read())
    # Damaged pixel data is what only decoding finds (bit flips, some cut-offs).
    assert moved > 0
