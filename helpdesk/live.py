"""Live pushes of case events to WebSocket groups, after commit.

Groups (``<noun>.<id>``):
- ``case.<ticket_id>``        everyone else following the case (public events only)
- ``case.<ticket_id>.staff``  staff in scope (every event, internal notes too)
- ``queue.dept.<id>``, ``queue.commune.<id>``, ``queue.province.<id>``,
  ``queue.all``               officer queues, by department, leaders' commune,
                              administrators' province, superusers

Each pushed event carries ``prev``: the id of the previous event the same
group was sent. A socket that last delivered an id below ``prev`` has missed
one (a push lost while Redis restarted, two commits published out of order)
and reads the gap from the database, so clients never see gaps.

A case event also carries ``text``: the socket message already encoded as
JSON, once per publish, so a consumer sends it as it is instead of encoding the
same dict again for each of thousands of sockets.

``LocalGroups`` makes each server process one member of a case group, however
many sockets in it follow the case, and hands every message to the local
sockets itself, in one loop (see ``LocalGroups``). With ``RedisChannelLayer`` a group
of N sockets otherwise
costs N copies of each message written to Redis and popped back one by one
(bench/ws_fanout.py: p99 seconds at 1,000 sockets); with either layer a socket
then needs no channel of its own in Redis.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import weakref
from collections.abc import Awaitable, Coroutine, Generator
from typing import Any, Protocol

from django.db.models import Max

from helpdesk.models import Department, Ticket, TicketEvent
from notifications.push import groups_send

logger = logging.getLogger(__name__)


def case_group(ticket_id: int, *, staff: bool) -> str:
    return f"case.{ticket_id}.staff" if staff else f"case.{ticket_id}"


def event_payload(event: TicketEvent) -> dict[str, Any]:
    """The event as the HTTP catch-up (helpdesk.api.EventOut) shows it."""
    return {
        "id": event.pk,
        "kind": event.kind,
        "actor": event.actor.full_name if event.actor else None,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "body": event.body,
        "is_public": event.is_public,
        "created_at": event.created_at.isoformat(),
    }


def ticket_summary(ticket: Ticket) -> dict[str, Any]:
    return {
        "number": ticket.number,
        "status": ticket.status,
        "department_id": ticket.department_id,
        "commune_id": ticket.commune_id,
        "assignee_id": ticket.assignee_id,
        "due_at": ticket.due_at.isoformat() if ticket.due_at else None,
        "updated_at": ticket.updated_at.isoformat(),
    }


def _queue_groups(
    *, department_id: int | None, commune_id: int | None, province_id: int | None
) -> set[str]:
    groups = {"queue.all"}
    if department_id:
        groups.add(f"queue.dept.{department_id}")
    if commune_id:
        groups.add(f"queue.commune.{commune_id}")
    if province_id:
        groups.add(f"queue.province.{province_id}")
    return groups


def queue_groups_for(ticket: Ticket, event: TicketEvent | None = None) -> set[str]:
    """The queues that show the ticket now, plus, for a transfer, those it left."""
    groups = _queue_groups(
        department_id=ticket.department_id,
        commune_id=ticket.commune_id,
        province_id=ticket.province_id,
    )
    previous = (event.data or {}).get("from_department") if event is not None else None
    if previous:
        old = Department.objects.filter(pk=previous).select_related("commune").first()
        if old is not None:
            groups |= _queue_groups(
                department_id=old.pk,
                commune_id=old.commune_id,
                province_id=old.commune.parent_id,
            )
    return groups


def event_publish(event_id: int) -> None:
    """Push a committed event to its case and queue groups; never raises on a broken layer."""
    event = TicketEvent.objects.select_related("ticket", "actor").filter(pk=event_id).first()
    if event is None:
        return
    ticket = event.ticket
    earlier = TicketEvent.objects.filter(ticket_id=ticket.pk, id__lt=event.pk)
    payload = event_payload(event)
    text = json.dumps({"type": "event", "event": payload})
    prev_any = earlier.aggregate(m=Max("id"))["m"] or 0
    messages: list[tuple[str, dict[str, Any]]] = [
        (
            case_group(ticket.pk, staff=True),
            {"type": "case.event", "event": payload, "prev": prev_any, "text": text},
        )
    ]
    if event.is_public:
        prev_public = earlier.filter(is_public=True).aggregate(m=Max("id"))["m"] or 0
        messages.append(
            (
                case_group(ticket.pk, staff=False),
                {"type": "case.event", "event": payload, "prev": prev_public, "text": text},
            )
        )
    summary = {"type": "queue.ticket", "ticket": ticket_summary(ticket), "event_kind": event.kind}
    messages += [(group, summary) for group in sorted(queue_groups_for(ticket, event))]
    groups_send(messages)


# --- one channel-layer member per group and process -----------------------------

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

    async def join(self, group: str, member: GroupMember) -> None:
        entry = self.groups.get(group)
        if entry is not None:
            entry.members.add(member)
            await asyncio.shield(entry.ready)
            if time.monotonic() - entry.added > REFRESH_SECONDS:
                entry.added = time.monotonic()
                await self.layer.group_add(group, entry.channel)
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

    async def leave(self, group: str, member: GroupMember) -> None:
        entry = self.groups.get(group)
        if entry is None or member not in entry.members:
            return
        entry.members.discard(member)
        if entry.members:
            return
        del self.groups[group]
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


_local_groups: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, LocalGroups]] = (
    weakref.WeakKeyDictionary()
)


def local_groups(layer: Any) -> LocalGroups:
    """The LocalGroups of this event loop for ``layer`` (tests run several loops)."""
    per_layer = _local_groups.setdefault(asyncio.get_running_loop(), {})
    hub = per_layer.get(id(layer))
    if hub is None or hub.layer is not layer:
        hub = per_layer[id(layer)] = LocalGroups(layer)
    return hub
