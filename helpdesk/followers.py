"""Who follows a case: the people told about its changes.

``case_followers`` is the one answer, used for notifications; each kind of
follower is a small function in FOLLOWER_SOURCES, so supporters ("me too")
and proxy filers are one function each to add.
"""

from __future__ import annotations

from collections.abc import Callable

from helpdesk.models import CaseSupport, DepartmentMembership, ProxyFiling, Ticket


def _reporter(ticket: Ticket) -> set[int]:
    return {ticket.reporter_id}


def _assignee(ticket: Ticket) -> set[int]:
    return {ticket.assignee_id} if ticket.assignee_id else set()


def _department_officers(ticket: Ticket) -> set[int]:
    if ticket.department_id is None:
        return set()
    return set(
        DepartmentMembership.objects.filter(
            department_id=ticket.department_id, user__is_active=True
        ).values_list("user_id", flat=True)
    )


def _supporters(ticket: Ticket) -> set[int]:
    return set(CaseSupport.objects.filter(ticket=ticket).values_list("user_id", flat=True))


def _proxy_resident(ticket: Ticket) -> set[int]:
    # The team member who filed is the reporter; the resident they filed for
    # follows too when they gave a phone number (SMS updates).
    return set(
        ProxyFiling.objects.filter(ticket=ticket, resident__isnull=False).values_list(
            "resident_id", flat=True
        )
    )


FOLLOWER_SOURCES: list[Callable[[Ticket], set[int]]] = [
    _reporter,
    _supporters,
    _proxy_resident,
    _assignee,
    _department_officers,
]
# Followers who may read internal notes (staff of the case).
STAFF_SOURCES: list[Callable[[Ticket], set[int]]] = [_assignee, _department_officers]


def case_followers(ticket: Ticket) -> set[int]:
    """Return the user ids of everyone who follows the case."""
    followers: set[int] = set()
    for source in FOLLOWER_SOURCES:
        followers |= source(ticket)
    return followers


def case_staff_followers(ticket: Ticket) -> set[int]:
    """Return the followers who handle the case (they also see internal notes)."""
    staff: set[int] = set()
    for source in STAFF_SOURCES:
        staff |= source(ticket)
    return staff


def case_owner_followers(ticket: Ticket) -> set[int]:
    """Return the followers whose case it is: its reporter and the resident it was
    filed for. Other residents following it (a "me too") read its public view."""
    return _reporter(ticket) | _proxy_resident(ticket)
