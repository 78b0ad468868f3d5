"""The time left on a case, as the queue rows and the case page show it."""

from __future__ import annotations

import datetime as dt

from helpdesk.models import Ticket, TicketStatus
from helpdesk.sla import SlaStatus, WorkingCalendar, sla_status


def case_deadline(ticket: Ticket, calendar: WorkingCalendar, now: dt.datetime) -> SlaStatus | None:
    """None when there is nothing to be late for: no due time, or a case that was
    refused (rejected, duplicate) rather than handled."""
    if ticket.due_at is None or ticket.status in (TicketStatus.REJECTED, TicketStatus.DUPLICATE):
        return None
    return sla_status(
        due_at=ticket.due_at, now=now, calendar=calendar, resolved_at=ticket.resolved_at
    )
