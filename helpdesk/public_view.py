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
import math
from datetime import datetime

from django.contrib.gis.geos import Point

from core.masking import mask_text
from helpdesk.models import PublicLocation, Service, Ticket, TicketEvent

_METRES_PER_DEGREE = 111_320.0


def public_point(*, service: Service, point: Point | None) -> Point | None:
    """The centre of the grid cell holding ``point``, or None when the service
    shows the public no point (commune only, or hidden).

    Every point in a cell gives the same answer, so repeated queries from
    around a report (the nearby list) cannot narrow it down below the cell.
    """
    if point is None or service.public_location != PublicLocation.GRID:
        return None
    cell = max(service.public_grid_m, 50)
    lat_step = cell / _METRES_PER_DEGREE
    lat = (math.floor(point.y / lat_step) + 0.5) * lat_step
    # Cells are as wide as they are tall at the cell's own latitude.
    lon_step = cell / (_METRES_PER_DEGREE * math.cos(math.radians(lat)))
    lon = (math.floor(point.x / lon_step) + 0.5) * lon_step
    return Point(round(lon, 6), round(lat, 6), srid=4326)


def public_time(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def is_listed(service: Service) -> bool:
    """False for services whose cases never appear on the map or nearby lists."""
    return bool(service.public_location != PublicLocation.HIDDEN)


def ticket_public(ticket: Ticket) -> Ticket:
    """An unsaved copy of ``ticket`` holding only what the public may read.

    A copy, so the API's case schema renders both views the same way; it is
    never saved (``save`` would overwrite the real row, hence the guard).
    """
    public = copy.copy(ticket)
    public.description = mask_text(ticket.description)
    public.address_text = mask_text(ticket.address_text)
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


def event_public(event: TicketEvent) -> TicketEvent:
    """An unsaved copy of a public event without its author and with masked text."""
    public = copy.copy(event)
    public.actor = None
    public.body = mask_text(event.body)
    public.created_at = public_time(event.created_at)
    public.save = _refuse_save  # type: ignore[method-assign]
    return public


def _refuse_save(*args: object, **kwargs: object) -> None:
    raise RuntimeError("A public view of a case is never saved.")
