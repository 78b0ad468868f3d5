"""The public view of a case: what anyone but its reporter and its officers sees.

A "me too" supporter, the public map, the nearby list and the public case page
read a case through these functions and never the model directly, so the rule
is written once: text masked (core.masking), no names of residents or officers,
the place rounded to the service's grid cell (or only the commune, or nothing
for sensitive services), times to the minute. Officers in scope and the
reporter read the case as it is.
"""

from __future__ import annotations

import copy
import functools
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.contrib.gis.geos import Point
from django.db.models import F, Q, QuerySet

from core.masking import PlaceNames, mask_text, place_names, place_size
from geo.models import AdminUnit
from helpdesk.models import (
    OPEN_STATUSES,
    ProxyFiling,
    PublicLocation,
    Service,
    ServiceKind,
    Ticket,
    TicketEvent,
    TicketStatus,
)

METRES_PER_DEGREE = 111_320.0
# The smallest public cell: finer would show a home.
MIN_GRID_M = 50


# Rejected cases (often abuse or a mistake) and duplicates (read through their
# original) leave the public view.
PUBLIC_STATUSES = (*OPEN_STATUSES, TicketStatus.RESOLVED, TicketStatus.CLOSED)


def tickets_public() -> QuerySet[Ticket]:
    """The cases anyone may read: field reports of listed services, while open
    and once resolved or closed. Help requests are a person's own business and
    never public. The public map, the public case page and Open311 read this."""
    return Ticket.objects.filter(kind=ServiceKind.FIELD_REPORT, status__in=PUBLIC_STATUSES).exclude(
        service__public_location=PublicLocation.HIDDEN
    )


def is_public_case(ticket: Ticket) -> bool:
    """Whether ``ticket`` is one tickets_public lists (its public page opens):
    the same three rules, for one case already read."""
    return (
        ticket.kind == ServiceKind.FIELD_REPORT
        and ticket.status in PUBLIC_STATUSES
        and ticket.service.public_location != PublicLocation.HIDDEN
    )


def public_point(*, service: Service, point: Point | None) -> Point | None:
    """The centre of the grid cell holding ``point``, or None when the service
    shows the public no point (commune only, or hidden).

    Every point in a cell gives the same answer, so repeated queries from
    around a report (the nearby list) cannot narrow it down below the cell.
    """
    if point is None or service.public_location != PublicLocation.GRID:
        return None
    lon, lat = public_cell_centre(lon=point.x, lat=point.y, grid_m=service.public_grid_m)
    return Point(lon, lat, srid=4326)


def public_cell_centre(*, lon: float, lat: float, grid_m: int) -> tuple[float, float]:
    """public_point on bare coordinates (lon, lat), for callers that read many
    rows as numbers rather than as geometries (helpdesk/map_clusters.py)."""
    cell = max(grid_m, MIN_GRID_M)
    lat_step = cell / METRES_PER_DEGREE
    centre_lat = (math.floor(lat / lat_step) + 0.5) * lat_step
    # Cells are as wide as they are tall at the cell's own latitude.
    lon_step = cell / (METRES_PER_DEGREE * math.cos(math.radians(centre_lat)))
    centre_lon = (math.floor(lon / lon_step) + 0.5) * lon_step
    return round(centre_lon, 6), round(centre_lat, 6)


def residents_names(ticket: Ticket) -> list[str]:
    """The names of the residents behind the case, to hide wherever they are
    written; and the village a team member gave for the resident they filed for."""
    return residents_names_of([ticket])[ticket.pk]


def village_hidden(village: str) -> list[str]:
    """How a resident's village (ProxyFiling.village) is hidden in public text.

    The team member's form says it is never shown to the public, but a
    description that named it ("Bà Mơ ở Xóm Gò Móc báo…") showed it on the
    public page and in Open311 (a helper's walk). Hidden whole, and without its
    place word, as people also write it ("ở Gò Móc"); a bare place word and
    number ("Thôn 3"), which many villages share, is hidden only whole.
    """
    words = village.split()
    if not words:
        return []
    # As the masking reads a place word: the longest ("Tổ dân phố Cầu Đá").
    rest = words[place_size([word.lower() for word in words], 0, in_name=True) :]
    if rest != words and any(char.isalpha() for char in "".join(rest)):
        return [village, " ".join(rest)]
    return [village]


def places_kept() -> PlaceNames:
    """The names of the administrative units, which public text keeps though
    they read like a person's ("ngập ở Phan Đình Phùng", the ward; core.
    masking hides "Đinh Thị Xuân"). Passed to mask_text as this function:
    it reads them only for a text with a full name in it, so a page of
    short replies costs no query. Read once per process, every level and
    retired units too (people write the old names); read again while none
    is imported yet (a new install, before import_boundaries)."""
    places = _places_read()
    if not places.units_known:
        _places_read.cache_clear()
    return places


@functools.cache
def _places_read() -> PlaceNames:
    names: list[str] = []
    provinces: list[str] = []
    for level, name, name_en in AdminUnit.objects.values_list("level", "name", "name_en"):
        given = [n for n in (name, name_en) if n]
        names += given
        if level == AdminUnit.Level.PROVINCE:
            provinces += given
    return place_names(names, leading=provinces)


def text_public(text: str, *, names: Iterable[str]) -> str:
    """``text`` as the public reads it: the case's residents' ``names`` and any
    person's name or number hidden, places' names kept (places_kept). Every
    public text goes through here, so none masks names another way."""
    return mask_text(text, names=names, places=places_kept)


