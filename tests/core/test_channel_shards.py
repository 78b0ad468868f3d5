"""The channel layer spread over several Redis servers (CHANNEL_REDIS_URLS).

Past one Redis, pushes are sharded by a consistent hash of the channel or
group name; these tests run the layer the settings build on two real
redis-servers and show a push reaches its socket's channel whichever server
holds its group, and that both servers carry a share.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from core.channel_layer import BoundedRedisChannelLayer
from tests.notifications.live import PrivateRedis, private_redis

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def two_redis(tmp_path: Path) -> Iterator[tuple[PrivateRedis, PrivateRedis]]:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = private_redis(tmp_path / "a")
    second = private_redis(tmp_path / "b")
    a, b = next(first), next(second)
    try:
        yield a, b
    finally:
        for started in (first, second):
            next(started, None)


def _layer_config(env: dict[str, str]) -> dict[str, object]:
    """CHANNEL_LAYERS["default"] as config/settings.py builds it from ``env``."""
    code = (
        "import json, django; django.setup(); from django.conf import settings;"
        "print(json.dumps(settings.CHANNEL_LAYERS['default']))"
    )
    done = subprocess.run(  # noqa: S603 - this interpreter, the project's settings
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    config: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return config


def test_settings_build_one_shard_per_listed_server() -> None:
    urls = "redis://10.0.0.1:6379/0, redis://10.0.0.2:6379/0"
    config = _layer_config({"CHANNEL_REDIS_URLS": urls, "CHANNEL_LAYER": "redis"})
    hosts = config["CONFIG"]["hosts"]  # type: ignore[index]
    assert [h["address"] for h in hosts] == ["redis://10.0.0.1:6379/0", "redis://10.0.0.2:6379/0"]
    # Each shard keeps the pool's limits (config/settings.py, _REDIS_OPTIONS).
    assert all(h["socket_timeout"] >= 6 and h["max_connections"] >= 4 for h in hosts)


def test_settings_refuse_an_address_that_is_no_redis_url() -> None:
    code = (
        "import django; django.setup(); from django.conf import settings; settings.CHANNEL_LAYERS"
    )
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "CHANNEL_REDIS_URLS": "10.0.0.1:6379",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "CHANNEL_REDIS_URLS must be one or more redis://" in done.stderr


def _group_keys(server: PrivateRedis) -> int:
    client = redis.Redis.from_url(server.url)
    try:
        return sum(1 for _ in client.scan_iter(match="*group*"))
    finally:
        client.close()


def test_pushes_reach_sockets_whichever_server_holds_their_group(
    two_redis: tuple[PrivateRedis, PrivateRedis],
) -> None:
    a, b = two_redis
    config = _layer_config({"CHANNEL_REDIS_URLS": f"{a.url},{b.url}", "CHANNEL_LAYER": "redis"})
    assert config["BACKEND"] == "core.channel_layer.BoundedRedisChannelLayer"
    options = dict(config["CONFIG"])  # type: ignore[call-overload]
    groups = [f"case-{n}" for n in range(40)]
    shares: dict[int, int] = {}

    async def scenario() -> list[str]:
        # Two layers as two processes would build them: one holds the
        # socket's channel, the other sends (an HTTP worker after a commit).
        holder = BoundedRedisChannelLayer(**options)
        sender = BoundedRedisChannelLayer(**options)
        channel = await holder.new_channel()
        for group in groups:
            await holder.group_add(group, channel)
        shares.update({server.port: _group_keys(server) for server in (a, b)})
        for group in groups:
            await sender.group_send(group, {"type": "case.update", "group": group})
        got = [(await asyncio.wait_for(holder.receive(channel), 10))["group"] for _ in groups]
        await holder.flush()
        await holder.close_pools()
        await sender.close_pools()
        return got

    received = asyncio.run(scenario())

    assert sorted(received) == sorted(groups)
    # Both servers carry a share of the groups, and together all of them.
    assert shares[a.port] > 0
    assert shares[b.port] > 0
    assert shares[a.port] + shares[b.port] == len(groups)
