"""Issue 18 over WebSockets: a "me too" follower's socket streams the public view,
and an officer outside the case's scope cannot tell it from a missing case."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from pytest_django.fixtures import Settings as SettingsWrapper

from accounts.models import User
from config.asgi import application
from geo.models import AdminUnit
from helpdesk import lifecycle
from tests import factories
from tests.conftest import COMMUNE_A, Personas
from tests.helpdesk.test_public_view import PHONE, _assert_public_text, _file, _support, _supporter
from tests.notifications.live import WebsocketCommunicator, default_redis_layers, ws_headers

TIMEOUT = 5


@pytest.fixture
def commune_a(committed_reference_data: None) -> AdminUnit:
    return factories.commune_get(code=COMMUNE_A)


@pytest.fixture(autouse=True)
def redis_layer(settings: SettingsWrapper) -> None:
    settings.CHANNEL_LAYERS = default_redis_layers()


async def test_supporter_socket_streams_the_public_view(
    personas: Personas, commune_a: AdminUnit
) -> None:
    ticket = await database_sync_to_async(_file)(personas.resident, commune_a)
    supporter = await database_sync_to_async(_supporter)()
    await database_sync_to_async(_support)(supporter, ticket)

    async def open_socket(user: User) -> WebsocketCommunicator:
        headers = await database_sync_to_async(ws_headers)(user)
        socket = WebsocketCommunicator(
            application,
            f"/ws/cases/{ticket.number}/?after=0",
            headers=headers,
        )
        connected, _ = await socket.connect(timeout=TIMEOUT)
        assert connected
        return socket

    follower = await open_socket(supporter)
    reporter = await open_socket(personas.resident)
    for socket in (follower, reporter):
        while (await socket.receive_json_from(timeout=TIMEOUT))["type"] != "synced":
            pass
    await database_sync_to_async(lifecycle.ticket_accept)(ticket=ticket, by=personas.officer_a)
    await database_sync_to_async(lifecycle.ticket_reply)(
        ticket=ticket, by=personas.officer_a, body=f"Gọi {PHONE}"
    )
    pushed = [await follower.receive_json_from(timeout=TIMEOUT) for _ in range(2)]
    assert [m["event"]["kind"] for m in pushed] == ["status", "reply"]
    assert all(m["event"]["actor"] is None for m in pushed)
    assert PHONE not in pushed[1]["event"]["body"]
    assert "•" in pushed[1]["event"]["body"]
    own = [await reporter.receive_json_from(timeout=TIMEOUT) for _ in range(2)]
    assert PHONE in own[1]["event"]["body"]
    assert own[1]["event"]["actor"] == personas.officer_a.full_name

    # A reconnect with ?after=0 reads the history in the public view too.
    again = await open_socket(supporter)
    history = []
    while (message := await again.receive_json_from(timeout=TIMEOUT))["type"] != "synced":
        history.append(message["event"])
    assert history, "the catch-up sent nothing"
    assert all(event["actor"] is None for event in history)
    for event in history:
        _assert_public_text(event["body"], personas)
    for socket in (follower, reporter, again):
        await socket.disconnect()


async def test_out_of_scope_socket_closes_like_a_missing_case(
    personas: Personas, commune_a: AdminUnit
) -> None:
    ticket = await database_sync_to_async(_file)(personas.resident, commune_a)
    headers = await database_sync_to_async(ws_headers)(personas.officer_b)
    codes = []
    for number in (ticket.number, ticket.number[:-5] + "99999"):
        socket = WebsocketCommunicator(application, f"/ws/cases/{number}/", headers=headers)
        await socket.connect(timeout=TIMEOUT)
        codes.append((await socket.receive_output(timeout=TIMEOUT)).get("code"))
        await socket.disconnect()
    assert codes == [4404, 4404]


async def test_supporter_socket_is_not_sent_the_reporters_own_messages(
    personas: Personas, commune_a: AdminUnit
) -> None:
    ticket = await database_sync_to_async(_file)(personas.resident, commune_a)
    supporter = await database_sync_to_async(_supporter)()
    await database_sync_to_async(_support)(supporter, ticket)
    headers = await database_sync_to_async(ws_headers)(supporter)
    follower = WebsocketCommunicator(application, f"/ws/cases/{ticket.number}/", headers=headers)
    connected, _ = await follower.connect(timeout=TIMEOUT)
    assert connected
    assert (await follower.receive_json_from(timeout=TIMEOUT))["type"] == "synced"
    await database_sync_to_async(lifecycle.ticket_reply)(
        ticket=ticket, by=personas.resident, body="Tôi đi làm về sau 18h"
    )
    await database_sync_to_async(lifecycle.ticket_reply)(
        ticket=ticket, by=personas.officer_a, body="Đội sẽ đến sáng mai"
    )
    # The officer's answer comes next, straight after the sync: no reporter's
    # message before it, and no catch-up round (its gap check skips what the
    # public is not shown).
    message = await follower.receive_json_from(timeout=TIMEOUT)
    assert message["type"] == "event"
    assert message["event"]["body"] == "Đội sẽ đến sáng mai"
    assert await follower.receive_nothing(timeout=0.3)
    await follower.disconnect()
