"""Photos and voice notes from an S3 bucket in Chromium: a server started with
XADESK_MEDIA_STORAGE=s3 redirects to presigned addresses on moto_server, and the
pages' Content-Security-Policy lets the browser follow them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from playwright.sync_api import BrowserContext, Page, expect
from pytest_django import DjangoDbBlocker, Settings

from config.media_settings import media_storage_settings
from geo.models import AdminUnit
from helpdesk.attachments import attachment_approve_public
from helpdesk.filing import CaseDraft, case_submit
from helpdesk.models import Attachment, Ticket
from tests.browser.conftest import ROOT, Problems, Server, in_thread, log_in
from tests.browser.test_csp import COLLECT_VIOLATIONS
from tests.conftest import Personas
from tests.factories import jpeg, point_inside, voice_note
from tests.notifications.live import free_port
from tests.s3_server import Bucket, bucket_create, moto_running, s3_environment

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class S3Site:
    server: Server
    bucket: Bucket


@pytest.fixture(scope="module")
def s3_site(
    django_db_setup: None,
    django_db_blocker: DjangoDbBlocker,
    channel_prefix: str,
    sms_file: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[S3Site]:
    """moto_server with one bucket, and uvicorn serving the site with its media there."""
    logs = tmp_path_factory.mktemp("s3-site")
    with moto_running(logs / "moto.log") as endpoint:
        bucket = bucket_create(endpoint)
        with django_db_blocker.unblock():
            db = connection.settings_dict
        port = free_port()
        env = {
            **os.environ,
            **s3_environment(bucket),
            "DJANGO_SETTINGS_MODULE": "tests.browser.server_settings",
            "DJANGO_DEBUG": "true",
            "DATABASE_URL": (
                f"postgis://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
            ),
            "REDIS_URL": settings.REDIS_URL,
            "CHANNEL_LAYER": "redis",
            "XADESK_TEST_CHANNEL_PREFIX": channel_prefix,
            "XADESK_TEST_SMS_FILE": str(sms_file),
        }
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        log = logs / "server.log"
        with log.open("wb") as out:
            process = subprocess.Popen(  # noqa: S603 - this interpreter, the project's app
                [
                    *(sys.executable, "-m", "uvicorn", "tests.browser.asgi:application"),
                    *("--host", "127.0.0.1", "--port", str(port), "--lifespan", "off"),
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            deadline = time.monotonic() + 20
            while True:
                assert process.poll() is None, log.read_text()
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                        break
                except OSError:
                    assert time.monotonic() < deadline, log.read_text()
                    time.sleep(0.1)
            yield S3Site(server=Server(url=f"http://127.0.0.1:{port}", log=log), bucket=bucket)
        finally:
            process.terminate()
            process.wait(timeout=10)


def test_case_pages_show_photos_and_play_voice_notes_from_the_bucket(
    s3_site: S3Site,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    personas: Personas,
    commune_a: AdminUnit,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    # This process files into the same bucket the server reads.
    for variable, value in s3_environment(s3_site.bucket).items():
        monkeypatch.setenv(variable, value)
    settings.STORAGES = {**settings.STORAGES, "default": media_storage_settings("s3")}
    lat, lon = point_inside(commune_a)

    def file() -> Ticket:
        draft = CaseDraft(
            service_code="road_damage",
            description="Ổ gà sâu",
            lat=lat,
            lon=lon,
            photos=(jpeg(),),
            voice=voice_note(seconds=3.0),
        )
        ticket = case_submit(reporter=personas.resident, draft=draft).ticket
        photo = ticket.attachments.get(role=Attachment.Role.REPORT)
        attachment_approve_public(attachment=photo, by=personas.officer_a)
        return ticket

    ticket = in_thread(file)
    photo = ticket.attachments.get(role=Attachment.Role.REPORT)
    assert photo.thumbnail in s3_site.bucket.names()

    page.add_init_script(COLLECT_VIOLATIONS)
    log_in(context, s3_site.server, personas.resident)
    moto = s3_site.bucket.endpoint
    images = tuple(f"{moto}/{s3_site.bucket.name}/{k}" for k in (photo.thumbnail, photo.display))
    # The photo's answer: the voice note's may come first, as a 206 to a Range.
    with page.expect_response(lambda r: r.url.startswith(images)) as got:
        page.goto(f"{s3_site.server.url}/cases/{ticket.number}/")
    assert got.value.status == 200
    image = page.locator("ul.photos img")
    expect(image).to_have_count(1)
    page.wait_for_function(
        "() => { const i = document.querySelector('ul.photos img');"
        " return i.complete && i.naturalWidth > 0; }"
    )
    page.wait_for_function(
        "() => { const a = document.querySelector('.voice-note audio');"
        " return a.readyState >= 1 && a.duration > 0; }"
    )
    duration = page.evaluate("document.querySelector('.voice-note audio').duration")
    assert 2.8 < duration < 3.2
    assert page.evaluate("window.__violations") == []

    # The public page shows the approved copy by the app's lasting address,
    # which the browser follows to a fresh signature in the bucket.
    lasting = f"/photos/{photo.pk}/public/thumbnail/"
    signed = f"{moto}/{s3_site.bucket.name}/{photo.public_thumbnail}?"
    with page.expect_response(lambda r: r.url.startswith(signed)) as from_bucket:
        page.goto(f"{s3_site.server.url}/reports/map/")
    assert from_bucket.value.status == 200
    expect(page.locator(f"img[src='{lasting}']")).to_have_count(1)
    page.wait_for_function(
        "(src) => [...document.images].some(i => i.src.endsWith(src) && i.naturalWidth > 0)",
        arg=lasting,
    )
    assert page.evaluate("window.__violations") == []
    problems.assert_none()
