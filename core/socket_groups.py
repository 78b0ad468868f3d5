"""One channel-layer member per group and process, shared by all its sockets.

With ``RedisChannelLayer`` a group of N sockets costs N copies of each message
written to Redis and popped back one by one (bench/ws_fanout.py: p99 seconds at
1,000 sockets), and each socket keeps a channel of its own there. Here each
server process joins a group once, however many of its sockets follow it, and
hands every message to those sockets itself, in one loop; a socket needs no
channel in the layer. ``core.group_socket.GroupSocket`` is the consumer side.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Callable
from typing import Any, Protocol

logger = logging.getLogger(__name__)

REFRESH_SECONDS = 3600  # re-add well before channels_redis' group_expiry (a day)


class GroupMember(Protocol):
    """A socket following a group: the hub hands it each message, synchronously."""

    def deliver(self, message: dict[str, Any]) -> None:
        """Take one message; must not block (start a task for slow work)."""

    def layer_failed(self) -> None:
        """The group's subscription died (e.g. Redis restarted): close, the client catches up."""


class _Group:
    def __init__(self) -> None:
        self.members: set[GroupMember] = set()
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.channel = ""
        self.added = 0.0
        self.task: asyncio.Task[None] | None = None


class LocalGroups:
    """The process's membership of channel-layer groups, shared by its sockets.

    ``join(group, member)`` hands every message sent to the group to
    ``member.deliver``, in the order the layer delivers them; it returns once
    the group membership exists in the layer (so what is committed after it is
    delivered). The hub calls every member in one loop, without a task or a
    queue per socket: at 5,000 sockets a queue and a dispatch task per socket
    cost ~170 µs each per event (bench/ws_fanout.py). If the layer fails while
    receiving, every member's ``layer_failed`` is called and the group is
    forgotten, so the next join starts afresh.
    """

    def __init__(self, layer: Any) -> None:
        self.layer = layer
        self.groups: dict[str, _Group] = {}
        self.refresher: asyncio.Task[None] | None = None

    async def join(self, group: str, member: GroupMember) -> None:
        entry = self.groups.get(group)
        if entry is not None:
            entry.members.add(member)
            await asyncio.shield(entry.ready)
            return
        entry = self.groups[group] = _Group()
        entry.members.add(member)
        try:
            entry.channel = await self.layer.new_channel()
            await self.layer.group_add(group, entry.channel)
        except BaseException as exc:
            if self.groups.get(group) is entry:
                del self.groups[group]
            entry.ready.set_exception(exc)
            entry.ready.exception()  # retrieved: the joiners re-raise it
            raise
        entry.added = time.monotonic()
        entry.task = asyncio.create_task(self._pump(group, entry))
        entry.ready.set_result(None)
        if self.refresher is None or self.refresher.done():
            self.refresher = asyncio.create_task(self._refresh_forever())

    async def leave(self, group: str, member: GroupMember) -> None:
        entry = self.groups.get(group)
        if entry is None or member not in entry.members:
            return
        entry.members.discard(member)
        if entry.members:
            return
        del self.groups[group]
        if not self.groups and self.refresher is not None:
            self.refresher.cancel()
            self.refresher = None
        try:
            await asyncio.shield(entry.ready)
        except Exception:  # noqa: BLE001 - the join failed: nothing to undo
            return
        if entry.task is not None:
            entry.task.cancel()
        try:
            await self.layer.group_discard(group, entry.channel)
        except Exception as exc:  # noqa: BLE001 - it expires in the layer anyway
            logger.info("Leaving %s: %s: %s", group, type(exc).__name__, exc)

    async def renew(self, group: str) -> None:
        """Add this process's membership of ``group`` again (Redis may have lost it)."""
        entry = self.groups.get(group)
        if entry is None or not entry.ready.done() or entry.ready.exception() is not None:
            return
        await self.layer.group_add(group, entry.channel)
        entry.added = time.monotonic()

    async def _refresh_forever(self) -> None:
        """Renew every membership before the layer expires it.

        channels_redis forgets a group member after ``group_expiry`` (a day); an
        inbox socket open all day on an officer's screen would otherwise stop
        hearing anything, with no error anywhere.
        """
        while True:
            await asyncio.sleep(REFRESH_SECONDS)
            await self.refresh(older_than=REFRESH_SECONDS)

    async def refresh(self, *, older_than: float) -> None:
        """Re-add each membership last added more than ``older_than`` seconds ago."""
        now = time.monotonic()
        for group, entry in list(self.groups.items()):
            if not entry.ready.done() or entry.ready.exception() is not None:
                continue
            if now - entry.added < older_than:
                continue
            try:
                await self.layer.group_add(group, entry.channel)
            except Exception as exc:  # noqa: BLE001 - the pump notices a dead layer
                logger.warning("Renewing %s: %s: %s", group, type(exc).__name__, exc)
                continue
            entry.added = now

    async def _pump(self, group: str, entry: _Group) -> None:
        while True:
            try:
                message = await self.layer.receive(entry.channel)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - e.g. Redis restarted
                logger.warning("Group %s lost: %s: %s", group, type(exc).__name__, exc)
                if self.groups.get(group) is entry:
                    del self.groups[group]
                for member in list(entry.members):
                    member.layer_failed()
                return
            # A copy: a member may leave while the others are served.
            for member in list(entry.members):
                try:
                    member.deliver(message)
                except Exception:  # one broken socket must not starve the others
                    logger.exception("Delivering to a member of %s", group)


class _OfLayer(Protocol):
    layer: Any


type PerLoop[T] = weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, T]]


def loop_local[T: _OfLayer](store: PerLoop[T], layer: Any, make: Callable[[Any], T]) -> T:
    """The one ``make(layer)`` of this event loop in ``store`` (tests run several loops)."""
    per_layer = store.setdefault(asyncio.get_running_loop(), {})
    found = per_layer.get(id(layer))
    if found is None or found.layer is not layer:
        found = per_layer[id(layer)] = make(layer)
    return found


_local_groups: PerLoop[LocalGroups] = weakref.WeakKeyDictionary()


def local_groups(layer: Any) -> LocalGroups:
    """The LocalGroups of this event loop for ``layer``."""
    return loop_local(_local_groups, layer, LocalGroups)
