"""The channel layer's pool waits for a connection instead of growing (core/channel_layer.py).

Three hundred consumers leave their groups at the same moment, as when a
village's sockets all drop: against the real Redis, the layer never holds more
connections than its pool size, and every discard is done.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest
import redis
from django.conf import settings

from core.channel_layer import BoundedRedisChannelLayer

POOL = 8


def _named_clients(name: str) -> int:
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        return sum(1 for c in client.client_list() if c.get("name") == name)
    finally:
        client.close()


@pytest.mark.asyncio
async def test_a_burst_of_group_discards_waits_for_the_pool() -> None:
    name = f"xadesk-test-{uuid.uuid4().hex[:12]}"
    layer = BoundedRedisChannelLayer(
        hosts=[{"address": settings.REDIS_URL, "max_connections": POOL, "client_name": name}],
        prefix=f"test-{name}",
    )
    group = "case.1.public"
    channels = [f"specific.{n}!x" for n in range(300)]
    try:
        await asyncio.gather(*(layer.group_add(group, c) for c in channels))
        peak = 0

        async def watch() -> None:
            nonlocal peak
            for _ in range(50):
                peak = max(peak, await asyncio.to_thread(_named_clients, name))
                await asyncio.sleep(0.005)

        watcher = asyncio.create_task(watch())
        await asyncio.gather(*(layer.group_discard(group, c) for c in channels))
        await watcher
        held = await asyncio.to_thread(_named_clients, name)
        print(f"300 discards at once: peak {peak}, held after {held} connections (pool {POOL})")
        assert 0 < held <= POOL
        assert peak <= POOL
        connection = layer.connection(layer.consistent_hash(group))
        assert await connection.zcard(layer._group_key(group)) == 0
    finally:
        await layer.flush()
