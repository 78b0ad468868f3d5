"""Real Chromium against a real uvicorn serving config.asgi on the test database.

Every browser test here talks to one uvicorn subprocess (HTTP, static files and
WebSockets, as in production), started once per session on a free port. Tests
commit for real (transactional database), so the server sees what they write
and they see what it writes.

The sync Playwright API keeps an asyncio loop in the test thread: the ORM
needs DJANGO_ALLOW_ASYNC_UNSAFE there, and code that pushes to the channel
layer (async_to_sync) runs in a worker thread instead (see ``in_thread``).
Run these tests in their own pytest invocation (``-m browser``).
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test.utils import override_settings
from playwright.sync_api import (
    BrowserContext,
    ConsoleMessage,
    Page,
    Route,
    WebSocket,
    expect,
)
from pytest_django import DjangoDbBlocker

from accounts.models import User
from geo.models import AdminUnit
from helpdesk.filing import service_get_active
from helpdesk.models import Ticket
from tests import factories
from tests.conftest import COMMUNE_A, COMMUNE_B, Personas
from tests.factories import point_inside, ticket_file
from tests.notifications.live import free_port, redis_layers, session_cookie

ROOT = Path(__file__).resolve().parents[2]
# How long a page or the test server may take to answer, where a test names no
# wait of its own (a live push's or a timer's is named). CI runs on a loaded
# 2-core machine, where a photo upload and its checks took over Playwright's
# default 5 s (CI of 96cf666, tests/browser/test_offline.py) and uvicorn's start
# over 20 s. A longer wait changes no outcome: only how soon a failure shows.
SLOW_S = float(os.environ.get("XADESK_BROWSER_WAIT_SECONDS", "15"))
expect.set_options(timeout=SLOW_S * 1000)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # A microphone for the voice-note recorder (tests/browser/test_voice.py): a
    # fake device playing a tone, allowed without the permission prompt.
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium: `playwright install` cannot download browsers here."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session", autouse=True)
def _async_unsafe_orm() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="session")
def channel_prefix() -> str:
    return f"test-browser-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session", autouse=True)
def _private_channel_layer(channel_prefix: str) -> Iterator[None]:
    """This process and the server share a Redis prefix no other run uses."""
    layers = redis_layers(settings.REDIS_URL)
    layers["default"]["CONFIG"]["prefix"] = channel_prefix
    with override_settings(CHANNEL_LAYERS=layers):
        yield


@pytest.fixture(scope="session")
def media_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session", autouse=True)
def _private_media(media_root: Path) -> Iterator[None]:
    with override_settings(MEDIA_ROOT=media_root):
        yield


@pytest.fixture(scope="session")
def sms_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The SMS the server sends (core/sms.py's file backend), one JSON line each."""
    return tmp_path_factory.mktemp("sms") / "sms.jsonl"


def sms_code(sms_file: Path, phone: str) -> str:
    """The one-time code in the last SMS sent to ``phone``."""
    deadline = time.monotonic() + 10
    while True:
        if sms_file.exists():
            lines = [json.loads(line) for line in sms_file.read_text().splitlines()]
            texts = [m["text"] for m in lines if m["to"] == phone]
            if texts:
                found = re.search(r"\b(\d{6})\b", texts[-1])
                assert found, texts[-1]
                return found.group(1)
        assert time.monotonic() < deadline, f"no SMS to {phone}"
        time.sleep(0.05)


