"""The Redis channel layer, with a connection pool that waits instead of growing.

channels-redis gives each event loop a redis-py pool that opens a new
connection whenever all are busy and never closes one. When a thousand
sockets close at once (a village loses signal, nginx restarts), each
consumer's group_discard takes a connection at the same moment, the pool grows
to several hundred, and those stay open idle for the life of the process
(bench/soak.py measured 250-350 held after such a burst). A blocking pool of a
fixed size makes the burst wait a few milliseconds for a free connection
instead; each command holds one for well under a millisecond.
"""

from __future__ import annotations

from typing import Any

from channels_redis.core import RedisChannelLayer
from redis.asyncio import BlockingConnectionPool


class BoundedRedisChannelLayer(RedisChannelLayer):  # type: ignore[misc]  # untyped library
    # Seconds a command waits for a free connection before it fails: long
    # enough for any burst, short enough that a stuck Redis shows as an error.
    POOL_WAIT_SECONDS = 10

    def create_pool(self, index: int) -> Any:
        host = dict(self.hosts[index])
        address = host.pop("address")
        return BlockingConnectionPool.from_url(address, timeout=self.POOL_WAIT_SECONDS, **host)
