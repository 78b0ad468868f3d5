"""The shapes of what helpdesk/live.py pushes and helpdesk/consumers.py reads.

A channel layer carries plain dicts; these TypedDicts say which keys each
message has, so a publisher and its consumers cannot drift apart unnoticed
(mypy checks both ends). ``text`` is the socket frame already encoded once
for all followers (core/group_socket.py); the other keys are what a socket
needs to decide, not a second copy to encode.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict, cast

from core.group_socket import socket_json


class EventPayload(TypedDict):
    """One timeline event, as GET /api/v1/helpdesk/cases/<n> shows it (EventOut)."""

    id: int
    kind: str
    actor: str | None
    from_status: str
    to_status: str
    body: str
    is_public: bool
    created_at: str


class TicketSummary(TypedDict):
    """A queue row's facts: enough for a console page to fetch the row again."""

    number: str
    status: str
    department_id: int | None
    commune_id: int | None
    assignee_id: int | None
    due_at: str | None
    updated_at: str


class CaseEventMessage(TypedDict):
    type: Literal["case.event"]
    text: str
    event: EventPayload
    # The id of the event this group was sent before this one: a socket that
    # has not delivered it missed a push and reads the gap from the database.
    prev: int


class QueueTicketMessage(TypedDict):
    type: Literal["queue.ticket"]
    text: str


def case_event_message(*, event: EventPayload, prev: int) -> CaseEventMessage:
    return {
        "type": "case.event",
        "text": socket_json({"type": "event", "event": event}),
        "event": event,
        "prev": prev,
    }


def queue_ticket_message(*, ticket: TicketSummary, event_kind: str) -> QueueTicketMessage:
    return {
        "type": "queue.ticket",
        "text": socket_json({"type": "ticket", "ticket": ticket, "event_kind": event_kind}),
    }


def as_case_event(message: dict[str, Any]) -> CaseEventMessage:
    """A message from a case group, read back from the layer (only case_event_message
    publishes to those groups)."""
    return cast(CaseEventMessage, message)
