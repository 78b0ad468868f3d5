"""Reads of the intake side: nearby open reports and the public map."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point
from django.contrib.gis.measure import D
from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from geo.selectors import point_check
from helpdesk.errors import CaseNotFound
from helpdesk.models import OPEN_STATUSES, Attachment, ServiceKind, Ticket, TicketStatus

NEARBY_RADIUS_M = 250
NEARBY_DAYS = 30
# A generous box in degrees around the point lets the GiST index cut the
# candidates before the exact distance on the sphere is computed.
_BOX_DEGREES = 0.005


@dataclass(frozen=True)
class NearbyReport:
    number: str
    service: str
    status: str
    distance_m: int
    created_at: datetime
    supporters: int


def reports_nearby_open(*, service_code: str, lat: float, lon: float) -> list[NearbyReport]:
    """Open reports of the same service within 250 m from the last 30 days, nearest first.

    Shown before submitting so the resident can say "me too" instead of filing again.
    No reporter identity is included.
    """
    point_check(lat=lat, lon=lon)
    point = Point(lon, lat, srid=4326)
    rows = (
        Ticket.objects.filter(
            kind=ServiceKind.FIELD_REPORT,
            service__code=service_code,
            status__in=OPEN_STATUSES,
            created_at__gte=timezone.now() - timedelta(days=NEARBY_DAYS),
            location__dwithin=(point, _BOX_DEGREES),
            location__distance_lte=(point, D(m=NEARBY_RADIUS_M)),
        )
        .annotate(distance=Distance("location", point), supporters=Count("supports"))
        .select_related("service")
        .order_by("distance")[:10]
    )
    return [
        NearbyReport(
            number=t.number,
            service=t.service.code,
            status=t.status,
            distance_m=round(t.distance.m),
            created_at=t.created_at,
            supporters=t.supporters,
        )
        for t in rows
    ]


PUBLIC_STATUSES = (*OPEN_STATUSES, TicketStatus.RESOLVED, TicketStatus.CLOSED)


def reports_public(*, limit: int = 500) -> QuerySet[Ticket]:
    """Field reports for the public map: no reporter, only officer-approved photos
    (``ticket.attachments.all()`` holds just those on the returned rows)."""
    approved = Attachment.objects.filter(
        role__in=[Attachment.Role.REPORT, Attachment.Role.AFTER],
        public_approved_at__isnull=False,
    ).order_by("role", "position")
    return (
        Ticket.objects.filter(
            kind=ServiceKind.FIELD_REPORT,
            status__in=PUBLIC_STATUSES,
            location__isnull=False,
        )
        .select_related("service", "commune")
        .prefetch_related(Prefetch("attachments", queryset=approved))
        .only(
            "number",
            "status",
            "location",
            "created_at",
            "resolved_at",
            "service__code",
            "service__name",
            "service__name_en",
            "service__icon",
            "commune__full_name",
            "commune__full_name_en",
        )
        .order_by("-created_at")[:limit]
    )


def report_get_supportable(*, number: str) -> Ticket:
    """Return an open field report anyone may say "me too" to (the nearby list
    shows them publicly), or raise CaseNotFound without revealing other cases."""
    ticket = Ticket.objects.filter(
        number=number, kind=ServiceKind.FIELD_REPORT, status__in=OPEN_STATUSES
    ).first()
    if ticket is None:
        raise CaseNotFound()
    return ticket
