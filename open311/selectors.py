"""What Open311 reads: the catalogue, jurisdictions, and the public view of cases.

Which cases anyone may read is the case core's rule (helpdesk.public_view.
tickets_public: the public map's). A client application that sends its api_key
also reads the requests it filed itself, whatever became of them (a rejected
report, a help request), still through the public view: the application
relays a person's report, it is not that person.

A case's ``updated_datetime`` is the time of its last change the public can
see (``public_changed_at``), never the ticket's ``updated_at``: that moves with
every event, an internal note, the resident's rating or a "me too" too, and
would tell a back office when hidden activity happened.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Case, F, OuterRef, Prefetch, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce

from geo.models import AdminUnit
from geo.units import units_current
from helpdesk.models import OPEN_STATUSES, Attachment, Service, Ticket, TicketEvent
from helpdesk.public_view import events_public, tickets_public
from helpdesk.selectors import PHOTOS_IN_ORDER, services_active
from open311.errors import RequestNotFound, ServiceNotFound, TokenNotFound, UnknownJurisdiction
from open311.models import ClientApplication, ClientFiling, ServiceAttribute
from open311.params import MAX_ROWS, Page, Window

PUBLIC_PHOTO_ROLES = (Attachment.Role.REPORT, Attachment.Role.AFTER)
# Timeline entries a back office follows: status changes and officers' answers.
UPDATE_KINDS = (TicketEvent.Kind.STATUS, TicketEvent.Kind.REPLY)


def events_in_feed(events: QuerySet[TicketEvent]) -> QuerySet[TicketEvent]:
    """The events the update feed shows: those the public view shows
    (helpdesk.public_view's rule, of each event's own case) of UPDATE_KINDS.
    The feed and updated_datetime both read this, so a case never changes
    for one and not the other."""
    return events_public(events, ticket=None).filter(kind__in=UPDATE_KINDS)


def _newest_time(events: QuerySet[TicketEvent]) -> Subquery:
    # A case's events in id order are in time order (written under its row
    # lock); newest first by id walks the (ticket, id) index backwards.
    return Subquery(events.order_by("-id").values("created_at")[:1])


def public_changed_at() -> Coalesce:
    """A case's updated_datetime, as an annotation of a Ticket query: its last
    event in the update feed, or its filing when there is none yet; for a
    closed request, as GeoReport says, the time it was closed: its last status
    change, an answer written after it aside (the feed still has that one).

    One subquery per case, read through the (ticket, id) index of its events.
    Never later than the ticket's updated_at, which each event sets to its own
    time (helpdesk/events.py): requests_list narrows by that column first."""
    shown = events_in_feed(TicketEvent.objects.filter(ticket_id=OuterRef("pk")))
    return Coalesce(
        Case(
            When(status__in=OPEN_STATUSES, then=_newest_time(shown)),
            default=_newest_time(shown.filter(kind=TicketEvent.Kind.STATUS)),
        ),
        F("created_at"),
    )


def jurisdiction_get(code: str | None) -> AdminUnit | None:
    """The province a jurisdiction_id names (its official code), None for the whole
    deployment, or UnknownJurisdiction."""
    if code is None:
        return None
    province = units_current(level=AdminUnit.Level.PROVINCE).filter(code=code).first()
    if province is None:
        raise UnknownJurisdiction()
    return province


def services_listed() -> QuerySet[Service]:
    return (
        services_active()
        .prefetch_related("open311_attributes")
        .order_by("kind", "sort_order", "code")
    )


def service_get(code: str) -> Service:
    service = services_listed().filter(code=code).first()
    if service is None:
        raise ServiceNotFound()
    return service


def service_attributes(service: Service) -> list[ServiceAttribute]:
    return sorted(service.open311_attributes.all(), key=lambda a: (a.order, a.code))


def _approved_photos() -> QuerySet[Attachment]:
    return Attachment.objects.filter(
        role__in=PUBLIC_PHOTO_ROLES, public_approved_at__isnull=False
    ).order_by(*PHOTOS_IN_ORDER)


def requests_readable(
    *, client: ClientApplication | None, province: AdminUnit | None
) -> QuerySet[Ticket]:
    """The cases this reader may see (see the module's docstring), in the jurisdiction."""
    readable = Q(pk__in=tickets_public().values("pk"))
    if client is not None:
        readable |= Q(open311__client=client)
    tickets = Ticket.objects.filter(readable)
    if province is not None:
        tickets = tickets.filter(province=province)
    return (
        tickets.annotate(public_changed_at=public_changed_at())
        .select_related("service", "commune", "department", "reporter")
        .prefetch_related(
            Prefetch("attachments", queryset=_approved_photos(), to_attr="public_photos")
        )
    )


@dataclass(frozen=True)
class RequestFilter:
    ids: Sequence[str] = ()
    service_codes: Sequence[str] = ()
    statuses: Sequence[str] = ()
    window: Window | None = None
    updated_after: datetime | None = None
    updated_before: datetime | None = None
    page: Page = field(default_factory=lambda: Page(1, MAX_ROWS))


def requests_list(
    *, client: ClientApplication | None, province: AdminUnit | None, filters: RequestFilter
) -> list[Ticket]:
    """GET requests: a list of ids overrides every other filter; otherwise the
    service codes, statuses and the date window (on requested_datetime), newest
    first, or with ``updated_after``/``updated_before`` the cases whose last
    public change (updated_datetime) is after / at or before them, oldest
    change first."""
    tickets = requests_readable(client=client, province=province)
    if filters.ids:
        return list(
            tickets.filter(public_id__in=list(filters.ids)[:MAX_ROWS]).order_by("-created_at", "id")
        )
    if filters.service_codes:
        tickets = tickets.filter(service__code__in=filters.service_codes)
    wanted = set(filters.statuses)
    if wanted == {"open"}:
        tickets = tickets.filter(status__in=OPEN_STATUSES)
    elif wanted == {"closed"}:
        tickets = tickets.exclude(status__in=OPEN_STATUSES)
    if filters.window is not None:
        tickets = tickets.filter(created_at__range=(filters.window.start, filters.window.end))
    if filters.updated_after is not None or filters.updated_before is not None:
        # (Q and F: the annotation requests_readable adds is no field the
        # type checker knows of.)
        if filters.updated_after is not None:
            # updated_at is never earlier than the last public change: the
            # plain column first, so the subquery runs on those cases alone.
            tickets = tickets.filter(
                Q(updated_at__gt=filters.updated_after),
                Q(public_changed_at__gt=filters.updated_after),
            )
        if filters.updated_before is not None:
            # Nor is a case changed before it was filed.
            tickets = tickets.filter(
                Q(created_at__lte=filters.updated_before),
                Q(public_changed_at__lte=filters.updated_before),
            )
        tickets = tickets.order_by(F("public_changed_at").asc(), "id")
    else:
        assert filters.window is not None
        tickets = tickets.order_by("-created_at", "-id")
    page = filters.page
    return list(tickets[page.offset : page.offset + page.size])


def request_get(
    *, public_id: str, client: ClientApplication | None, province: AdminUnit | None
) -> Ticket:
    ticket = requests_readable(client=client, province=province).filter(public_id=public_id).first()
    if ticket is None:
        raise RequestNotFound()
    return ticket


def filing_for_token(token: str, *, province: AdminUnit | None) -> ClientFiling:
    """The filing a token names, in the jurisdiction as every other read is:
    a token of a case in another province is not found there."""
    filings = ClientFiling.objects.select_related("ticket").filter(token=token)
    if province is not None:
        filings = filings.filter(ticket__province=province)
    filing = filings.first()
    if filing is None:
        raise TokenNotFound()
    return filing


def updates_list(
    *,
    client: ClientApplication | None,
    province: AdminUnit | None,
    window: Window,
    page: Page,
) -> list[TicketEvent]:
    """Public status changes and officers' answers on readable cases, oldest first,
    each with the case's status right after it (``status_after``)."""
    tickets = requests_readable(client=client, province=province).values("pk")
    status_after = (
        TicketEvent.objects.filter(ticket_id=OuterRef("ticket_id"), id__lte=OuterRef("id"))
        .exclude(to_status="")
        .order_by("-id")
        .values("to_status")[:1]
    )
    events = (
        events_in_feed(TicketEvent.objects.filter(ticket__in=tickets))
        .filter(created_at__range=(window.start, window.end))
        .annotate(status_after=Subquery(status_after))
        .select_related("ticket__service", "ticket__reporter")
        .prefetch_related(
            Prefetch("attachments", queryset=_approved_photos(), to_attr="public_photos")
        )
        .order_by("created_at", "id")
    )
    return list(events[page.offset : page.offset + page.size])
