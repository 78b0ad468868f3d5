"""GroupSocket: what goes out at once, what waits its turn, and what closes the socket."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from core.group_socket import BACKLOG_LIMIT, CLOSE_SERVER_ERROR, SEND, SLOW, GroupSocket
from core.socket_ends import SCOPE_KEY, Watch


class _Numbers(GroupSocket):
    """Sends odd numbers at once; even ones need 'the database' (a wait) first."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[Any] = []
        self.base_send = self._send
        self.writer = None  # not behind uvicorn's wsproto: the ASGI send path
        self.channel_layer = None  # no layer: its failure is driven by hand
        self.backlog = None  # live
        self.database = asyncio.Event()

    async def _send(self, message: dict[str, Any]) -> None:
        self.sent.append(message.get("text", message.get("code")))

    def decide(self, message: dict[str, Any]) -> str:
        return SLOW if message["n"] % 2 == 0 else SEND

    async def handle(self, message: dict[str, Any]) -> None:
        await self.database.wait()
        await super().handle(message)


def _message(n: int) -> dict[str, Any]:
    return {"type": "numbers", "n": n, "text": str(n)}


async def test_a_message_that_needs_work_holds_back_the_later_ones_in_order() -> None:
    socket = _Numbers()
    socket.deliver(_message(1))
    assert socket.sent == ["1"]  # written there and then, no task
    for n in (2, 3, 5):
        socket.deliver(_message(n))
    await asyncio.sleep(0)
    assert socket.sent == ["1"]  # 3 and 5 wait behind 2
    socket.database.set()
    assert socket.worker is not None
    await asyncio.wait_for(socket.worker, 5)
    assert socket.sent == ["1", "2", "3", "5"]
    socket.deliver(_message(7))
    assert socket.sent[-1] == "7"  # live again


async def test_a_lost_subscription_closes_the_socket_so_the_client_catches_up() -> None:
    socket = _Numbers()
    socket.layer_failed()
    socket.deliver(_message(1))
    assert socket.worker is not None
    await asyncio.wait_for(socket.worker, 5)
    assert socket.sent == [CLOSE_SERVER_ERROR]
    assert socket.backlog == [_message(1)]  # never sent on a socket being closed


class _Failing(_Numbers):
    async def handle(self, message: dict[str, Any]) -> None:
        raise ConnectionError("the database restarted")


async def test_a_backlog_that_fails_closes_the_socket_instead_of_leaving_it_deaf() -> None:
    socket = _Failing()
    socket.deliver(_message(2))  # needs the database, which fails
    assert socket.worker is not None
    await asyncio.wait_for(socket.worker, 5)
    assert socket.sent == [CLOSE_SERVER_ERROR]
    socket.deliver(_message(3))
    assert socket.sent == [CLOSE_SERVER_ERROR]  # nothing after the close


async def test_a_phone_that_stopped_reading_is_closed_not_queued_for_forever() -> None:
    socket = _Numbers()
    socket.deliver(_message(2))  # the worker waits on "the database"
    for n in range(3, 3 + 2 * BACKLOG_LIMIT):
        socket.deliver(_message(n))
    assert socket.backlog is not None
    assert len(socket.backlog) <= BACKLOG_LIMIT
    socket.database.set()
    assert socket.worker is not None
    await asyncio.wait_for(socket.worker, 5)
    assert socket.sent[-1] == CLOSE_SERVER_ERROR  # it reconnects and catches up
    assert len(socket.sent) < BACKLOG_LIMIT


async def test_an_end_while_connecting_closes_the_socket_when_it_would_go_live() -> None:
    """core/socket_ends.py: a log-out that lands during the connect's reads."""
    socket = _Numbers()
    socket.backlog = []  # connecting: pushes wait
    socket.deliver(_message(1))
    socket.end(4401)
    assert socket.sent == []  # not closed under the connect's feet
    await asyncio.wait_for(socket.go_live(), 5)
    assert socket.sent == [4401]  # closed instead of going live; the push never sent
    socket.deliver(_message(3))
    assert socket.sent == [4401]


async def test_an_end_on_a_live_socket_closes_it_and_nothing_follows() -> None:
    socket = _Numbers()
    socket.connected = True
    socket.end(4000)
    socket.deliver(_message(1))  # before the close task has run
    await asyncio.sleep(0)
    assert socket.sent == [4000]
    socket.end(4401)  # a second end: already closing
    await asyncio.sleep(0)
    assert socket.sent == [4000]


async def test_work_already_under_way_sends_nothing_after_an_end() -> None:
    """A catch-up or backlog reading the database when the log-in ends."""
    socket = _Numbers()
    socket.connected = True
    socket.deliver(_message(2))
    await asyncio.sleep(0)  # its handling has begun: it waits on "the database"
    assert socket.backlog == []
    socket.end(4401)
    await asyncio.sleep(0)
    socket.database.set()
    assert socket.worker is not None
    await asyncio.wait_for(socket.worker, 5)
    assert socket.sent == [4401]


class _Rereading(_Numbers):
    """A signed-in socket whose log-in, read again, gives what the test says."""

    def __init__(self, reread: Any) -> None:
        super().__init__()
        self.connected = True
        self.scope = {SCOPE_KEY: Watch(credential="s:x", person="p:7", since=0.0, reread=reread)}


async def test_a_re_read_that_fails_tries_again_later_not_at_once() -> None:
    async def database_away(scope: dict[str, Any]) -> Any:
        raise ConnectionError("the database restarted")

    socket = _Rereading(database_away)
    before = time.monotonic()
    socket.recheck()
    await asyncio.sleep(0.01)
    assert socket.sent == []  # not closed for it
    assert before + 300 <= socket.expires_at <= time.monotonic() + 900


async def test_a_socket_whose_client_left_counts_as_closing() -> None:
    """So a re-read or an end still running sends no close after the app returned."""
    socket = _Numbers()
    messages = [{"type": "websocket.disconnect", "code": 1000}]

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: dict[str, Any]) -> None:
        raise AssertionError(f"sent after the client left: {message}")

    await socket({"type": "websocket"}, receive, send)
    assert socket.closing
    socket.end(4401)
    await asyncio.sleep(0)  # nothing to send: no task, no error
