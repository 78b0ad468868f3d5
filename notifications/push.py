"""Best-effort pushes to WebSocket groups through the channel layer.

A push is a convenience on top of the database: every pushed thing can be read
again (timeline catch-up, the inbox). So a push that fails — Redis down,
restarting, full — is logged and dropped, never raised into the request or
worker that made the change; clients recover by catching up when they
reconnect.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
import threading
from collections.abc import Coroutine, Iterable, Mapping
from typing import Any

from asgiref.sync import async_to_sync
from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer, get_channel_layer
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What a broken or absent layer raises: connection refused/reset, redis-py
# errors, timeouts, a full group queue.
PUSH_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    RedisError,
    ChannelFull,
    asyncio.TimeoutError,
)


def inbox_group(user_id: int) -> str:
    return f"inbox.{user_id}"


async def groups_send_async(
    messages: Iterable[tuple[str, Mapping[str, Any]]], layer: Any = None
) -> int:
    """Send each (group, message); return how many were handed to the layer."""
    layer = layer or get_channel_layer()
    if layer is None:
        return 0
    # Several in flight at once: a change that tells thousands of inboxes waits
    # for Redis round trips side by side, not one after another (each group is
    # a different person or stream, so their order does not matter; started in
    # the given order, the first group is still sent first).
    in_flight = asyncio.Semaphore(PUSHES_IN_FLIGHT)
    dropped: list[tuple[str, BaseException]] = []

    async def send(group: str, message: Mapping[str, Any]) -> bool:
        async with in_flight:
            try:
                await layer.group_send(group, dict(message))
            except PUSH_ERRORS as exc:
                dropped.append((group, exc))
                return False
            except Exception as exc:  # a bug, not the layer: logged, the others still go
                logger.exception("Push to %s failed", group)
                dropped.append((group, exc))
                return False
            return True

    results = await asyncio.gather(*(send(group, message) for group, message in messages))
    if dropped:  # one line, not one per follower, when Redis is away
        group, exc = dropped[0]
        logger.warning(
            "%d push(es) dropped, e.g. to %s: %s: %s",
            len(dropped),
            group,
            type(exc).__name__,
            exc,
        )
    return sum(results)


PUSHES_IN_FLIGHT = 32


def groups_send(messages: Iterable[tuple[str, Mapping[str, Any]]]) -> int:
    """Synchronous groups_send_async, for on_commit callbacks and workers."""
    batch = list(messages)
    layer = get_channel_layer()
    if not batch or layer is None:
        return 0
    if isinstance(layer, InMemoryChannelLayer):
        # Its queues live in the serving process's own event loop: asgiref runs
        # the send there (this code runs in one of that loop's sync threads).
        result: int = async_to_sync(groups_send_async)(batch, layer)
        return result
    try:
        return _push_loop.run(groups_send_async(batch, layer), timeout=PUSH_TIMEOUT_SECONDS)
    except TimeoutError:
        logger.warning("Pushes to %s dropped: no answer in %s s", batch[0][0], PUSH_TIMEOUT_SECONDS)
        return 0


PUSH_TIMEOUT_SECONDS = 5.0


class _PushLoop:
    """A thread with an event loop of its own, for pushes made by synchronous code.

    async_to_sync from a plain thread (a gunicorn worker, the delivery worker)
    makes a new event loop per call, and so a new Redis connection: ~5 ms before
    the first PUBLISH of each change, most of the latency at 1,000 followers
    (bench/ws_fanout.py). This loop lives as long as its process, and the
    channel layer keeps its connection per loop; a forked child starts its own.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pid = 0

    def run(self, coro: Coroutine[Any, Any, int], *, timeout: float) -> int:
        future = asyncio.run_coroutine_threadsafe(coro, self._running_loop())
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError from None

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._pid != os.getpid():
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="pushes", daemon=True).start()
                self._loop, self._pid = loop, os.getpid()
            return self._loop


_push_loop = _PushLoop()
