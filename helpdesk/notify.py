"""What each timeline event tells the people following the case.

Texts are short, say what happened and what to do next, and are rendered in
every site language so each person reads their own; English msgids, the
Vietnamese catalogue translates them. Recipients are the case's followers
except the person who acted; internal notes go to staff followers only.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import override

from helpdesk.followers import case_followers
from helpdesk.links import public_case_link, resident_case_link, staff_case_link
from helpdesk.models import Ticket, TicketEvent, TicketStatus
from helpdesk.names import department_name, service_name, unit_name
from helpdesk.public_view import event_public, is_public_case, is_shown_to_public
from notifications.services import Message, notifications_send

S = TicketStatus
Texts = tuple[str, str]


def _due(ticket: Ticket) -> str:
    if ticket.due_at is None:
        return ""
    return date_format(timezone.localtime(ticket.due_at), "H:i l d/m")


def _department(ticket: Ticket) -> str:
    return department_name(ticket.department) if ticket.department else _("the province office")


def _department_where(ticket: Ticket) -> str:
    """The department with its commune: every commune has the same five
    departments, so a transfer to the neighbouring ward's read "now handled by
    Phòng Kinh tế, Hạ tầng và Đô thị", the name it had before (a helper's walk)."""
    if ticket.department is None:
        return _department(ticket)
    return f"{department_name(ticket.department)}, {unit_name(ticket.department.commune)}"


def _resident_texts(event: TicketEvent, ticket: Ticket, *, public: bool) -> Texts | None:
    """Cases are named by their number for the people they are theirs, by their
    public id for "me too" followers (``public``): numbers run in sequence and
    tell how many cases a province has; the public view never shows them."""
    label = ticket.public_id if public else ticket.number
    n = {"number": label, "department": _department(ticket), "due": _due(ticket)}
    original = event.data.get("original_public_id" if public else "original", "")
    if event.kind == TicketEvent.Kind.CREATED:
        if ticket.department_id is None:
            return (
                _("Case #%(number)s received") % n,
                _("The province will pass it to the right department; we will tell you who.") % n,
            )
        return (
            _("Case #%(number)s received") % n,
            _("It went to %(department)s, due by %(due)s. We will tell you of each step.") % n,
        )
    if event.kind == TicketEvent.Kind.STATUS:
        by_status: dict[str, Texts] = {
            S.ACCEPTED: (
                _("Case #%(number)s accepted") % n,
                _("Accepted by %(department)s, expected to be handled by %(due)s.") % n,
            ),
            S.IN_PROGRESS: (
                _("Work started on #%(number)s") % n,
                _("%(department)s is working on it now.") % n,
            ),
            S.RESOLVED: (
                _("Case #%(number)s resolved") % n,
                _("%(note)s Not fixed? Reopen the case within 7 days.") % {"note": event.body},
            ),
            S.REJECTED: (
                _("Case #%(number)s declined") % n,
                _("Reason: %(reason)s") % {"reason": event.body},
            ),
            # A transfer is a status change too (ticket_transfer): its words
            # were in a branch after this one that no event ever reached, so a
            # resident whose case moved was told nothing (a helper's walk).
            S.TRANSFERRED: (
                _("Case #%(number)s transferred") % n,
                _("Now handled by %(department)s. Nothing to do on your side.")
                % {"department": _department_where(ticket)},
            ),
            S.DUPLICATE: (
                _("Case #%(number)s merged") % n,
                _("It is the same as case #%(original)s; follow that case for updates.")
                % {"original": original},
            ),
            S.CLOSED: (
                _("Case #%(number)s closed") % n,
                _("Please rate how it was handled, in the app."),
            ),
        }
        if event.from_status == S.RESOLVED and event.to_status == S.IN_PROGRESS:
            return None  # the resident reopened it themself
        return by_status.get(event.to_status)
    if event.kind == TicketEvent.Kind.REPLY and event.actor_id != ticket.reporter_id:
        return (_("New answer on #%(number)s") % n, event.body[:200])
    return None


