"""Live pushes of case events to WebSocket groups, built before and sent after commit.

Groups (``<noun>.<id>``):
- ``case.<ticket_id>``        its reporter (public events only)
- ``case.<ticket_id>.public`` everyone else following it, e.g. a "me too": public
                              events in their public view (helpdesk.public_view)
- ``case.<ticket_id>.staff``  staff in scope (every event, internal notes too)
- ``queue.dept.<id>``, ``queue.commune.<id>``, ``queue.province.<id>``,
  ``queue.all``               officer queues, by department, leaders' commune,
                              administrators' province, superusers

Each pushed event carries ``prev``: the id of the previous event the same
group was sent. A socket that last delivered an id below ``prev`` has missed
one (a push lost while Redis restarted, two commits published out of order)
and reads the gap from the database, so clients never see gaps.

Every message carries ``text``: the socket message already encoded as JSON,
once per publish (``core.group_socket.group_message``), so a socket sends it as
it is instead of encoding the same dict again for each of thousands of sockets.
Each server process is one member of a group however many of its sockets
follow it (``core.socket_groups``).
"""

from __future__ import annotations

import functools
import logging

from django.db import Error, transaction
from django.db.models import Max, Q

from helpdesk.models import Department, Ticket, TicketEvent
from helpdesk.permissions import CaseView, queue_groups_of_ticket
from helpdesk.public_view import event_public, is_shown_to_public, shown_to_public
from helpdesk.push_messages import (
    CaseEventMessage,
    EventPayload,
    QueueTicketMessage,
    TicketSummary,
    case_event_message,
    queue_ticket_message,
)
from notifications.push import groups_send

logger = logging.getLogger(__name__)


def case_group(ticket_id: int, view: CaseView) -> str:
    if view == CaseView.OWNER:
        return f"case.{ticket_id}"
    return f"case.{ticket_id}.{view.value}"


def event_payload(
    event: TicketEvent, view: CaseView = CaseView.STAFF, *, ticket: Ticket | None = None
) -> EventPayload:
    """The event as the HTTP catch-up (helpdesk.api.EventOut) shows it in ``view``
    (the public view needs the event's ``ticket``)."""
    if view == CaseView.PUBLIC:
        assert ticket is not None
        event = event_public(event, ticket=ticket)
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


def ticket_summary(ticket: Ticket) -> TicketSummary:
    return {
        "number": ticket.number,
        "status": ticket.status,
        "department_id": ticket.department_id,
        "commune_id": ticket.commune_id,
        "assignee_id": ticket.assignee_id,
        "due_at": ticket.due_at.isoformat() if ticket.due_at else None,
        "updated_at": ticket.updated_at.isoformat(),
    }


def queue_groups_for(ticket: Ticket, event: TicketEvent | None = None) -> set[str]:
    """The queues that show the ticket now, plus, for a transfer, those it left."""
    groups = queue_groups_of_ticket(
        place={
            "department_id": ticket.department_id,
            "commune_id": ticket.commune_id,
            "province_id": ticket.province_id,
        }
    )
    previous = (event.data or {}).get("from_department") if event is not None else None
    if previous:
        old = Department.objects.filter(pk=previous).select_related("commune").first()
        if old is not None:
            groups |= queue_groups_of_ticket(
                place={
                    "department_id": old.pk,
                    "commune_id": old.commune_id,
                    "province_id": old.commune.parent_id,
                }
            )
    return groups


CaseMessages = list[tuple[str, CaseEventMessage]]


def case_messages(event: TicketEvent, *, ticket: Ticket) -> CaseMessages:
    """What each case group is sent for ``event``: its view of the event and the
    previous event that group was shown, for its gap check."""
    prev = {
        key: value or 0
        for key, value in TicketEvent.objects.filter(ticket_id=ticket.pk, id__lt=event.pk)
        .aggregate(
            staff=Max("id"),
            owner=Max("id", filter=Q(is_public=True)),
            # The public group counts only what it is shown, as its catch-up
            # (selectors.ticket_timeline) does.
            public=Max("id", filter=shown_to_public(ticket=ticket)),
        )
        .items()
    }
    to_staff = case_event_message(event=event_payload(event), prev=prev["staff"])
    messages: CaseMessages = [(case_group(ticket.pk, CaseView.STAFF), to_staff)]
    if event.is_public:
        # The same frame: only the gap check differs between staff and owner.
        to_owner: CaseEventMessage = {**to_staff, "prev": prev["owner"]}
        messages.append((case_group(ticket.pk, CaseView.OWNER), to_owner))
    if is_shown_to_public(event, ticket=ticket):
        public = event_payload(event, CaseView.PUBLIC, ticket=ticket)
        messages.append(
            (
                case_group(ticket.pk, CaseView.PUBLIC),
                case_event_message(event=public, prev=prev["public"]),
            )
        )
    return messages


def queue_messages(event: TicketEvent, *, ticket: Ticket) -> list[tuple[str, QueueTicketMessage]]:
    """What the officers' queues showing the case (or, after a transfer, that
    showed it) are sent for ``event``."""
    summary = queue_ticket_message(ticket=ticket_summary(ticket), event_kind=event.kind)
    return [(group, summary) for group in sorted(queue_groups_for(ticket, event))]


def event_push_on_commit(event: TicketEvent, *, ticket: Ticket) -> None:
    """Build the case groups' messages now, inside the event's transaction, and
    push them when it commits; never raises on a broken layer.

    Built here, nothing is read between the commit and the push that every
    follower waits for: at 10,000 sockets the reads took ~5 ms of the
    commit-to-socket time (bench/ws_fanout.py). The ticket is locked by the
    change that records the event, so the previous events read here are the
    ones committed before it.
    """
    prepared: CaseMessages | None
    try:
        prepared = case_messages(event, ticket=ticket)
    except Error:
        raise  # the database's: the transaction is broken anyway, the change fails
    except Exception:
        # A push is never worth losing the change it reports: built again
        # after the commit, where a failure is only logged.
        logger.exception("Building the pushes of event %s; retried after commit", event.pk)
        prepared = None
    # robust: a failed push is logged, and the request that made the change succeeds.
    transaction.on_commit(functools.partial(event_push, prepared, event.pk), robust=True)


def event_push(prepared: CaseMessages | None, event_id: int) -> None:
    """Send the case groups' ready messages (None: build them now), then tell the
    queues (after commit)."""
    if prepared is not None:
        groups_send(prepared)
    # The queues show the case as it was committed, read back after the
    # followers were told: a change may save the ticket after recording its event.
    event = TicketEvent.objects.select_related("ticket").filter(pk=event_id).first()
    if event is None:
        return
    if prepared is None:
        groups_send(case_messages(event, ticket=event.ticket))
    groups_send(queue_messages(event, ticket=event.ticket))
