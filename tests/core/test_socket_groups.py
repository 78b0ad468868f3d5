"""LocalGroups on a real Redis layer: memberships are renewed before the layer forgets them."""

from __future__ import annotations

import asyncio
from typing import Any

from channels.layers import get_channel_layer
from channels_redis.core import RedisChannelLayer
from pytest_django.fixtures import Settings as SettingsWrapper

from core.socket_groups import LocalGroups
from tests.notifications.live import redis_layers

EXPIRY = 2  # seconds; channels_redis' default is a day


class _Member:
    def __init__(self) -> None:
        self.got: list[dict[str, Any]] = []

    def deliver(self, message: dict[str, Any]) -> None:
        self.got.append(message)

    def layer_failed(self) -> None:
        raise AssertionError("the layer did not fail")


def _short_lived_layer(settings: SettingsWrapper) -> RedisChannelLayer:
    layers = redis_layers(settings.REDIS_URL)
    layers["default"]["CONFIG"]["group_expiry"] = EXPIRY
    settings.CHANNEL_LAYERS = layers
    layer = get_channel_layer()
    assert isinstance(layer, RedisChannelLayer)
    return layer


async def _heard_after_expiry(hub: LocalGroups, *, renew: bool) -> bool:
    member = _Member()
    await hub.join("inbox.1", member)
    await asyncio.sleep(EXPIRY * 0.6)
    if renew:
        await hub.refresh(older_than=0)
    await asyncio.sleep(EXPIRY * 0.6)  # past the first add's expiry, not the renewal's
    await hub.layer.group_send("inbox.1", {"type": "inbox.unread", "text": "x"})
    await asyncio.sleep(0.3)
    await hub.leave("inbox.1", member)
    return bool(member.got)


async def test_a_renewed_membership_outlives_the_layers_expiry(settings: SettingsWrapper) -> None:
    layer = _short_lived_layer(settings)
    assert await _heard_after_expiry(LocalGroups(layer), renew=True)
    # Without renewal the layer drops the process from the group: what the
    # renewal is for (and proof that this test can fail).
    assert not await _heard_after_expiry(LocalGroups(layer), renew=False)
