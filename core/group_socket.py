"""A WebSocket consumer that follows channel-layer groups without a channel of its own.

The process joins each group once (``core.socket_groups.LocalGroups``), which
calls ``deliver`` on every following socket in one loop. A message that can go
out as it is (its ``text``, encoded once by the publisher: ``group_message``)
is written there and then, without a task of its own; anything that needs the
database, or a socket that cannot take more yet, moves the socket to its
``backlog``, which one task works through in order, so a slow phone never holds
up the others and never loses or reorders a message. The case, queue and inbox
streams are built on it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import random
import time
from collections.abc import Awaitable, Coroutine, Generator
from typing import Any

from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings

from core.socket_ends import (
    CLOSE_ASK_AGAIN,
    CLOSE_SIGNED_OUT,
    LAYER_DOWN,
    SCOPE_KEY,
    Watch,
    person_key,
    socket_ends,
    stronger,
)
from core.socket_groups import local_groups
from core.websocket_frames import FrameWriter, text_frame

logger = logging.getLogger(__name__)

CLOSE_SERVER_ERROR = 1011
CLOSE_TRY_AGAIN_LATER = 1013
LAYER_FAILED = "local.layer_failed"  # put in the backlog when a group's subscription died
# A socket this far behind (a phone that stopped reading) is closed rather than
# queued for: it reconnects and catches up from the database.
BACKLOG_LIMIT = 500
# What a socket does with a pushed message (GroupSocket.decide).
SEND, SKIP, SLOW = "send", "skip", "slow"


def socket_json(content: Any) -> str:
    """JSON for a socket, with letters as they are.

    ``json.dumps`` escapes every non-ASCII character to six bytes (``\\u1ed9``)
    where UTF-8 takes two or three: a three-sentence reply pushed with its
    officer's name was 465 bytes escaped, 356 as it is, on a phone's data. A
    WebSocket text frame is UTF-8 anyway.
    """
    return json.dumps(content, ensure_ascii=False)


def group_message(kind: str, payload: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A message for the sockets of a group: ``payload`` encoded once, for all of them.

    Every following socket sends ``text`` as it is, so thousands of them cost
    one encoding; ``extra`` carries what a socket needs to decide (an event's
    id, say), not a second copy of the payload.
    """
    return {"type": kind, "text": socket_json(payload), **extra}


