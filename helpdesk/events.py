"""Recording timeline events: the single place every ticket change is written down.

Everything that follows a case (live pushes, the inbox, SMS/email/Zalo) starts
from these rows after the transaction commits, so a client that missed a push
recovers the truth from the timeline.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from accounts.models import User
from helpdesk.models import Ticket, TicketEvent


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
    """Append an event to the ticket's timeline (call inside the ticket's transaction).

    ``to_status`` defaults to the ticket's status when the event is a status change
    (``from_status`` given), and to "" otherwise.
    """
    now = timezone.now()
    ticket.updated_at = now
    return TicketEvent.objects.create(
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
