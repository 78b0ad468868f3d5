"""How a filed case is described to the person who filed it: the same sentences
for the API's answer and the pages."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext

from helpdesk.icons import icon_emoji
from helpdesk.models import OPEN_STATUSES, Attachment, ServiceKind, Ticket, TicketEvent
from helpdesk.names import department_name as _department_name
from helpdesk.names import service_name, unit_name
from helpdesk.photo_publishing import photo_public_url
from helpdesk.public_view import events_public, events_public_copies, ticket_public
from helpdesk.selectors import PHOTOS_IN_ORDER


def expected_response_text(ticket: Ticket) -> str:
    """Return "Expected answer before <when>." in the active language, or "" without an SLA."""
    if ticket.due_at is None:
        return ""
    when = date_format(localtime(ticket.due_at), "H:i, l d/m/Y")
    return gettext("Expected answer before %(when)s.") % {"when": when}


def case_progress_text(ticket: Ticket, *, timeline: Iterable[TicketEvent]) -> str:
    """The line under the status on the case page, from the case and its timeline.

    The promise of an answer holds only while one is awaited: a question the
    commune answered without closing it kept "Expected answer before …" under
    its answer (a usability walk), so it says when it was answered instead. A
    case that is done says so by its status alone.
    """
    if ticket.status not in OPEN_STATUSES:
        return ""
    if ticket.kind == ServiceKind.HELP_REQUEST:
        # Whoever is not the reporter writes for the commune, as the timeline
        # heads the message (templates/reports/_case_timeline.html). Answered
        # while the last message is the commune's: a question asked again
        # after it awaits an answer, promised as before (a second read).
        replies = [event for event in timeline if event.kind == TicketEvent.Kind.REPLY]
        last = max(replies, key=lambda event: (event.created_at, event.pk), default=None)
        if last is not None and last.actor_id != ticket.reporter_id:
            when = date_format(localtime(last.created_at), "H:i, l d/m/Y")
            return gettext("Answered at %(when)s.") % {"when": when}
    return expected_response_text(ticket)


def commune_name(ticket: Ticket) -> str:
    """The commune's name as the API's ``case.commune.name`` gives it, or ""."""
    return unit_name(ticket.commune) if ticket.commune is not None else ""


def department_name(ticket: Ticket) -> str:
    """The department's name as the API's ``case.department`` gives it, or ""."""
    return _department_name(ticket.department) if ticket.department is not None else ""


def public_photo_urls(photos: Iterable[Attachment]) -> list[str]:
    """Public copies of the thumbnails officers approved (helpdesk/photo_publishing.py);
    a photo without its copies is not public, whatever else the caller passed."""
    urls = (photo_public_url(attachment=p) for p in photos if p.public_approved_at is not None)
    return [url for url in urls if url is not None]


def public_case_detail(ticket: Ticket) -> dict[str, object]:
    """A field report as the public reads it (helpdesk.public_view), for the
    public API and the public case page alike."""
    shown = ticket_public(ticket)
    events = events_public(TicketEvent.objects.filter(ticket=ticket), ticket=ticket).order_by("id")
    approved = ticket.attachments.filter(
        role__in=[Attachment.Role.REPORT, Attachment.Role.AFTER],
        public_approved_at__isnull=False,
    ).order_by(*PHOTOS_IN_ORDER)
    return {
        "ticket": shown,
        "public_id": ticket.public_id,
        "service": ticket.service.code,
        "service_name": service_name(ticket.service),
        "icon": icon_emoji(ticket.service.icon),
        "icon_name": ticket.service.icon,
        "status": ticket.status,
        "status_label": str(ticket.get_status_display()),
        "description": shown.description,
        "lat": shown.location.y if shown.location else None,
        "lon": shown.location.x if shown.location else None,
        "commune": commune_name(ticket) or None,
        "created_at": shown.created_at,
        "resolved_at": shown.resolved_at,
        "supporters": ticket.supports.count(),
        "photos": public_photo_urls(approved),
        "events": events_public_copies(events, ticket=ticket),
    }
