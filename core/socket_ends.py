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
- a person changed (roles, deactivation, password): close 4000, a code the
  client retries at once; the new handshake reads the person and their rights
  afresh (and is refused 4401 if they are gone).

The handshake reads the person after the process has joined the group, and
remembers when it started: a message that arrives from then on, even before
the socket is registered, still ends it (``SocketEnds.watch``). One group for
all the sockets of a process, not one per person: joining a group costs a
channel and a receiving task in the layer.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from core.socket_groups import PerLoop, local_groups, loop_local

ENDED_GROUP = "sockets.ended"
MESSAGE_TYPE = "sockets.ended"
CLOSE_SIGNED_OUT = 4401  # as the consumers' "not authenticated": do not retry
CLOSE_ASK_AGAIN = 4000  # outside 4400-4499, so static/js/live.js reconnects
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


@dataclass(frozen=True, slots=True)
class Watch:
    """What ends a socket (its credential, its person) and when its handshake began reading."""

    credential: str
    person: str
    since: float

    @property
    def keys(self) -> tuple[str, str]:
        return (self.credential, self.person)


class EndableSocket(Protocol):
    def end(self, code: int) -> None:
        """Close with ``code`` now, or as soon as the socket has connected."""


class SocketEnds:
    """This process's sockets by credential and person, and the group that ends them."""

    def __init__(self, layer: Any) -> None:
        self.layer = layer
        # Most keys have one socket (a person's one page): the socket itself,
        # a set only from the second on (~0.4 KiB less per person at 5,000).
        self.sockets: dict[str, EndableSocket | set[EndableSocket]] = {}
        # key -> (monotonic arrival, close code), for handshakes still reading.
        self.arrived: dict[str, tuple[float, int]] = {}
        self.joined: asyncio.Future[None] | None = None

    async def ready(self) -> None:
        """Return once this process hears the group: every message sent from now on."""
        if self.joined is None:
            self.joined = asyncio.get_running_loop().create_future()
            try:
                await local_groups(self.layer).join(ENDED_GROUP, self)
            except BaseException as exc:
                joined, self.joined = self.joined, None
                joined.set_exception(exc)
                joined.exception()  # retrieved: the waiters re-raise it
                raise
            self.joined.set_result(None)
            return
        await asyncio.shield(self.joined)

    def watch(self, socket: EndableSocket, keys: Iterable[str], since: float) -> int | None:
        """Register ``socket`` under ``keys``; the close code of anything that
        ended one of them since ``since`` (when its handshake started reading)."""
        code = None
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
                code = _stronger(code, arrived[1])
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

    # --- called by the process's group subscription (core.socket_groups) ------------

    def deliver(self, message: dict[str, Any]) -> None:
        key, code = str(message["key"]), int(message["code"])
        now = time.monotonic()
        self.arrived[key] = (now, code)
        if len(self.arrived) > 1000:  # log-outs are rare: pruned now and then
            self.arrived = {k: v for k, v in self.arrived.items() if now - v[0] < REMEMBER_SECONDS}
        found = self.sockets.get(key)
        if isinstance(found, set):
            for socket in list(found):
                socket.end(code)
        elif found is not None:
            found.end(code)

    def layer_failed(self) -> None:
        # Every socket's own groups failed with it, so they close and reconnect;
        # the next handshake joins again.
        self.joined = None


def _stronger(code: int | None, other: int) -> int:
    # Signed out beats asked again: the client must not retry.
    return CLOSE_SIGNED_OUT if CLOSE_SIGNED_OUT in (code, other) else other


_socket_ends: PerLoop[SocketEnds] = weakref.WeakKeyDictionary()


def socket_ends(layer: Any) -> SocketEnds:
    """The SocketEnds of this event loop for ``layer``."""
    return loop_local(_socket_ends, layer, SocketEnds)
