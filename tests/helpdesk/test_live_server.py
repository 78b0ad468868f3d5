"""A real uvicorn process serving config.asgi, a real WebSocket client, a real session."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import websockets
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connection

from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.models import Ticket
from notifications.services import notifications_mark_all_read
from tests import factories
from tests.conftest import COMMUNE_A, Personas
from tests.factories import case_file
from tests.notifications.live import free_port, session_cookie

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def commune_a(committed_reference_data: None) -> AdminUnit:
    return factories.commune_get(code=COMMUNE_A)


# As scripts/serve.sh serves it (frames written straight to the transports,
# core/websocket_frames.py), and with deflate on (uvicorn's own send path).
SERVERS = [("wsproto", "false"), ("websockets", "true")]


@pytest.fixture(params=SERVERS, ids=["wsproto", "websockets-deflate"])
def uvicorn_url(committed_reference_data: None, request: pytest.FixtureRequest) -> Iterator[str]:
    """Serve config.asgi with uvicorn in a subprocess, on the test database."""
    ws, deflate = request.param
    port = free_port()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": (
            f"postgis://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        ),
        "REDIS_URL": settings.REDIS_URL,
        "CHANNEL_LAYER": "redis",
    }
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "uvicorn",
            "config.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--lifespan",
            "off",
            "--no-access-log",
            "--ws",
            ws,
            "--ws-per-message-deflate",
            deflate,
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        yield f"ws://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


async def test_status_change_committed_elsewhere_reaches_a_real_socket(
    personas: Personas, commune_a: AdminUnit, uvicorn_url: str
) -> None:
    def file_case() -> Ticket:
        return case_file(
            reporter=personas.resident, commune=commune_a, description="Đèn đường hỏng"
        )

    ticket = await database_sync_to_async(file_case)()
    cookie = await database_sync_to_async(session_cookie)(personas.resident)
    async with websockets.connect(
        f"{uvicorn_url}/ws/cases/{ticket.number}/?after=0",
        origin="http://127.0.0.1",  # type: ignore[arg-type]
        additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"},
        open_timeout=10,
    ) as ws:
        created = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert created["event"]["kind"] == "created"
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "synced"
        await database_sync_to_async(
            lambda: lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
        )()
        pushed = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert pushed["type"] == "event"
        assert pushed["event"]["to_status"] == "accepted"

        def three_replies() -> None:
            for body in ("một", "hai", "ba"):
                lifecycle.ticket_reply(ticket=ticket, by=personas.officer_a, body=body)

        await database_sync_to_async(three_replies)()
        replies = [json.loads(await asyncio.wait_for(ws.recv(), 10)) for _ in range(3)]
    assert [r["event"]["body"] for r in replies] == ["một", "hai", "ba"]
    ids = [pushed["event"]["id"]] + [r["event"]["id"] for r in replies]
    assert ids == sorted(ids)


async def test_real_server_refuses_an_anonymous_socket_with_4401(
    personas: Personas, commune_a: AdminUnit, uvicorn_url: str
) -> None:
    async with websockets.connect(
        f"{uvicorn_url}/ws/inbox/",
        origin="http://127.0.0.1",  # type: ignore[arg-type]
    ) as ws:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 10)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4401


async def test_inbox_socket_on_a_real_server_gets_each_message_with_its_count(
    personas: Personas, commune_a: AdminUnit, uvicorn_url: str
) -> None:
    ticket = await database_sync_to_async(factories.case_file)(
        reporter=personas.resident, commune=commune_a
    )
    cookie = await database_sync_to_async(session_cookie)(personas.resident)
    async with websockets.connect(
        f"{uvicorn_url}/ws/inbox/",
        origin="http://127.0.0.1",  # type: ignore[arg-type]
        additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"},
        open_timeout=10,
    ) as ws:
        assert json.loads(await asyncio.wait_for(ws.recv(), 10)) == {"type": "unread", "count": 0}
        await database_sync_to_async(
            lambda: lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
        )()
        told = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert (told["type"], told["unread"]) == ("notification", 1)
        assert ticket.number in told["notification"]["title"]
        await database_sync_to_async(
            lambda: notifications_mark_all_read(user_id=personas.resident.pk)
        )()
        assert json.loads(await asyncio.wait_for(ws.recv(), 10)) == {"type": "unread", "count": 0}
