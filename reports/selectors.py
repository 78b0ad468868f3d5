"""Reads of the intake side: open reports near a point or in a commune, and the public map."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from django.contrib.gis.geos import Point
from django.contrib.gis.measure import D
from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from geo.models import AdminUnit
from geo.selectors import point_check
from geo.units import commune_get_current
from helpdesk.errors import CaseNotFound
from helpdesk.models import (
    OPEN_STATUSES,
    Attachment,
    PublicLocation,
    Service,
    ServiceKind,
    Ticket,
)
from helpdesk.photo_publishing import photo_public_url
from helpdesk.public_view import (
    METRES_PER_DEGREE,
    MIN_GRID_M,
    public_point,
    public_time,
    residents_names_of,
    text_public,
    tickets_public,
)
from helpdesk.selectors import PHOTOS_IN_ORDER

NEARBY_RADIUS_M = 250
# A commune is too wide to list all it holds; the newest few are the likeliest
# to be the resident's problem, and the public map has the rest.
IN_COMMUNE_LIMIT = 5
_DISTANCE_STEP_M = 50
NEARBY_DAYS = 30
# Enough words to tell "the same pothole?" on a small screen; the whole text is
# on the report's public page.
NEARBY_SUMMARY_CHARS = 120


@dataclass(frozen=True)
class NearbyReport:
    """An open report near the resident, as the public may see it: its public id
    (not the case number), the distance to its public grid cell in 50 m steps
    (None when listed by commune: no distance was measured), the time to the
    minute, no reporter."""

    public_id: str
    service: str
    status: str
    distance_m: int | None
    created_at: datetime
    supporters: int
    # What the public page shows too: the description masked (core/masking.py)
    # and cut short, and the first photo an officer approved, or None.
    summary: str
    photo: str | None


def _summary(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= NEARBY_SUMMARY_CHARS:
        return text
    return text[: NEARBY_SUMMARY_CHARS - 1].rstrip() + "…"


def _distance_m(a: Point, b: Point) -> float:
    """Great-circle distance in metres (haversine; plenty for a few hundred metres)."""
    lat1, lat2 = math.radians(a.y), math.radians(b.y)
    dlat, dlon = lat2 - lat1, math.radians(b.x - a.x)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def reports_nearby_open(*, service_code: str, lat: float, lon: float) -> list[NearbyReport]:
    """Open reports of the same service within 250 m from the last 30 days, nearest first.

    Shown before submitting so the resident can say "me too" instead of filing again.
    Anyone may ask from any point, so the distance is measured to the report's
    public grid cell (helpdesk.public_view.public_point) and rounded up to 50 m:
    asking from many points around a report finds the cell, never the home it
    was sent from. Services that show the public no point are not listed.
    """
    point_check(lat=lat, lon=lon)
    point = Point(lon, lat, srid=4326)
    service = Service.objects.filter(code=service_code).only("public_grid_m").first()
    # Every report whose cell centre is within the radius must be a candidate,
    # whatever the cell size: a report can sit half a cell's diagonal from its
    # centre. A candidate set cut by the exact point instead would leave out
    # reports near a far corner of their cell, and which ones are left out
    # would tell where in the cell the home is.
    cell = max(service.public_grid_m if service else 0, MIN_GRID_M)
    reach_m = NEARBY_RADIUS_M + cell * math.sqrt(2) / 2 + 1
    # A box in degrees around the point lets the GiST index cut the candidates
    # before the exact distance on the sphere is computed; wider in longitude
    # as the meridians close in.
    box = reach_m / (METRES_PER_DEGREE * math.cos(math.radians(min(abs(lat), 85.0))))
    rows = (
        Ticket.objects.filter(
            kind=ServiceKind.FIELD_REPORT,
            service__code=service_code,
            service__public_location=PublicLocation.GRID,
            status__in=OPEN_STATUSES,
            created_at__gte=timezone.now() - timedelta(days=NEARBY_DAYS),
            location__dwithin=(point, box),
            # Candidates by the exact point; the radius itself is applied to
            # the public point below.
            location__distance_lte=(point, D(m=reach_m)),
        )
        .annotate(supporters=Count("supports"))
        .select_related("service", "reporter")
    )
    near: list[tuple[float, Ticket, int]] = []
    for row in rows:
        shown = public_point(service=row.service, point=row.location)
        if shown is None:
            continue
        distance = _distance_m(point, shown)
        if distance <= NEARBY_RADIUS_M:
            near.append((distance, row, row.supporters))
    near.sort(key=lambda item: (item[0], item[1].public_id))
    return _as_listed(
        [(t, supporters, _distance_shown(distance)) for distance, t, supporters in near[:10]]
    )


def _distance_shown(distance: float) -> int:
    return max(1, math.ceil(distance / _DISTANCE_STEP_M)) * _DISTANCE_STEP_M


def _as_listed(rows: Sequence[tuple[Ticket, int, int | None]]) -> list[NearbyReport]:
    """The listed reports (ticket, supporters, distance) as the public sees
    them; names and photos only for these: two queries in all."""
    names = residents_names_of([t for t, _s, _d in rows])
    first_photo: dict[int, Attachment] = {}
    approved = Attachment.objects.filter(
        ticket__in=[t.pk for t, _s, _d in rows],
        role=Attachment.Role.REPORT,
        public_approved_at__isnull=False,
    ).order_by("-position")
    for attachment in approved:  # highest position first: the first photo is written last
        first_photo[attachment.ticket_id] = attachment
    found: list[NearbyReport] = []
    for t, supporters, distance_m in rows:
        photo = first_photo.get(t.pk)
        report = NearbyReport(
            public_id=t.public_id,
            service=t.service.code,
            status=t.status,
            distance_m=distance_m,
            created_at=public_time(t.created_at),
            supporters=supporters,
            summary=_summary(text_public(t.description, names=names[t.pk])),
            photo=photo_public_url(attachment=photo) if photo is not None else None,
        )
        found.append(report)
    return found


def reports_in_commune_open(*, service_code: str, commune: AdminUnit) -> list[NearbyReport]:
    """The newest open reports of the same service in ``commune`` from the last
    30 days, a few, for a resident who chose a commune but gave no point (no
    script, no GPS). Rows as the nearby list's, without a distance.

    The commune of a listed case is on its public page already, so a service
    that shows the public only the commune is listed too; one the public may
    not see is not (helpdesk.public_view.tickets_public).
    """
    rows = (
        tickets_public()
        .filter(
            service__code=service_code,
            status__in=OPEN_STATUSES,
            commune=commune,
            created_at__gte=timezone.now() - timedelta(days=NEARBY_DAYS),
        )
        .annotate(supporters=Count("supports"))
        .select_related("service", "reporter")
        .order_by("-created_at", "-pk")[:IN_COMMUNE_LIMIT]
    )
    return _as_listed([(t, t.supporters, None) for t in rows])


@dataclass(frozen=True)
class OpenReportsCheck:
    """What the report form's "check" step found, and where it looked: near
    the point when one was given, else in the chosen commune, else nowhere."""

    where: Literal["point", "commune", ""]
    reports: list[NearbyReport]
    commune: AdminUnit | None = None


def reports_open_check(
    *, service_code: str, lat: float | None, lon: float | None, commune_code: str
) -> OpenReportsCheck:
    """Open reports of the same service near the point or, with none, in the commune.

    Without a point the check said "no open report nearby" when nothing had
    been looked for (a usability walk): a commune is a wider place, so it is
    listed as such, and with neither the form is told so.
    """
    if lat is not None and lon is not None:
        near = reports_nearby_open(service_code=service_code, lat=lat, lon=lon)
        return OpenReportsCheck(where="point", reports=near)
    commune = commune_get_current(code=commune_code) if commune_code else None
    if commune is None:
        return OpenReportsCheck(where="", reports=[])
    found = reports_in_commune_open(service_code=service_code, commune=commune)
    return OpenReportsCheck(where="commune", reports=found, commune=commune)


def reports_public(*, limit: int = 500, offset: int = 0) -> QuerySet[Ticket]:
    """Field reports for the public map: no reporter, only officer-approved photos
    (``ticket.attachments.all()`` holds just those on the returned rows)."""
    approved = Attachment.objects.filter(
        role__in=[Attachment.Role.REPORT, Attachment.Role.AFTER],
        public_approved_at__isnull=False,
    ).order_by(*PHOTOS_IN_ORDER)
    return (
        tickets_public()
        .filter(location__isnull=False)
        .select_related("service", "commune")
        .prefetch_related(Prefetch("attachments", queryset=approved))
        .only(
            "public_id",
            "status",
            "location",
            "created_at",
            "resolved_at",
            "service__code",
            "service__name",
            "service__name_en",
            "service__icon",
            "service__public_location",
            "service__public_grid_m",
            "commune__full_name",
            "commune__full_name_en",
        )
        .order_by("-created_at")[offset : offset + limit]
    )


def report_get_supportable(*, public_id: str) -> Ticket:
    """Return an open field report anyone may say "me too" to (by the public id
    the map and the nearby list show), or raise CaseNotFound without revealing
    other cases."""
    ticket = (
        Ticket.objects.filter(
            public_id=public_id, kind=ServiceKind.FIELD_REPORT, status__in=OPEN_STATUSES
        )
        .exclude(service__public_location=PublicLocation.HIDDEN)
        .first()
    )
    if ticket is None:
        raise CaseNotFound()
    return ticket


def report_get_public(*, public_id: str) -> Ticket:
    """A field report on the public map by its public id, or CaseNotFound."""
    ticket = (
        tickets_public()
        .filter(public_id=public_id)
        .select_related("service", "commune", "department")
        .first()
    )
    if ticket is None:
        raise CaseNotFound()
    return ticket
