"""Reads of the case core; visibility comes from helpdesk.permissions only."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.gis.geos import Polygon
from django.db.models import F, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from core.pagination import count_capped
from geo.coordinates import latitude, longitude
from geo.models import AdminUnit
from helpdesk import errors
from helpdesk.models import (
    OPEN_STATUSES,
    Attachment,
    Service,
    Ticket,
    TicketEvent,
)
from helpdesk.permissions import (
    CaseView,
    Scope,
    can_manage,
    case_view,
    is_reporter,
    tallies_managed_by,
    tickets_managed_by,
    tickets_visible_to,
)
from helpdesk.public_view import events_public


@dataclass(frozen=True)
class QueueFilter:
    status: str | None = None
    service: str | None = None
    department_id: int | None = None
    commune_code: str | None = None
    assigned_to_me: bool = False
    overdue: bool = False
    unrouted: bool = False


def services_active() -> QuerySet[Service]:
    return Service.objects.filter(is_active=True)


def ticket_get(*, scope: Scope, number: str) -> Ticket:
    """Return a ticket the person may see, or CaseNotFound.

    "Not yours" and "does not exist" are the same answer for everyone, staff
    included: a 403 would tell an officer that a case number exists in another
    commune, and case numbers run in sequence.
    """
    ticket = (
        tickets_visible_to(scope=scope)
        .select_related("service", "commune", "province", "department", "assignee", "reporter")
        .filter(number=number)
        .first()
    )
    if ticket is None:
        raise errors.CaseNotFound()
    return ticket


def ticket_timeline(
    *, scope: Scope, ticket: Ticket, after: int = 0, public_only: bool = False
) -> QuerySet[TicketEvent]:
    """Events of a ticket in order; internal notes only for staff in scope, and
    never with ``public_only`` (the resident's page, even when an officer opens it);
    for anyone but staff and the case's owner, only what the public view shows."""
    events: QuerySet[TicketEvent] = TicketEvent.objects.filter(
        ticket=ticket, id__gt=after
    ).select_related("actor")
    view = case_view(scope=scope, ticket=ticket)
    if view == CaseView.PUBLIC:
        # A "me too" follower: the public view's events (helpdesk/public_view.py).
        events = events_public(events, ticket=ticket)
    elif public_only or view != CaseView.STAFF:
        events = events.filter(is_public=True)
    return events.order_by("id")


# Photos in the order they came: the report's own (no event) first, then
# those of each message and of the resolution. By role name, "after" came
# before the problem it fixed (a phone walk). Every list of a case's photos
# uses it, the public ones too.
PHOTOS_IN_ORDER = (F("event_id").asc(nulls_first=True), "position", "id")


def ticket_photos(*, scope: Scope, ticket: Ticket) -> QuerySet[Attachment]:
    """Photos of a case the person may see: staff in scope see all; the reporter all
    but pictures on internal notes; anyone else following it (a "me too") only those
    approved for the public."""
    photos = (
        Attachment.objects.filter(ticket=ticket)
        .exclude(role=Attachment.Role.VOICE)
        .order_by(*PHOTOS_IN_ORDER)
    )
    if can_manage(scope=scope, ticket=ticket):
        return photos
    photos = photos.exclude(event__is_public=False)
    if is_reporter(scope=scope, ticket=ticket):
        return photos
    return photos.filter(public_approved_at__isnull=False)


def photo_get(*, scope: Scope, attachment_id: int) -> Attachment:
    """A photo the person may see (as ``ticket_photos`` decides), or CaseNotFound."""
    return _attachment_get(scope=scope, attachment_id=attachment_id, visible=ticket_photos)


def _attachment_get(
    *,
    scope: Scope,
    attachment_id: int,
    visible: Callable[..., QuerySet[Attachment]],
) -> Attachment:
    """An attachment that ``visible`` (ticket_photos, ticket_voice_notes) lets the
    person have, or CaseNotFound.

    One answer for "no such file", "not your case" and "not for you": a file's
    address must not tell a stranger that it exists.
    """
    attachment = (
        Attachment.objects.select_related("ticket")
        .filter(pk=attachment_id, ticket__in=tickets_visible_to(scope=scope))
        .first()
    )
    if attachment is None or not (
        visible(scope=scope, ticket=attachment.ticket).filter(pk=attachment.pk).exists()
    ):
        raise errors.CaseNotFound()
    return attachment


def tickets_queue(*, scope: Scope, filters: QueueFilter) -> QuerySet[Ticket]:
    """The staff queue, most urgent first (due soonest, unrouted and overdue on top)."""
    tickets = tickets_managed_by(scope=scope).filter(_place_q(filters))
    if filters.assigned_to_me:
        tickets = tickets.filter(assignee_id=scope.user_id)
    if filters.overdue:
        tickets = tickets.filter(status__in=OPEN_STATUSES, due_at__lt=timezone.now())
    return tickets.select_related("service", "commune", "department", "assignee").order_by(
        "due_at", "id"
    )


# West, south, east, north in degrees (WGS 84), as Leaflet's toBBoxString() gives.
BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class QueueOnMap:
    """The most urgent cases of a queue inside a box, and how many there are in
    all (``total`` stops at ``cap + 1``: "more than cap")."""

    rows: list[dict[str, Any]]
    total: int


def tickets_on_map(
    *, scope: Scope, filters: QueueFilter, bbox: BBox | None, limit: int, cap: int
) -> QueueOnMap:
    """The queue's first ``limit`` cases inside ``bbox`` (the whole queue without one)
    as plain rows, never a province's every point.

    Rows are dicts of the few columns the map and its list show: building 500
    Ticket objects with four related ones and rendering them cost 150-400 ms at
    1,000,000 cases for 9-20 ms of SQL (bench/queue_scale.py). The total is a
    capped count so that "N more: zoom in or narrow the filters" costs at most
    cap + 1 rows.
    """
    tickets = tickets_queue(scope=scope, filters=filters)
    if bbox is not None:
        tickets = tickets.filter(location__bboverlaps=Polygon.from_bbox(bbox))
    columns = tickets.values(
        "number",
        "status",
        "service__name",
        "service__name_en",
        "commune__full_name",
        "commune__full_name_en",
        lat=latitude("location"),
        lon=longitude("location"),
    )
    rows = [dict(row) for row in columns[:limit]]
    total = len(rows) if len(rows) < limit else count_capped(tickets, cap)
    return QueueOnMap(rows=rows, total=total)


def _service_id(code: str) -> Subquery:
    return Subquery(Service.objects.filter(code=code).values("id")[:1])


def _commune_id(code: str) -> Subquery:
    return Subquery(
        AdminUnit.objects.filter(code=code, level=AdminUnit.Level.COMMUNE).values("id")[:1]
    )


# The QueueFilter fields _place_q reads: columns a case and a tally row share.
_PLACE_FILTERS = frozenset({"status", "service", "department_id", "commune_code", "unrouted"})


def _place_q(filters: QueueFilter) -> Q:
    """The queue filters on where a case is and its status, as one condition on
    the columns Ticket and TicketTally share, so the queue's rows and its
    counts from the tallies (queue_counts) filter by the same rule.

    Service and commune by id from a scalar subquery, not a join on their
    code: with a join the planner cannot tell which commune's cases it will
    get, so it read a whole province's cases and sorted them (174,000 buffers,
    2.5 s at 1,000,000 cases); with ``commune_id = (SELECT …)`` it walks the
    (commune, due_at, id) index and stops after a page.
    """
    where = Q()
    if filters.status:
        where &= Q(status=filters.status)
    if filters.service:
        where &= Q(service_id=_service_id(filters.service))
    if filters.department_id:
        where &= Q(department_id=filters.department_id)
    if filters.commune_code:
        where &= Q(commune_id=_commune_id(filters.commune_code))
    if filters.unrouted:
        where &= Q(department__isnull=True)
    return where


def _tally_q(filters: QueueFilter) -> Q | None:
    """``tickets_queue``'s filters as a condition on the tally rows; None when a
    filter needs the case itself (its assignee, its deadline against now), or
    is one _place_q does not read: a filter added to tickets_queue later is
    counted on the cases until the tallies can answer it, never silently ignored."""
    if any(
        getattr(filters, f.name) != f.default
        for f in dataclasses.fields(filters)
        if f.name not in _PLACE_FILTERS
    ):
        return None
    return _place_q(filters)


@dataclass(frozen=True)
class QueueCounts:
    """The queue's cases per status, and how many its filters match (None
    when the tallies cannot tell: assigned to me, overdue)."""

    by_status: dict[str, int]
    matching: int | None


def queue_counts(*, scope: Scope, filters: QueueFilter) -> QueueCounts:
    """Cases per status in the person's queue and the number its filters
    match, exact, in one query of the running tallies.

    The tallies (helpdesk/models/tally.py) hold the count per (province,
    commune, department, service, status), kept by a trigger in the
    transaction of every case write, and ``tallies_managed_by`` applies the
    queue's own scope rule to the same three columns. A province admin's
    counts sum its ~7,200 tally rows (380 buffers) where counting the cases
    through the (unit, status) indexes read 3,200 buffers and stopped at
    10,000 per status (at 1,000,000 cases, bench/queue_scale.py).

    The matching number is what the pager's capped count of the cases
    (core/pagination.py) would say, read from the rows the status counts sum
    anyway: that count was a query of its own on every queue page (~0.5 ms
    idle, more under load, at 1,000,000 cases; bench/queue_scale.py).
    """
    where = _tally_q(filters)
    # No filter (an empty Q()) matches every row; FILTER (WHERE) cannot be empty.
    matched_sum = Sum("total", filter=where) if where else Sum("total")
    rows = (
        tallies_managed_by(scope=scope)
        .order_by()
        .values("status")
        .annotate(n=Sum("total"), matched=matched_sum)
        .filter(n__gt=0)
    )
    by_status: dict[str, int] = {}
    matched = 0
    for row in rows:
        by_status[row["status"]] = row["n"]
        matched += row["matched"] or 0  # SUM … FILTER is NULL when no row matches
    return QueueCounts(by_status=by_status, matching=None if where is None else matched)


def tickets_filed_for_others(*, scope: Scope) -> QuerySet[Ticket]:
    """Cases a digital-technology team member filed on behalf of residents."""
    return tickets_of_reporter(scope=scope).filter(proxy__filed_by_id=scope.user_id)


def tickets_of_reporter(*, scope: Scope) -> QuerySet[Ticket]:
    if scope.user_id is None:
        return Ticket.objects.none()
    return (
        Ticket.objects.filter(reporter_id=scope.user_id)
        .select_related("service", "commune", "department")
        .order_by("-created_at")
    )


def ticket_voice_notes(*, scope: Scope, ticket: Ticket) -> QuerySet[Attachment]:
    """Voice notes of a case the person may hear: staff in scope all; the reporter
    all but those on internal notes; nobody else any (a voice is never public)."""
    notes = Attachment.objects.filter(ticket=ticket, role=Attachment.Role.VOICE).order_by(
        "created_at", "pk"
    )
    if can_manage(scope=scope, ticket=ticket):
        return notes
    if is_reporter(scope=scope, ticket=ticket):
        return notes.exclude(event__is_public=False)
    return notes.none()


def voice_get(*, scope: Scope, attachment_id: int) -> Attachment:
    """A voice note the person may hear (as ``ticket_voice_notes`` decides), or CaseNotFound."""
    return _attachment_get(scope=scope, attachment_id=attachment_id, visible=ticket_voice_notes)


# Every Attachment column that names a file in storage.
ATTACHMENT_FILE_FIELDS = ("display", "thumbnail", "original", "public_display", "public_thumbnail")


def attachment_file_names() -> set[str]:
    """Return the name of every stored file an attachment row refers to."""
    rows = Attachment.objects.values_list(*ATTACHMENT_FILE_FIELDS).iterator(chunk_size=5000)
    return {name for row in rows for name in row if name}


def commune_last_used(user: Any) -> AdminUnit | None:
    """The commune of the person's latest case: where their next worry, SMS
    or scam check most likely belongs (sms_intake, scams)."""
    if user is None:
        return None
    ticket = (
        Ticket.objects.filter(reporter=user, commune__isnull=False)
        .select_related("commune")
        .order_by("-created_at")
        .first()
    )
    return ticket.commune if ticket is not None else None