@dataclass(frozen=True)
class Server:
    url: str
    log: Path

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@pytest.fixture(scope="session")
def server(
    django_db_setup: None,
    django_db_blocker: DjangoDbBlocker,
    channel_prefix: str,
    media_root: Path,
    sms_file: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Server]:
    """uvicorn serving config.asgi (and /static/) on the test database."""
    port = free_port()
    with django_db_blocker.unblock():
        db = connection.settings_dict
    log = tmp_path_factory.mktemp("uvicorn") / "server.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.browser.server_settings",
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": (
            f"postgis://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        ),
        "REDIS_URL": settings.REDIS_URL,
        "CHANNEL_LAYER": "redis",
        "XADESK_TEST_CHANNEL_PREFIX": channel_prefix,
        "DJANGO_MEDIA_ROOT": str(media_root),
        "XADESK_TEST_SMS_FILE": str(sms_file),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # the server must stay strict
    with log.open("wb") as out:
        # Report photos are made off the request, as in `make run`
        # (XADESK_PHOTO_PROCESSING=worker, scripts/serve.sh): the real worker.
        photo_worker = subprocess.Popen(
            [sys.executable, "manage.py", "run_photo_worker"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        # Messages to many people (a commune alert's FanOut) reach each inbox
        # only through the delivery worker, as in production: the real one.
        delivery_worker = subprocess.Popen(
            [sys.executable, "manage.py", "run_delivery_worker"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "uvicorn",
                "tests.browser.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--lifespan",
                "off",
                "--no-access-log",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 3 * SLOW_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"uvicorn exited with {process.returncode}:\n{log.read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    waited = f"{3 * SLOW_S:.0f} s"
                    pytest.fail(f"uvicorn did not listen within {waited}:\n{log.read_text()}")
                time.sleep(0.1)
        yield Server(url=f"http://127.0.0.1:{port}", log=log)
    finally:
        for child in (process, photo_worker, delivery_worker):
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


# --- Reference data and people, committed -------------------------------------


@pytest.fixture
def commune_a(committed_reference_data: None) -> AdminUnit:
    return factories.commune_get(code=COMMUNE_A)


@pytest.fixture
def commune_b(committed_reference_data: None) -> AdminUnit:
    return factories.commune_get(code=COMMUNE_B)


# --- The browser ------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any], server: Server) -> dict[str, Any]:
    # Relative URLs go to the server; Vietnamese, the default, whatever the machine's locale.
    return {
        **browser_context_args,
        "base_url": server.url,
        "locale": "vi-VN",
        "timezone_id": "Asia/Ho_Chi_Minh",
    }


def _only_local(route: Route) -> None:
    """No map tiles (or anything else) from the internet: the pages must cope."""
    if route.request.url.startswith(("http://127.0.0.1:", "ws://127.0.0.1:")):
        route.fallback()
    else:
        route.abort("internetdisconnected")


@pytest.fixture
def context(context: BrowserContext) -> BrowserContext:
    context.route("**/*", _only_local)
    context.set_default_timeout(SLOW_S * 1000)
    return context


@dataclass
class Problems:
    """Uncaught JavaScript errors and console errors a page reported."""

    page_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def assert_no_page_errors(self) -> None:
        assert self.page_errors == [], "\n".join(self.page_errors)

    def assert_none(self) -> None:
        found = self.page_errors + self.console_errors
        assert found == [], "\n".join(found)


def _console(problems: Problems) -> Callable[[ConsoleMessage], None]:
    def on_message(message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        where = str(message.location.get("url", ""))
        # The blocked tiles: Chromium logs each refused image as a console error.
        if message.text.startswith("Failed to load resource") and not where.startswith(
            "http://127.0.0.1:"
        ):
            return
        problems.console_errors.append(f"{message.text} ({where})")

    return on_message


@pytest.fixture
def problems(page: Page) -> Problems:
    found = Problems()
    page.on("pageerror", lambda error: found.page_errors.append(str(error)))
    page.on("console", _console(found))
    return found


_ON_SCREEN_IMAGES_DONE = """() =>
Array.from(document.images)
  .filter((image) => image.getBoundingClientRect().top < window.innerHeight)
  .every((image) => image.complete)
"""


def on_screen_images_wait(page: Page) -> None:
    """Wait until the images on screen have loaded or failed.

    Lazy images (a case's photos) are fetched after "load": waiting for them
    checks each (a 404 is a console error in ``Problems``), and none is still
    being fetched when the next person's cookie replaces this one.
    """
    page.wait_for_function(_ON_SCREEN_IMAGES_DONE)


def person_leave(page: Page, context: BrowserContext) -> None:
    """Leave the last person's page, then drop their cookies.

    Nothing of their page may be fetched after it with the next person's
    cookie, or with none: that answer (a 404) would be blamed on the page.
    """
    page.goto("about:blank")
    context.clear_cookies()


def log_in(context: BrowserContext, server: Server, user: User) -> None:
    """A real session (as after the SMS code), handed to the browser as its cookie."""
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session_cookie(user),
                "url": server.url,
                "httpOnly": True,
                "sameSite": "Lax",
            }
        ]
    )


def in_thread[T](work: Callable[[], T]) -> T:
    """Run ORM work that pushes to the channel layer outside Playwright's event loop
    (async_to_sync refuses to run in a thread with a running loop)."""

    def run() -> T:
        try:
            return work()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result(timeout=30)


def file_case(*, reporter: User, commune: AdminUnit, description: str) -> Ticket:
    """A road-damage report inside ``commune``, committed (and pushed) as the API would."""
    lat, lon = point_inside(commune)

    def file() -> Ticket:
        service = service_get_active(code="road_damage")
        filed = ticket_file(
            reporter=reporter, service=service, description=description, lat=lat, lon=lon
        )
        return filed.ticket

    return in_thread(file)


def frames_of(page: Page, path: str) -> list[str]:
    """The frames the page's sockets on ``path`` receive, as they arrive."""
    frames: list[str] = []

    def on_socket(socket: WebSocket) -> None:
        if path in socket.url:
            socket.on("framereceived", lambda payload: frames.append(str(payload)))

    page.on("websocket", on_socket)
    return frames


def wait_for_frame(page: Page, frames: list[str], marker: str) -> None:
    deadline = time.monotonic() + 10
    while not any(marker in frame for frame in frames):
        assert time.monotonic() < deadline, f"no {marker} frame came: {frames}"
        page.wait_for_timeout(50)


def open_live_case_page(
    personas: Personas,
    commune: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    description: str,
) -> Ticket:
    """The resident files a case and opens its page, its socket synced; the page
    is marked (window.notReloaded) so that a test can tell a change made in
    place from a reload."""
    ticket = file_case(reporter=personas.resident, commune=commune, description=description)
    log_in(context, server, personas.resident)
    frames = frames_of(page, f"/ws/cases/{ticket.number}/")
    page.goto(f"/cases/{ticket.number}/")
    wait_for_frame(page, frames, '"synced"')
    page.evaluate("window.notReloaded = true")
    return ticket
