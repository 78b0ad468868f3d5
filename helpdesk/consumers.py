"""WebSocket streams of the case core: one case, and an officer's queue.

``/ws/cases/<number>/[?after=<event id>]`` — the case's timeline. With
``after`` the socket first sends every event after that id (read from the
database with the same visibility as GET /api/v1/helpdesk/cases/<number>?after=),
then live events, in id order, without gaps or duplicates. Without ``after`` it
sends only what happens from now on. Messages:
``{"type": "event", "event": {...}}`` (the shape of the HTTP EventOut, in the
person's view: a "me too" follower gets the public view) and
``{"type": "synced", "last_id": n}`` once subscribed (and after each catch-up):
from then on nothing is missed.

``/ws/queue/`` — new, changed and transferred tickets in the officer's scope:
``{"type": "ticket", "ticket": {...}, "event_kind": "..."}``.

Close codes (sent after accepting, so browsers can read them; clients must
not reconnect on 44xx):
- 4400  bad request (``after`` is not a whole number)
- 4401  not authenticated (log in, or send an API token); also when the
        session or key the socket was opened with logs out or is revoked
- 4000  the person's roles, password or account changed: reconnect, and the
        handshake reads them afresh (core/socket_ends.py)
- 4403  forbidden: the person lost access or changed view while following
        (a transfer), or the queue is asked for by a non-officer
- 4404  no such case, or not one the person may see (no one, officers
        included, can tell the two apart, as over HTTP)
- 1011  server error (e.g. the channel layer is unreachable): reconnect later;
        meanwhile poll the HTTP catch-up
- 1013  try again later: the person holds too many sockets in this process
        (settings.WS_SOCKETS_PER_PERSON); poll meanwhile
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs

from core.group_socket import SEND, SKIP, SLOW, GroupSocket
from core.socket_database import socket_database
from helpdesk import errors
from helpdesk.live import case_group, event_payload
from helpdesk.models import Ticket, TicketStatus
from helpdesk.permissions import CaseView, Scope, case_view, queue_groups_of_scope, scope_for
from helpdesk.public_view import events_public_copies
from helpdesk.push_messages import CaseEventMessage, EventPayload, as_case_event
from helpdesk.selectors import ticket_get, ticket_timeline

# An event id: ASCII digits that fit a bigint. str.isdigit() took any script's
# digits ("²", "١٢") and any length, which int() then refused with a traceback.
EVENT_ID = re.compile(r"[0-9]{1,18}")
CLOSE_BAD_REQUEST = 4400
CLOSE_NOT_AUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CATCH_UP_BATCH = 500
CATCH_UP = "catch_up"  # a pushed event after a gap (CaseConsumer._step)
TRANSFERRED = TicketStatus.TRANSFERRED.value  # a plain str: compared once per follower and event


def _query_param(scope: dict[str, Any], name: str) -> str | None:
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get(name)
    return values[0] if values else None


def _case_access(user: object, number: str) -> tuple[Scope, Ticket, CaseView]:
    scope = scope_for(user=user)
    ticket = ticket_get(scope=scope, number=number)
    view = case_view(scope=scope, ticket=ticket)
    return scope, ticket, view


def _events_after(scope: Scope, ticket_id: int, after: int, view: CaseView) -> list[EventPayload]:
    # The socket keeps the case's id, not the case (CaseConsumer.connect): read
    # it again here, as rarely as catch-ups happen.
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None:
        raise errors.CaseNotFound()
    events = ticket_timeline(scope=scope, ticket=ticket, after=after)[:CATCH_UP_BATCH]
    if view == CaseView.PUBLIC:
        return [event_payload(e) for e in events_public_copies(events, ticket=ticket)]
    return [event_payload(event) for event in events]


def _last_visible_id(scope: Scope, ticket: Ticket) -> int:
    last = ticket_timeline(scope=scope, ticket=ticket).values_list("id", flat=True).last()
    return last or 0


class CaseConsumer(GroupSocket):
    """One socket on a case.

    A pushed event in order goes out at once (``decide``); a gap to fill from
    the database or a transfer to re-check is handled in the socket's backlog
    (``handle``), in order, without holding up the case's other followers.
    """

    last_id = 0

    def _step(self, message: CaseEventMessage) -> str:
        """What a pushed event needs: SKIP (already sent), CATCH_UP (a gap) or SEND."""
        if message["event"]["id"] <= self.last_id:
            return SKIP  # already sent by a catch-up
        if message["prev"] > self.last_id:
            return CATCH_UP  # a push was lost or overtaken: the database has the truth
        return SEND

    def decide(self, raw: dict[str, Any]) -> str:
        # _step and _may_change_access written out: this runs once per follower
        # and event, on the loop all the process's sockets share.
        event = as_case_event(raw)["event"]
        last_id = self.last_id
        if event["id"] <= last_id:
            return SKIP  # already sent by a catch-up
        if raw["prev"] > last_id or event["to_status"] == TRANSFERRED:
            return SLOW  # a gap to read, or access to re-check: needs the database
        self.last_id = event["id"]  # sent right after this
        return SEND

    # --- the socket's own messages -------------------------------------------------

    async def connect(self) -> None:
        await self.accept()
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_NOT_AUTHENTICATED)
            return
        raw_after = _query_param(self.scope, "after")
        if raw_after is not None and not EVENT_ID.fullmatch(raw_after):
            await self.close(code=CLOSE_BAD_REQUEST)
            return
        number = self.scope["url_route"]["kwargs"]["number"]
        try:
            self.access, ticket, self.view = await socket_database(_case_access)(user, number)
        except errors.CaseNotFound:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        # The socket is open for as long as the page, and thousands follow one
        # case: it keeps the case's id and number, not a Ticket of its own
        # (~1 KiB per socket, its point too); a catch-up reads the case again.
        self.ticket_id, self.number = ticket.pk, ticket.number
        # Subscribe first, read second: an event committed in between is both in
        # the catch-up and in the backlog, and handle drops the copy.
        await self.follow(case_group(self.ticket_id, self.view))
        if raw_after is None:
            self.last_id = await socket_database(_last_visible_id)(self.access, ticket)
            await self.send_json({"type": "synced", "last_id": self.last_id})
        else:
            # No further than the case's last event this person may see: events
            # skip every id up to last_id, and event ids count across all cases,
            # so an "after" past it would drop every event until the ids caught up.
            latest = await socket_database(_last_visible_id)(self.access, ticket)
            self.last_id = min(int(raw_after), latest)
            await self.catch_up()
        await self.go_live()

    async def catch_up(self) -> None:
        """Send every visible event after ``last_id`` from the database, in order."""
        while True:
            try:
                batch = await socket_database(_events_after)(
                    self.access, self.ticket_id, self.last_id, self.view
                )
            except errors.CaseNotFound:  # deleted since the socket opened
                await self.close(code=CLOSE_NOT_FOUND)
                return
            for payload in batch:
                await self.send_json({"type": "event", "event": payload})
                self.last_id = payload["id"]
            if len(batch) < CATCH_UP_BATCH:
                break
        await self.send_json({"type": "synced", "last_id": self.last_id})

    async def handle(self, raw: dict[str, Any]) -> None:
        """A pushed event from the backlog: the slow path of ``decide``."""
        message = as_case_event(raw)
        step = self._step(message)
        if step == SKIP:
            return
        if step == CATCH_UP:
            await self.catch_up()
        else:
            # Encoded once by the publisher (helpdesk.live.case_messages).
            await self.send(text_data=message["text"])
            self.last_id = message["event"]["id"]
        if _may_change_access(message["event"]):
            await self._recheck_access()

    async def still_allowed(self, person: Any) -> bool:
        # The view this socket follows (staff, owner, public), from rights read afresh.
        try:
            _scope, _ticket, view = await socket_database(_case_access)(person, self.number)
        except errors.CaseNotFound:
            return False
        return view == self.view

    async def _recheck_access(self) -> None:
        # A transfer can take the case out of an officer's scope.
        if not await self.still_allowed(self.scope["user"]):
            await self.close(code=CLOSE_FORBIDDEN)


def _may_change_access(event: EventPayload) -> bool:
    return event["to_status"] == TRANSFERRED


class QueueConsumer(GroupSocket):
    """An officer's queue: every change to a ticket in scope, as the publisher encoded it."""

    async def connect(self) -> None:
        await self.accept()
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_NOT_AUTHENTICATED)
            return
        access = await socket_database(scope_for)(user=user)
        if not access.is_staff_member:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        for group in queue_groups_of_scope(scope=access):
            await self.follow(group)
        await self.send_json({"type": "subscribed"})
        await self.go_live()

    async def still_allowed(self, person: Any) -> bool:
        # The groups this queue follows, from rights read afresh.
        access = await socket_database(scope_for)(user=person)
        return access.is_staff_member and queue_groups_of_scope(scope=access) == self.following