def public_time(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def is_listed(service: Service) -> bool:
    """False for services whose cases never appear on the map or nearby lists."""
    return bool(service.public_location != PublicLocation.HIDDEN)


def residents_names_of(tickets: Sequence[Ticket]) -> dict[int, list[str]]:
    """The names to hide in each ticket's public text: its reporter's, those an
    Open311 filer gave, and a resident a team member filed for with their
    village (village_hidden). Reporters loaded with the tickets; one query
    for the filings (and one for filer_names when they were deferred)."""
    names: dict[int, list[str]] = defaultdict(list)
    unread: list[int] = []  # tickets loaded without their filer_names (only(), defer())
    for ticket in tickets:
        names[ticket.pk].append(ticket.reporter.full_name)
        if "filer_names" in ticket.get_deferred_fields():
            unread.append(ticket.pk)
        else:
            names[ticket.pk] += ticket.filer_names
    if unread:
        given = Ticket.objects.filter(pk__in=unread).exclude(filer_names=[])
        for ticket_id, filer_names in given.values_list("pk", "filer_names"):
            names[ticket_id] += filer_names
    rows = ProxyFiling.objects.filter(ticket__in=[t.pk for t in tickets])
    for ticket_id, name, village in rows.values_list("ticket_id", "resident_name", "village"):
        names[ticket_id] += [name, *village_hidden(village)]
    return names


def tickets_public_copies(tickets: Sequence[Ticket]) -> list[Ticket]:
    """ticket_public of each ticket, the residents' names read once for all."""
    names = residents_names_of(tickets)
    return [ticket_public(t, names=names[t.pk]) for t in tickets]


def ticket_public(ticket: Ticket, *, names: Sequence[str] | None = None) -> Ticket:
    """An unsaved copy of ``ticket`` holding only what the public may read.

    A copy, so the API's case schema renders both views the same way; it is
    never saved (``save`` would overwrite the real row, hence the guard).
    ``names`` are the residents' (residents_names), read here when not given.
    """
    public = copy.copy(ticket)
    if names is None:
        names = residents_names(ticket)
    public.description = text_public(ticket.description, names=names)
    public.address_text = text_public(ticket.address_text, names=names)
    public.location = public_point(service=ticket.service, point=ticket.location)
    public.location_accuracy_m = None
    public.assignee = None
    public.rating = None
    public.rating_comment = ""
    public.rated_at = None
    public.created_at = public_time(ticket.created_at)
    for name in ("accepted_at", "started_at", "resolved_at", "closed_at", "due_at"):
        value = getattr(ticket, name, None)
        if value is not None:
            setattr(public, name, public_time(value))
    public.save = _refuse_save  # type: ignore[method-assign]
    return public


# What the public never reads of a case's timeline: the reporter's own words
# (their messages and their rating), and "me too" notes, which say who else
# follows it. Officers' answers and status changes stay.
_HIDDEN_KINDS = (TicketEvent.Kind.RATED, TicketEvent.Kind.SUPPORTED)


def events_public(events: QuerySet[TicketEvent], *, ticket: Ticket | None) -> QuerySet[TicketEvent]:
    """The events of ``ticket`` that the public view shows (unmasked rows).

    ``ticket=None`` for events of many tickets (the Open311 update feed), each
    held to its own case's reporter.
    """
    return events.filter(shown_to_public(ticket=ticket))


def shown_to_public(*, ticket: Ticket | None) -> Q:
    """events_public's rule as a condition, e.g. for one column of an aggregate."""
    reporter = ticket.reporter_id if ticket is not None else F("ticket__reporter_id")
    return (
        Q(is_public=True)
        & ~Q(kind__in=_HIDDEN_KINDS)
        & ~Q(kind=TicketEvent.Kind.REPLY, actor_id=reporter)
    )


def is_shown_to_public(event: TicketEvent, *, ticket: Ticket) -> bool:
    """events_public for one event already loaded (the same rule in Python)."""
    return bool(
        event.is_public
        and event.kind not in _HIDDEN_KINDS
        and not (event.kind == TicketEvent.Kind.REPLY and event.actor_id == ticket.reporter_id)
    )


def events_public_copies(events: Iterable[TicketEvent], *, ticket: Ticket) -> list[TicketEvent]:
    """event_public of each event, the residents' names read once for all."""
    names = residents_names(ticket)
    return [event_public(event, ticket=ticket, names=names) for event in events]


def event_public(
    event: TicketEvent, *, ticket: Ticket, names: Sequence[str] | None = None
) -> TicketEvent:
    """An unsaved copy of a public event without its author and with masked text.

    A status change the reporter made (a reopen) shows as a change, without
    the reason they gave: their words are theirs and the officers'. ``names``
    are the residents' (residents_names), read here when not given.
    """
    public = copy.copy(event)
    public.actor = None
    by_reporter = event.actor_id is not None and event.actor_id == ticket.reporter_id
    reason_only = by_reporter and event.kind == TicketEvent.Kind.STATUS
    if names is None:
        names = residents_names(ticket)
    public.body = "" if reason_only else text_public(event.body, names=names)
    public.created_at = public_time(event.created_at)
    public.save = _refuse_save  # type: ignore[method-assign]
    return public


def _refuse_save(*args: object, **kwargs: object) -> None:
    raise RuntimeError("A public view of a case is never saved.")
