"""A follower whose connection cannot take more yet (a phone on a weak signal).

Its send waits (the server's write buffer is full); the others are served at
once, and it gets every event afterwards, in order, exactly once.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from helpdesk.consumers import CaseConsumer


def _pushed(event_id: int, prev: int) -> dict[str, Any]:
    event = {"id": event_id, "kind": "replied", "to_status": "", "body": f"#{event_id}"}
    text = json.dumps({"type": "event", "event": event})
    return {"type": "case.event", "event": event, "prev": prev, "text": text}


class _Socket:
    """The ASGI send of one connection; ``writable`` cleared = its buffer is full."""

    def __init__(self) -> None:
        self.writable = asyncio.Event()
        self.writable.set()
        self.received: list[int] = []

    async def send(self, message: dict[str, Any]) -> None:
        await self.writable.wait()
        self.received.append(json.loads(message["text"])["event"]["id"])


def _live_follower(socket: _Socket) -> CaseConsumer:
    """A follower past its handshake and catch-up, as CaseConsumer.__call__ leaves it."""
    follower = CaseConsumer()
    follower.base_send = socket.send
    follower.writer = None  # not behind uvicorn's wsproto: the ASGI send path
    follower.last_id = 10
    follower.backlog = None
    return follower


async def test_a_slow_follower_does_not_hold_up_the_others_and_loses_nothing() -> None:
    slow, quick = _Socket(), _Socket()
    slow.writable.clear()
    followers = [_live_follower(slow), _live_follower(quick)]
    for event_id, prev in ((11, 10), (12, 11), (13, 12)):
        message = _pushed(event_id, prev)
        for follower in followers:
            follower.deliver(message)  # as the group's pump does, without awaiting
    assert quick.received == [11, 12, 13]
    assert slow.received == []
    slow.writable.set()
    worker = followers[0].worker
    assert worker is not None
    await asyncio.wait_for(worker, 5)
    assert slow.received == [11, 12, 13]
    assert followers[0].backlog is None  # live again: the next push goes straight out
    followers[0].deliver(_pushed(14, 13))
    assert slow.received == [11, 12, 13, 14]


async def test_a_repeated_push_is_sent_once() -> None:
    socket = _Socket()
    follower = _live_follower(socket)
    message = _pushed(11, 10)
    follower.deliver(message)
    follower.deliver(message)
    assert socket.received == [11]
