"""Recording timeline events: the single place every ticket change is written down.

Everything that follows a case (live pushes, the inbox, SMS/email/Zalo) starts
from these rows after the transaction commits, so a client that missed a push
recovers the truth from the timeline.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from accounts.models import User
from core.saving import saving_witness
from helpdesk.live import event_push_on_commit
from helpdesk.models import Ticket, TicketEvent
from helpdesk.notify import case_event_notify


def ticket_event_record(
    ticket: Ticket,
    *,
    kind: str,
    actor: User | None,
    from_status: str = "",
    to_status: str | None = None,
    body: str = "",
    is_public: bool = True,
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    """Append an event to the ticket's timeline (call inside the ticket's transaction,
    with the ticket locked: its pushes are built here, from what the transaction
    has written so far, helpdesk.live.event_push_on_commit).

    ``to_status`` defaults to the ticket's status when the event is a status change
    (``from_status`` given), and to "" otherwise.
    """
    now = timezone.now()
    ticket.updated_at = now
    event = TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        actor=actor,
        from_status=from_status,
        to_status=to_status if to_status is not None else (ticket.status if from_status else ""),
        body=body,
        is_public=is_public,
        data=data or {},
        created_at=now,
    )
    # Proof that the change was saved if its COMMIT's answer is lost (core/saving.py).
    saving_witness(event)
    # The push waits for the commit, so no socket ever sees an event that was
    # rolled back. Registered before the inbox pushes, so the case's followers
    # (the people waiting on this very page) are told first.
    event_push_on_commit(event, ticket=ticket)
    # The inbox and outbox rows commit with the event: they are the record of
    # who must be told.
    case_event_notify(event)
    return event
