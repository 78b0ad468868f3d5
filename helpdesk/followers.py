"""Who follows a case: the people told about its changes.

``case_followers`` is the one answer, used for notifications, in three parts
that decide what each person reads: the staff of the case (internal notes too),
its owners (the reporter and the resident it was filed for: the whole case) and
its supporters (a "me too": the public view). It costs two queries: the
department's officers, and one union of the case's proxy resident and its
supporters. Reading each kind on its own cost every public event five, two of
them twice over; tests/helpdesk/test_followers.py holds the count.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import BooleanField, Value

from helpdesk.models import CaseSupport, ProxyFiling, Ticket
from helpdesk.permissions import case_staff_ids


@dataclass(frozen=True)
class CaseFollowers:
    """User ids of a case's followers; one person may be in more than one part."""

    # The department's officers and the assignee, while their roles let them
    # manage the case (helpdesk.permissions.case_staff_ids).
    staff: frozenset[int]
    owners: frozenset[int]  # the reporter, and the resident a team member filed for
    supporters: frozenset[int]  # residents who said "me too"

    @property
    def everyone(self) -> frozenset[int]:
        return self.staff | self.owners | self.supporters


def case_followers(
    ticket: Ticket, *, residents: bool = True, supporters: bool = True
) -> CaseFollowers:
    """Return who follows ``ticket``: at most two queries.

    ``residents=False``: only its staff (at most one query), for an internal
    note, which only the staff read; ``owners`` and ``supporters`` are empty.
    ``supporters=False``: no "me too" supporters (a case may have thousands),
    for what only the staff and the owners are told.
    """
    staff = case_staff_ids(ticket)
    if not residents:
        return CaseFollowers(staff=frozenset(staff), owners=frozenset(), supporters=frozenset())
    owners = {ticket.reporter_id}
    supporting: set[int] = set()
    # The team member who filed is the reporter; the resident they filed for
    # follows too when they gave a phone number (SMS updates).
    filed_for = (
        ProxyFiling.objects.filter(ticket=ticket, resident__isnull=False)
        .annotate(owner=Value(True, output_field=BooleanField()))
        .values_list("resident_id", "owner")
    )
    supported = (
        CaseSupport.objects.filter(ticket=ticket)
        .annotate(owner=Value(False, output_field=BooleanField()))
        .values_list("user_id", "owner")
    )
    rows = filed_for.union(supported, all=True) if supporters else filed_for
    for user_id, owner in rows:
        (owners if owner else supporting).add(user_id)
    return CaseFollowers(
        staff=frozenset(staff), owners=frozenset(owners), supporters=frozenset(supporting)
    )
