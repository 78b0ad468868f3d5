"""WebSocket streams of the case core: one case, and an officer's queue.

``/ws/cases/<number>/[?after=<event id>]`` — the case's timeline. With
``after`` the socket first sends every event after that id (read from the
database with the same visibility as GET /api/v1/helpdesk/cases/<number>?after=),
then live events, in id order, without gaps or duplicates. Without ``after`` it
sends only what happens from now on. Messages:
``{"type": "event", "event": {...}}`` (the shape of the HTTP EventOut) and
``{"type": "synced", "last_id": n}`` once subscribed (and after each catch-up):
from then on nothing is missed.

``/ws/queue/`` — new, changed and transferred tickets in the officer's scope:
``{"type": "ticket", "ticket": {...}, "event_kind": "..."}``.

Close codes (sent after accepting, so browsers can read them; clients must
not reconnect on 44xx):
- 4400  bad request (``after`` is not a whole number)
- 4401  not authenticated (log in, or send an API token)
- 4403  forbidden: the case is handled by another department or commune, the
        person lost access (a transfer), or the queue is asked for by a
        non-officer
- 4404  no such case, or not one the person may see (residents cannot tell
        the two apart, as over HTTP)
- 1011  server error (e.g. the channel layer is unreachable): reconnect later;
        meanwhile poll the HTTP catch-up
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer

from core.websocket_frames import FrameWriter, text_frame
from helpdesk import errors
from helpdesk.live import case_group, event_payload, local_groups, run_until_blocked
from helpdesk.models import Ticket, TicketEvent
from helpdesk.permissions import Scope, can_manage, scope_for
from helpdesk.selectors import ticket_get, ticket_timeline

CLOSE_BAD_REQUEST = 4400
CLOSE_NOT_AUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_SERVER_ERROR = 1011
CATCH_UP_BATCH = 500
LAYER_FAILED = "local.layer_failed"  # put in the backlog when the group's subscription died
SKIP, CATCH_UP, SEND = "skip", "catch_up", "send"  # what a pushed event needs (CaseConsumer._step)


def _query_param(scope: dict[str, Any], name: str) -> str | None:
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get(name)
    return values[0] if values else None


def _case_access(user: object, number: str) -> tuple[Scope, Ticket, bool]:
    scope = scope_for(user=user)
    ticket = ticket_get(scope=scope, number=number)
    return scope, ticket, can_manage(scope=scope, ticket=ticket)


def _events_after(scope: Scope, ticket: Ticket, after: int) -> list[dict[str, Any]]:
    events = ticket_timeline(scope=scope, ticket=ticket, after=after)[:CATCH_UP_BATCH]
    return [event_payload(event) for event in events]


def _last_visible_id(scope: Scope, ticket: Ticket) -> int:
    last = ticket_timeline(scope=scope, ticket=ticket).values_list("id", flat=True).last()
    return last or 0


class CaseConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    """One socket on a case.

    It has no channel of its own in the layer: the process joins the case group
    once (helpdesk.live.LocalGroups), which calls ``deliver`` for every socket
    in one loop. A pushed event in order is sent at once, without a task of
    its own; anything that needs the database (a gap to fill, a transfer to
    re-check) or a socket that cannot take more yet moves the socket to its
    ``backlog``, which one task works through in order.
    """

    groups: list[str] = []
    joined: str | None = None
    worker: asyncio.Task[None] | None = None  # works through the backlog

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.scope = scope
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        self.base_send = send
        self.writer = FrameWriter.for_send(send)
        self.last_id = 0
        # Pushes wait here while the socket connects, catches up or is slow; None = live.
        self.backlog: list[dict[str, Any]] | None = []
        try:
            while True:
                await self.dispatch(await receive())
        except StopConsumer:
            pass
        finally:
            if self.joined is not None:
                await local_groups(self.channel_layer).leave(self.joined, self)
            if self.worker is not None:
                self.worker.cancel()

    # --- called by the process's group subscription (helpdesk.live) ---------------

    def _step(self, message: dict[str, Any]) -> str:
        """What a pushed event needs: SKIP (already sent), CATCH_UP (a gap) or SEND."""
        if message["event"]["id"] <= self.last_id:
            return SKIP  # already sent by a catch-up
        if message["prev"] > self.last_id:
            return CATCH_UP  # a push was lost or overtaken: the database has the truth
        return SEND

    def deliver(self, message: dict[str, Any]) -> None:
        if self.backlog is not None:
            self.backlog.append(message)
            return
        step = self._step(message)
        if step == SKIP:
            return
        if step == CATCH_UP or _may_change_access(message["event"]):
            self._work_on([message])  # needs the database: off the shared loop
            return
        self.last_id = message["event"]["id"]
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
        await self._drain_backlog()

    async def _drain_backlog(self) -> None:
        """Handle what waited, in order; then the socket is live again."""
        backlog = self.backlog or []
        while backlog:
            message = backlog.pop(0)
            if message["type"] == LAYER_FAILED:
                await self.close(code=CLOSE_SERVER_ERROR)
                return  # stays out of the live path until it is gone
            await self.case_event(message)
        self.backlog = None

    # --- the socket's own messages -------------------------------------------------

    async def connect(self) -> None:
        await self.accept()
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_NOT_AUTHENTICATED)
            return
        raw_after = _query_param(self.scope, "after")
        if raw_after is not None and not raw_after.isdigit():
            await self.close(code=CLOSE_BAD_REQUEST)
            return
        number = self.scope["url_route"]["kwargs"]["number"]
        try:
            self.access, self.ticket, self.staff = await database_sync_to_async(_case_access)(
                user, number
            )
        except errors.OutOfScope:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        except errors.CaseNotFound:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        group = case_group(self.ticket.pk, staff=self.staff)
        # Subscribe first, read second: an event committed in between is both in
        # the catch-up and in the backlog, and case_event drops the copy.
        self.joined = group
        await local_groups(self.channel_layer).join(group, self)
        if raw_after is None:
            self.last_id = await database_sync_to_async(_last_visible_id)(self.access, self.ticket)
            await self.send_json({"type": "synced", "last_id": self.last_id})
        else:
            self.last_id = int(raw_after)
            await self.catch_up()
        await self._drain_backlog()

    async def catch_up(self) -> None:
        """Send every visible event after ``last_id`` from the database, in order."""
        while True:
            batch = await database_sync_to_async(_events_after)(
                self.access, self.ticket, self.last_id
            )
            for payload in batch:
                await self.send_json({"type": "event", "event": payload})
                self.last_id = payload["id"]
            if len(batch) < CATCH_UP_BATCH:
                break
        await self.send_json({"type": "synced", "last_id": self.last_id})

    async def case_event(self, message: dict[str, Any]) -> None:
        """A pushed event from the backlog: the slow path of ``deliver``."""
        step = self._step(message)
        if step == SKIP:
            return
        if step == CATCH_UP:
            await self.catch_up()
        else:
            # Encoded once by the publisher (helpdesk.live.event_publish).
            await self.send(text_data=message["text"])
            self.last_id = message["event"]["id"]
        if _may_change_access(message["event"]):
            await self._recheck_access()

    async def _recheck_access(self) -> None:
        # A transfer can take the case out of an officer's scope.
        try:
            _scope, _ticket, staff = await database_sync_to_async(_case_access)(
                self.scope["user"], self.ticket.number
            )
        except (errors.OutOfScope, errors.CaseNotFound):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        if staff != self.staff:
            await self.close(code=CLOSE_FORBIDDEN)


def _may_change_access(event: dict[str, Any]) -> bool:
    return bool(
        event["kind"] == TicketEvent.Kind.TRANSFERRED or event["to_status"] == "transferred"
    )


def _queue_groups(scope: Scope) -> list[str]:
    if scope.is_superuser:
        return ["queue.all"]
    return (
        [f"queue.dept.{i}" for i in sorted(scope.department_ids)]
        + [f"queue.commune.{i}" for i in sorted(scope.leader_commune_ids)]
        + [f"queue.province.{i}" for i in sorted(scope.admin_province_ids)]
    )


class QueueConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    groups: list[str] = []

    async def connect(self) -> None:
        await self.accept()
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_NOT_AUTHENTICATED)
            return
        access = await database_sync_to_async(scope_for)(user=user)
        if not access.is_staff_member:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.groups = _queue_groups(access)
        for group in self.groups:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.send_json({"type": "subscribed"})

    async def queue_ticket(self, message: dict[str, Any]) -> None:
        await self.send_json(
            {"type": "ticket", "ticket": message["ticket"], "event_kind": message["event_kind"]}
        )