def _staff_texts(event: TicketEvent, ticket: Ticket) -> Texts | None:
    n = {"number": ticket.number, "due": _due(ticket), "service": service_name(ticket.service)}
    if event.kind == TicketEvent.Kind.CREATED or event.to_status == S.TRANSFERRED:
        return (
            _("New case #%(number)s in your queue") % n,
            _("%(service)s. Accept or transfer it; due by %(due)s.") % n,
        )
    if event.kind == TicketEvent.Kind.ASSIGNED:
        return (
            _("Case #%(number)s assigned") % n,
            _("Please start work; due by %(due)s.") % n,
        )
    if event.kind == TicketEvent.Kind.REPLY and event.actor_id == ticket.reporter_id:
        return (_("The resident replied on #%(number)s") % n, event.body[:200])
    if event.kind == TicketEvent.Kind.NOTE:
        return (_("Internal note on #%(number)s") % n, event.body[:200])
    if event.kind == TicketEvent.Kind.RATED:
        return (
            _("Case #%(number)s rated %(rating)s/5") % {**n, "rating": event.data.get("rating")},
            event.body[:200],
        )
    if event.from_status == S.RESOLVED and event.to_status == S.IN_PROGRESS:
        return (
            _("Case #%(number)s reopened") % n,
            _("The resident says it is not fixed: %(reason)s") % {"reason": event.body},
        )
    return None


def _render(build: Callable[[], Texts | None]) -> dict[str, Texts]:
    texts: dict[str, Texts] = {}
    for language, _name in settings.LANGUAGES:
        with override(language):
            rendered = build()
        if rendered is not None:
            texts[language] = rendered
    return texts


def _case_link(ticket: Ticket, *, staff: bool) -> str:
    """The page each audience can open: the console for staff, the resident's case page
    for everyone else (the console would refuse them)."""
    if staff:
        return staff_case_link(number=ticket.number)
    return resident_case_link(number=ticket.number)


def _public_link(event: TicketEvent) -> str:
    """The public page a "me too" follower is sent to: the case's while the
    public may read it; for a merged case the one it was merged into; for a
    declined one none (its public page is gone: a link there was a 404, found
    by a second read of the change)."""
    ticket = event.ticket
    original = event.data.get("original_public_id")
    if event.kind == TicketEvent.Kind.STATUS and event.to_status == S.DUPLICATE:
        return public_case_link(public_id=original) if original else ""
    if is_public_case(ticket):
        return public_case_link(public_id=ticket.public_id)
    return ""


def _essential(event: TicketEvent) -> bool:
    """Whether the resident's SMS of this event goes out past the monthly SMS cap:
    the case number (filed) and the outcome (resolved, declined), nothing else."""
    return event.kind == TicketEvent.Kind.CREATED or (
        event.kind == TicketEvent.Kind.STATUS and event.to_status in (S.RESOLVED, S.REJECTED)
    )


def case_event_notify(event: TicketEvent) -> None:
    """Queue the messages an event causes (inside the event's transaction)."""
    ticket = event.ticket
    # An internal note is read by the staff only: no resident is looked up.
    followers = case_followers(ticket, residents=event.is_public)
    staff = followers.staff
    recipients = followers.everyone - {event.actor_id}
    if not recipients:
        return
    key = f"case-event:{event.pk}"
    residents = recipients - staff
    owners = residents & followers.owners
    # A "me too" supporter reads what the public reads: the officer's words
    # masked (an answer may quote the reporter's number), and nothing of the
    # reporter's own messages or rating.
    public = residents - owners if is_shown_to_public(event, ticket=ticket) else frozenset()
    # Who reads, what they read, whether it is the public view, and its page.
    audiences: list[tuple[frozenset[int], TicketEvent, bool, str]] = [
        (owners, event, False, _case_link(ticket, staff=False))
    ]
    if public:  # the public copy costs queries: made only for someone to read it
        audiences.append((public, event_public(event, ticket=ticket), True, _public_link(event)))
    for audience, seen, is_public, link in audiences:
        if not audience:
            continue
        texts = _render(partial(_resident_texts, seen, ticket, public=is_public))
        if texts:
            notifications_send(
                recipient_ids=audience,
                message=Message(
                    texts=texts,
                    dedupe_key=key,
                    link=link,
                    essential=_essential(event),
                    province_id=ticket.province_id,
                ),
            )
    if recipients & staff:
        texts = _render(lambda: _staff_texts(event, ticket))
        if texts:
            # Officers work in the console; their SMS copies are the first to go.
            notifications_send(
                recipient_ids=recipients & staff,
                message=Message(
                    texts=texts,
                    dedupe_key=key,
                    link=_case_link(ticket, staff=True),
                    essential=False,
                    province_id=ticket.province_id,
                ),
            )
