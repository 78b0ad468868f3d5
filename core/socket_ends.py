"""Open sockets end with the log-in they were opened with, and follow a person's rights.

A socket learns who it serves once, at its handshake (accounts/ws_auth.py).
Without more, logging out of one tab, or revoking an app's bearer key, left
every socket already open streaming as before: an officer's other tab kept
receiving internal notes after /console/logout/. And a socket keeps what it
was allowed at connect (an officer's queue groups), so a role taken away went
on streaming that commune's cases.

So every process joins one group, ``sockets.ended``, once, and keeps which of
its sockets were opened with which credential (a session or a bearer key,
hashed: the secret itself never travels) and for which person. A message to
the group ends the matching sockets:

- a credential ended (log-out, a revoked key): close 4401, the client stops
  retrying and the page shows that it was signed out;
- a person changed (roles, seats, deactivation, password): close 4000, a code
  the client retries after its backoff (a second); the new handshake reads the
  person and their rights afresh (and is refused 4401 or 4403 if they are gone).

The handshake reads the person after the process has joined the group, and
remembers when it started: a message that arrives from then on, even before
the socket is registered, still ends it (``SocketEnds.watch``). One group for
all the sockets of a process, not one per person: joining a group costs a
channel and a receiving task in the layer.

Some ends send no message: a session that expires or is deleted without a
log-out, a bulk ``update()``, a message lost with Redis. So every
XADESK_WS_MAX_AGE_SECONDS (an hour, give or take a tenth, so that they do not
all come due at once) each socket's log-in is read again, as its handshake
read it: a socket whose log-in is gone closes 4401, one whose rights differ
from those it follows closes 4000 (``SocketEnds.sweep``).
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import time
import weakref
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from core.socket_groups import PerLoop, local_groups, loop_local

ENDED_GROUP = "sockets.ended"
MESSAGE_TYPE = "sockets.ended"
CLOSE_SIGNED_OUT = 4401  # as the consumers' "not authenticated": do not retry
CLOSE_ASK_AGAIN = 4000  # outside 4400-4499, so static/js/live.js reconnects
CLOSE_SERVER_ERROR = 1011
SWEEP_SECONDS = 60.0
# A message that arrived this long ago cannot concern a handshake still running.
REMEMBER_SECONDS = 300.0


def session_credential(session_key: str) -> str:
    return "s:" + hashlib.sha256(session_key.encode()).hexdigest()[:32]


def token_credential(key_hash: str) -> str:
    """``key_hash`` as ApiToken keeps it (accounts/auth.py): no key needed to end it."""
    return "t:" + key_hash[:32]


def person_key(user_id: int) -> str:
    return f"p:{user_id}"


def credential_ended_message(credential: str) -> dict[str, Any]:
    return {"type": MESSAGE_TYPE, "key": credential, "code": CLOSE_SIGNED_OUT}


def person_changed_message(user_id: int) -> dict[str, Any]:
    return {"type": MESSAGE_TYPE, "key": person_key(user_id), "code": CLOSE_ASK_AGAIN}


SCOPE_KEY = "socket_ends"  # a Watch, put in the socket's scope at the handshake
# Put in the scope instead when the group could not be joined (the channel
# layer is down): the socket is accepted and closed 1011, as any other socket
# whose layer is away.
LAYER_DOWN = "socket_ends_layer_down"


@dataclass(frozen=True, slots=True)
class Watch:
    """What ends a socket (its credential, its person) and when its handshake began reading.

    ``reread`` reads the socket's log-in again from its scope, as the
    handshake did: the person, read afresh, or None when it no longer logs
    anyone in (one function for every socket, accounts/ws_auth.py).
    """

    credential: str
    person: str
    since: float
    reread: Callable[[dict[str, Any]], Awaitable[Any | None]]

    @property
    def keys(self) -> tuple[str, str]:
        return (self.credential, self.person)


class EndableSocket(Protocol):
    # time.monotonic() after which its log-in is read again (SocketEnds.sweep).
    expires_at: float

    def end(self, code: int) -> None:
        """Close with ``code`` now, or as soon as the socket has connected."""

    def recheck(self) -> None:
        """Read the log-in again (in a task of its own); end the socket if it is gone."""


class SocketEnds:
    """This process's sockets by credential and person, and the group that ends them."""

    def __init__(self, layer: Any) -> None:
        self.layer = layer
        # Most keys have one socket (a person's one page): the socket itself,
        # a set only from the second on (~0.4 KiB less per person at 5,000).
        self.sockets: dict[str, EndableSocket | set[EndableSocket]] = {}
        # key -> (monotonic arrival, close code), for handshakes still reading;
        # forgotten in arrival order (``order``) after REMEMBER_SECONDS.
        self.arrived: dict[str, tuple[float, int]] = {}
        self.order: deque[tuple[float, str]] = deque()
        self.joining: asyncio.Task[None] | None = None
        # A socket's group failed (Redis restarted?): this group's membership
        # may be gone with it while its own receiver still waits.
        self.suspect = False
        self.suspicions = 0
        self.sweeper: asyncio.Task[None] | None = None
        self.renewing: asyncio.Task[None] | None = None
        self.failed_at = -math.inf  # when the group's receiver last failed

    async def ready(self) -> None:
        """Return once this process hears the group: every message sent from now on.

        The join runs in a task of its own: a handshake whose client leaves
        meanwhile must not cancel it for the others waiting on it.
        """
        joining = self.joining
        if joining is None or (
            joining.done() and (joining.cancelled() or joining.exception() is not None)
        ):
            joining = self.joining = asyncio.create_task(
                local_groups(self.layer).join(ENDED_GROUP, self)
            )
        await asyncio.shield(joining)
        if self.suspect:
            renewing = self.renewing
            if renewing is None or renewing.done():
                renewing = self.renewing = asyncio.create_task(self._renew())
            await asyncio.shield(renewing)
        if self.sweeper is None or self.sweeper.done():
            self.sweeper = asyncio.create_task(self._sweep_forever())

    def suspect_lost(self) -> None:
        """A group of this process failed: Redis may have lost this one's membership too."""
        self.suspect = True
        self.suspicions += 1

    async def _renew(self) -> None:
        seen = self.suspicions
        await local_groups(self.layer).renew(ENDED_GROUP)
        # Only once it worked, and only if no failure came meanwhile: else the
        # next handshake renews again.
        if self.suspicions == seen:
            self.suspect = False

    def watch(self, socket: EndableSocket, keys: Iterable[str], since: float) -> int | None:
        """Register ``socket`` under ``keys``; the close code of anything that
        ended one of them since ``since`` (when its handshake started reading)."""
        # The group's receiver failed after this handshake began: ends sent
        # since may not have been heard.
        code = CLOSE_SERVER_ERROR if self.failed_at >= since else None
        for key in keys:
            found = self.sockets.get(key)
            if found is None:
                self.sockets[key] = socket
            elif isinstance(found, set):
                found.add(socket)
            else:
                self.sockets[key] = {found, socket}
            arrived = self.arrived.get(key)
            if arrived is not None and arrived[0] >= since:
                code = stronger(code, arrived[1])
        return code

    def count(self, key: str) -> int:
        """How many of this process's sockets are registered under ``key``."""
        found = self.sockets.get(key)
        return len(found) if isinstance(found, set) else int(found is not None)

    def unwatch(self, socket: EndableSocket, keys: Iterable[str]) -> None:
        for key in keys:
            found = self.sockets.get(key)
            if found is socket:
                del self.sockets[key]
            elif isinstance(found, set):
                found.discard(socket)
                if not found:
                    del self.sockets[key]

    def _all(self) -> set[EndableSocket]:
        # Each socket is under two keys: each is ended once.
        return {
            socket
            for found in self.sockets.values()
            for socket in (found if isinstance(found, set) else (found,))
        }

    def end_all(self, code: int) -> None:
        for socket in self._all():
            socket.end(code)

    def sweep(self, now: float) -> int:
        """Read again the log-in of every socket past its age; return how many.

        The backstop for ends no message tells: a session that expired or
        was deleted without a log-out, a person deactivated by a bulk
        update, a message lost with Redis. Every XADESK_WS_MAX_AGE_SECONDS
        a socket's log-in is read as its handshake read it; one that logs
        nobody in any more closes 4401; one whose rights changed, the
        message saying so lost, closes 4000 (``GroupSocket.still_allowed``);
        the others go on untouched (no reconnect, so no page shows that it may
        have missed something).
        """
        old = [socket for socket in self._all() if socket.expires_at <= now]
        for socket in old:
            socket.recheck()
        return len(old)

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(SWEEP_SECONDS)
            self.sweep(time.monotonic())

    # --- called by the process's group subscription (core.socket_groups) ------------

    def deliver(self, message: dict[str, Any]) -> None:
        key, code = str(message["key"]), int(message["code"])
        now = time.monotonic()
        self.arrived[key] = (now, code)
        self.order.append((now, key))
        while self.order and now - self.order[0][0] >= REMEMBER_SECONDS:
            at, old = self.order.popleft()
            if self.arrived.get(old, (None,))[0] == at:
                del self.arrived[old]
        found = self.sockets.get(key)
        if isinstance(found, set):
            for socket in list(found):
                socket.end(code)
        elif found is not None:
            found.end(code)

    def layer_failed(self) -> None:
        # This group's receiver failed: ends sent from now on would not be
        # heard. Only one receiver of the process may see the failure, so the
        # other sockets' groups can look alive: close them all (they reconnect,
        # and the first handshake joins again).
        self.joining = None
        self.failed_at = time.monotonic()
        self.end_all(CLOSE_SERVER_ERROR)


def stronger(code: int | None, other: int) -> int:
    """Of two close codes, the one to send: signed out beats the others (no retry)."""
    return CLOSE_SIGNED_OUT if CLOSE_SIGNED_OUT in (code, other) else other


_socket_ends: PerLoop[SocketEnds] = weakref.WeakKeyDictionary()


def socket_ends(layer: Any) -> SocketEnds:
    """The SocketEnds of this event loop for ``layer``."""
    return loop_local(_socket_ends, layer, SocketEnds)