class GroupSocket(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    """One socket that sends its groups' messages; a subclass may ``decide`` and ``handle``.

    ``connect`` of a subclass calls ``follow`` for each group, sends what the
    client needs to start from (read after following, so nothing committed in
    between is missed), then ``go_live``: what arrived meanwhile is handled in
    order, and from then on messages go out as they come.
    """

    groups: list[str] = []  # channels' own group list: unused, no channel of its own
    worker: asyncio.Task[None] | None = None  # works through the backlog
    closing = False  # a close was sent: nothing more goes out
    connected = False  # go_live ran: an end closes at once
    ended: int | None = None  # the close code of an end that came while connecting
    too_many = False  # the person holds more sockets here than WS_SOCKETS_PER_PERSON
    expires_at = math.inf  # when its log-in is read again (core/socket_ends.py, sweep)

    async def websocket_connect(self, message: dict[str, Any]) -> None:
        if self.ended == CLOSE_SERVER_ERROR:
            # The channel layer is down (accounts/ws_auth.py could not join
            # core/socket_ends.py's group), or that group's receiver failed
            # during this handshake: ends might not be heard. The client
            # retries later, as for any socket whose layer is away.
            await self.accept()
            await self.close(code=CLOSE_SERVER_ERROR)
            return
        if self.too_many:
            # One person holding more sockets in this process than any pages
            # need (XADESK_WS_SOCKETS_PER_PERSON): refused before the stream's
            # own reads (the handshake has read the person once). 1013 is "try
            # again later": static/js/live.js polls and retries with backoff,
            # and gets in once the person closed a page.
            await self.accept()
            await self.close(code=CLOSE_TRY_AGAIN_LATER)
            return
        await super().websocket_connect(message)

    async def websocket_receive(self, message: dict[str, Any]) -> None:
        # These sockets only send: no client message is read. Channels decoded
        # every frame as JSON anyway, and a frame that was none (text, binary,
        # empty, nested past the recursion limit) broke the socket with a
        # traceback. uvicorn is also told to refuse frames over a few KiB
        # (scripts/serve.sh --ws-max-size).
        return None

    async def send(
        self, text_data: str | None = None, bytes_data: bytes | None = None, close: bool = False
    ) -> None:
        # Nothing more once the log-in ended (a catch-up still reading, a
        # backlog being worked through) or a close went out.
        if self.closing or (self.ended is not None and not close):
            return
        await super().send(text_data=text_data, bytes_data=bytes_data, close=close)

    @classmethod
    async def encode_json(cls, content: Any) -> str:
        # What send_json sends (the catch-up, counts) as the pushes are sent.
        return socket_json(content)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.scope = scope
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        self.base_send = send
        self.writer = FrameWriter.for_send(send)
        self.following: list[str] = []
        # Pushes wait here while the socket connects, catches up or is slow; None = live.
        self.backlog: list[dict[str, Any]] | None = []
        # Set by accounts' PersonMiddleware for a signed-in person: the socket
        # ends with their log-in and follows their rights (core/socket_ends.py).
        watch: Watch | None = scope.get(SCOPE_KEY)
        ends = socket_ends(self.channel_layer) if watch is not None else None
        if scope.get(LAYER_DOWN):
            self.ended = CLOSE_SERVER_ERROR
        elif ends is not None and watch is not None:
            limit = settings.WS_SOCKETS_PER_PERSON
            if limit and ends.count(watch.person) >= limit:
                self.too_many = True  # refused at connect; not counted
                ends = None
            else:
                self.expires_at = _expiry(watch.since)
                self.ended = ends.watch(self, watch.keys, watch.since)
        try:
            while True:
                await self.dispatch(await receive())
        except StopConsumer:
            pass
        finally:
            self.closing = True  # gone: a re-read or an end still running sends nothing
            if ends is not None and watch is not None:
                ends.unwatch(self, watch.keys)
            if self.worker is not None:
                self.worker.cancel()
            hub = local_groups(self.channel_layer)
            for group in self.following:
                try:
                    await hub.leave(group, self)
                except Exception:  # still leave the others
                    logger.exception("Leaving %s", group)

    async def dispatch(self, message: dict[str, Any]) -> None:
        # channels' own dispatch first runs close_old_connections on the
        # database thread for every message the client sends: one more hop to
        # that thread per connect, and asgiref then writes that thread's
        # contextvars back into this socket's task, which keeps them as long as
        # the socket is open (core.socket_database). Every database call of
        # these sockets goes through socket_database, which closes old
        # connections before and after, as channels' database_sync_to_async does.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def follow(self, group: str) -> None:
        """Join ``group``: from now on its messages reach this socket, in order."""
        self.following.append(group)
        await local_groups(self.channel_layer).join(group, self)

    async def go_live(self) -> None:
        """Handle what arrived while connecting; then messages go out as they come."""
        self.connected = True
        if self.writer is not None:  # accepted: the handshake's headers are done with
            self.writer.forget_handshake()
        if self.ended is not None:  # logged out, or rights changed, while connecting
            await self.close(code=self.ended)
            return
        await self._drain_backlog()

    def end(self, code: int) -> None:
        """The log-in ended or the person's rights changed (core/socket_ends.py)."""
        if self.closing:
            return
        if not self.connected:
            self.ended = stronger(self.ended, code)  # go_live closes
            return
        self.closing = True  # nothing more goes out from now on
        task = asyncio.create_task(super().close(code=code))
        _closing.add(task)
        task.add_done_callback(_closing.discard)

    def recheck(self) -> None:
        """Read the log-in again, as the handshake did (core/socket_ends.py, sweep)."""
        if self.closing:
            return
        self.expires_at = math.inf  # not swept again while this runs
        task = asyncio.create_task(self._recheck())
        _closing.add(task)
        task.add_done_callback(_closing.discard)

    async def _recheck(self) -> None:
        try:
            watch: Watch = self.scope[SCOPE_KEY]
            person = await watch.reread(self.scope)
            allowed = person is not None and await self.still_allowed(person)
        except Exception as exc:  # noqa: BLE001 - the database away: try again later
            logger.warning("Reading a socket's log-in again: %s: %s", type(exc).__name__, exc)
            # Not every socket at the next sweep: the database thread is shared.
            self.expires_at = time.monotonic() + random.uniform(300, 900)
            return
        if self.closing:  # closed meanwhile
            return
        if person is None or person_key(person.pk) != watch.person:
            self.end(CLOSE_SIGNED_OUT)
        elif not allowed:
            # Rights changed and the message saying so was lost (Redis away):
            # reconnect, and the handshake reads them afresh.
            self.end(CLOSE_ASK_AGAIN)
        else:
            self.expires_at = _expiry(time.monotonic())

    async def still_allowed(self, person: Any) -> bool:
        """Whether what the socket was opened with still holds for ``person`` (read
        afresh): a subclass that follows groups of the person's rights compares them."""
        return True

    # --- what a subclass may change -------------------------------------------------

    def decide(self, message: dict[str, Any]) -> str:
        """SEND the message's text now, SKIP it, or handle it off the shared loop (SLOW).

        Runs on the loop shared with every other socket: it must not wait.
        """
        return SEND

    async def handle(self, message: dict[str, Any]) -> None:
        """A pushed message from the backlog, in order (may use the database)."""
        await self.send(text_data=message["text"])

    # --- called by the process's group subscription (core.socket_groups) ------------

    async def close(self, code: int | bool | None = None, reason: str | None = None) -> None:
        self.closing = True
        await super().close(code=code, reason=reason)

    def deliver(self, message: dict[str, Any]) -> None:
        if self.closing:
            return
        if self.backlog is not None:
            if len(self.backlog) >= BACKLOG_LIMIT:
                # In place: the worker holds this very list.
                self.backlog[:] = [{"type": LAYER_FAILED}]
                return
            self.backlog.append(message)
            return
        decision = self.decide(message)
        if decision == SKIP:
            return
        if decision == SLOW:
            self._work_on([message])
            return
        if self.writer is not None:
            frame = message.get("frame")
            if frame is None:  # the same message object goes to every socket: encode once
                frame = message["frame"] = text_frame(message["text"])
            if self.writer.write(frame):
                return
        # The send runs to its end right here unless the socket's write buffer
        # is full; only then does the rest become a task that later pushes wait behind.
        send = self.base_send({"type": "websocket.send", "text": message["text"]})
        try:
            rest = run_until_blocked(send)
        except Exception:  # noqa: BLE001 - a closed socket: its receive loop ends it
            return
        if rest is not None:
            self._work_on([], after=rest)

    def layer_failed(self) -> None:
        # The layer may have lost the process's other memberships with this
        # one, the group that ends sockets included: its next handshake
        # renews it (core/socket_ends.py).
        socket_ends(self.channel_layer).suspect_lost()
        # Reconnect and catch up; meanwhile the page polls the HTTP catch-up.
        if self.backlog is not None:
            self.backlog.append({"type": LAYER_FAILED})
        else:
            self._work_on([{"type": LAYER_FAILED}])

    def _work_on(self, messages: list[dict[str, Any]], after: Any = None) -> None:
        self.backlog = messages
        self.worker = asyncio.create_task(self._work(after))

    async def _work(self, after: Any = None) -> None:
        if after is not None:
            try:
                await after
            except Exception:  # noqa: BLE001 - the socket closed; its receive loop ends it
                return
        try:
            await self._drain_backlog()
        except Exception:
            # E.g. the database restarting during a catch-up. A socket left
            # behind would look live and get nothing more: close it, and the
            # client reconnects and catches up.
            logger.exception("A socket's backlog failed; closing it")
            if not self.closing:
                await self.close(code=CLOSE_SERVER_ERROR)

    async def _drain_backlog(self) -> None:
        """Handle what waited, in order; then the socket is live again."""
        backlog = self.backlog or []
        while backlog and not self.closing:
            message = backlog.pop(0)
            if message["type"] == LAYER_FAILED:
                await self.close(code=CLOSE_SERVER_ERROR)
                return  # stays out of the live path until it is gone
            await self.handle(message)
        if not self.closing:
            self.backlog = None


def _expiry(start: float) -> float:
    """When a socket's log-in is next read again: WS_MAX_AGE_SECONDS from ``start``,
    spread by a tenth either way, so sockets opened together (a restart) do not
    all come due together; never with 0."""
    max_age = settings.WS_MAX_AGE_SECONDS
    return start + max_age * random.uniform(0.9, 1.1) if max_age else math.inf


# Closes and re-checks started by ``end`` and ``recheck``, kept referenced
# until done (asyncio holds tasks weakly).
_closing: set[asyncio.Task[None]] = set()


def run_until_blocked(coro: Coroutine[Any, Any, Any]) -> Awaitable[Any] | None:
    """Run ``coro`` here and now; None if it finished, else an awaitable of the rest.

    For a send to one of thousands of sockets: it nearly always finishes without
    waiting (uvicorn writes the frame and returns), and a task per socket and
    event cost more than the send. Exceptions raised before it waits propagate.
    """
    try:
        waiting_on = coro.send(None)
    except StopIteration:
        return None
    return _Rest(coro, waiting_on)


class _Rest:
    """The rest of a coroutine that has already yielded once, as ``yield from`` would run it."""

    def __init__(self, coro: Coroutine[Any, Any, Any], waiting_on: Any) -> None:
        self.coro = coro
        self.waiting_on = waiting_on

    def __await__(self) -> Generator[Any, Any, Any]:
        value = self.waiting_on
        while True:
            try:
                sent = yield value
            except GeneratorExit:
                self.coro.close()
                raise
            except BaseException as exc:  # noqa: BLE001 - handed to the coroutine, as yield from does
                try:
                    value = self.coro.throw(exc)
                except StopIteration as stop:
                    return stop.value
            else:
                try:
                    value = self.coro.send(sent)
                except StopIteration as stop:
                    return stop.value
