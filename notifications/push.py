"""Best-effort pushes to WebSocket groups through the channel layer.

A push is a convenience on top of the database: every pushed thing can be read
again (timeline catch-up, the inbox). So a push that fails — Redis down,
restarting, full — is logged and dropped, never raised into the request or
worker that made the change; clients recover by catching up when they
reconnect.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.exceptions import ChannelFull
from channels.layers import get_channel_layer
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


async def groups_send_async(messages: Iterable[tuple[str, dict[str, Any]]]) -> int:
    """Send each (group, message); return how many were handed to the layer."""
    layer = get_channel_layer()
    if layer is None:
        return 0
    sent = 0
    for group, message in messages:
        try:
            await layer.group_send(group, message)
        except PUSH_ERRORS as exc:
            logger.warning("Push to %s dropped: %s: %s", group, type(exc).__name__, exc)
            continue
        sent += 1
    return sent


def groups_send(messages: Iterable[tuple[str, dict[str, Any]]]) -> int:
    """Synchronous groups_send_async, for on_commit callbacks and workers."""
    batch = list(messages)
    if not batch:
        return 0
    result: int = async_to_sync(groups_send_async)(batch)
    return result
