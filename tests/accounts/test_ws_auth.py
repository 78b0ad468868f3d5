"""Mobile apps open sockets with their API token; browsers with the cookie and an Origin."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.sessions.models import Session
from pytest_django.fixtures import Settings

from accounts.auth import api_token_create
from config.asgi import application
from helpdesk.models import Ticket
from tests import factories
from tests.conftest import COMMUNE_A, Personas
from tests.notifications.live import (
    ORIGIN,
    WebsocketCommunicator,
    default_redis_layers,
    session_cookie,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def redis_layer(settings: Settings) -> None:
    settings.CHANNEL_LAYERS = default_redis_layers()


@pytest.fixture
def ticket(committed_reference_data: None, personas: Personas) -> Ticket:
    return factories.case_file(
        reporter=personas.resident,
        commune=factories.commune_get(code=COMMUNE_A),
        service_code="streetlight_out",
        description="Đèn tắt",
    )


async def _first_message(path: str, headers: list[tuple[bytes, bytes]]) -> dict[str, object]:
    """Connect and return what the server says first: data, or a close code."""
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await communicator.connect(timeout=5)
    assert connected  # the stream accepts, then says why it closes
    message: dict[str, object] = await communicator.receive_output(timeout=5)
    await communicator.disconnect()
    return message


async def test_app_with_a_token_follows_its_case_without_an_origin(
    ticket: Ticket, personas: Personas
) -> None:
    key = await database_sync_to_async(api_token_create)(user=personas.resident)
    message = await _first_message(
        f"/ws/cases/{ticket.number}/", [(b"authorization", f"Bearer {key}".encode())]
    )
    assert message["type"] == "websocket.send"


async def test_a_token_does_not_open_someone_elses_case(ticket: Ticket, personas: Personas) -> None:
    key = await database_sync_to_async(api_token_create)(user=personas.officer_b)
    message = await _first_message(
        f"/ws/cases/{ticket.number}/", [(b"authorization", f"Bearer {key}".encode())]
    )
    assert message == {"type": "websocket.close", "code": 4404}


async def test_a_wrong_token_is_anonymous(ticket: Ticket) -> None:
    message = await _first_message(
        f"/ws/cases/{ticket.number}/", [(b"authorization", b"Bearer xd_not-a-real-key")]
    )
    assert message == {"type": "websocket.close", "code": 4401}


async def test_a_session_cookie_opens_the_persons_own_case(
    ticket: Ticket, personas: Personas
) -> None:
    cookie = await database_sync_to_async(session_cookie)(personas.resident)
    message = await _first_message(
        f"/ws/cases/{ticket.number}/",
        [ORIGIN, (b"cookie", f"other=1; {settings.SESSION_COOKIE_NAME}={cookie}".encode())],
    )
    assert message["type"] == "websocket.send"


async def test_a_logged_out_or_forged_session_is_anonymous(
    ticket: Ticket, personas: Personas
) -> None:
    cookie = await database_sync_to_async(session_cookie)(personas.resident)
    await database_sync_to_async(lambda: Session.objects.filter(session_key=cookie).delete())()
    for value in (cookie, "forged-session-key"):
        message = await _first_message(
            f"/ws/cases/{ticket.number}/",
            [ORIGIN, (b"cookie", f"{settings.SESSION_COOKIE_NAME}={value}".encode())],
        )
        assert message == {"type": "websocket.close", "code": 4401}


@pytest.mark.parametrize(
    "origin",
    [
        b"http://localhost:9999",  # same host, another port: another program
        b"http://127.0.0.1:8000",  # the configured host on a port not configured
        b"https://127.0.0.1",  # another scheme
        b"http://evil.example",
        b"null",  # sandboxed frames and file:// pages
    ],
)
async def test_a_cookie_socket_from_another_origin_is_refused(
    ticket: Ticket, personas: Personas, origin: bytes
) -> None:
    """Scheme, host and port are compared (issue 18, finding 4): the handshake
    is refused before the stream sees the cookie."""
    cookie = await database_sync_to_async(session_cookie)(personas.resident)
    communicator = WebsocketCommunicator(
        application,
        f"/ws/cases/{ticket.number}/",
        headers=[
            (b"origin", origin),
            (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()),
        ],
    )
    connected, code = await communicator.connect(timeout=5)
    assert not connected
    assert code == 1008


async def test_without_configured_origins_the_sockets_own_host_and_port_count(
    ticket: Ticket, personas: Personas, settings: Settings
) -> None:
    settings.SITE_ORIGINS = []
    settings.ALLOWED_HOSTS = ["localhost"]
    cookie = await database_sync_to_async(session_cookie)(personas.resident)
    cookie_header = (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode())
    host = (b"host", b"localhost:8000")
    same = await _first_message(
        f"/ws/cases/{ticket.number}/", [host, (b"origin", b"http://localhost:8000"), cookie_header]
    )
    assert same["type"] == "websocket.send"
    communicator = WebsocketCommunicator(
        application,
        f"/ws/cases/{ticket.number}/",
        headers=[host, (b"origin", b"http://localhost:9999"), cookie_header],
    )
    connected, _ = await communicator.connect(timeout=5)
    assert not connected
