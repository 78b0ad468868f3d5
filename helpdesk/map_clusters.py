"""Cases on a map, clustered on the server by the map's view (box and zoom).

A province admin's queue holds 400,000 cases at 1,000,000: sending them as
points costs seconds, and grouping them on the fly (``ST_SnapToGrid`` over
the province's rows) took 1.3 s in EXPLAIN ANALYZE. So the view decides:

- below POINTS_ZOOM, one bubble per commune, counted from the running tallies
  (helpdesk/models/tally.py, a few thousand rows for a province) through the
  same scope rule as the queue (``tallies_managed_by``), placed at a point
  inside the commune, and communes closer than a bubble's width on screen
  merged into one bubble. A filter the tallies do not hold (mine, overdue)
  counts the queue's own rows per commune instead, through its indexes.
  A commune's bubble counts its cases sent without a map point as well (by
  commune or by SMS): they are the commune's work all the same.
- from POINTS_ZOOM, the cases inside the box (the GiST index on the point),
  as points when there are at most ``limit``, else counted per grid cell.

The public map follows the public rule (helpdesk.public_view): public cases
only, no case number or person, and at street zoom only the public grid
cell's centre of each report, grouped in Python from those centres so no
count can tell where inside its cell a report was sent from.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.gis.db.models.functions import SnapToGrid
from django.db.models import Count, Max, QuerySet, Sum

from core.names import localized
from core.pagination import count_capped
from geo.coordinates import latitude, longitude
from geo.map_view import MapView
from geo.models import AdminUnit
from geo.unit_points import UnitPoint, commune_points_in_view
from helpdesk.models import PublicLocation, Service, ServiceKind, Ticket, TicketTally
from helpdesk.permissions import Scope, tallies_managed_by
from helpdesk.public_view import (
    METRES_PER_DEGREE,
    PUBLIC_STATUSES,
    public_cell_centre,
    tickets_public,
)
from helpdesk.selectors import QueueFilter, tickets_on_map, tickets_queue

# Zoom 14 shows a few streets (about 2.4 x 1.5 km on a phone); below it a
# commune's bubble says more than its scattered points.
POINTS_ZOOM = 14
# The queue filters the tallies hold; any other set filter counts the rows.
_TALLY_FILTERS = frozenset({"status", "service", "department_id", "commune_code", "unrouted"})
# Public reports read at street zoom at most: a few streets rarely hold more.
PUBLIC_ROWS_CAP = 5_000


@dataclass(frozen=True)
class Cluster:
    """A bubble: how many cases, where, and the communes they are in (code, name)."""

    lon: float
    lat: float
    count: int
    communes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class MapClusters:
    """What a map view shows: bubbles, points (rows of the caller's columns)
    and the number of cases in view (``capped`` when it stopped counting)."""

    clusters: list[Cluster]
    points: list[dict[str, Any]]
    total: int
    capped: bool = False


def tickets_clustered(
    *, scope: Scope, filters: QueueFilter, view: MapView, limit: int, cap: int
) -> MapClusters:
    """The person's queue with ``filters`` in ``view``: bubbles or points (module doc)."""
    if view.zoom < POINTS_ZOOM:
        units = commune_points_in_view(area=view.polygon)
        counts = _queue_counts_by_commune(
            scope=scope, filters=filters, commune_ids=[u.unit_id for u in units]
        )
        return _commune_bubbles(units, counts, view=view)
    in_view = tickets_queue(scope=scope, filters=filters).filter(location__bboverlaps=view.polygon)
    # Counted first (at most limit + 1 rows): a box of more cases than the
    # limit is sent as cells, and its 200 most urgent rows are never read.
    if count_capped(in_view, limit) <= limit:
        found = tickets_on_map(scope=scope, filters=filters, bbox=_bbox(view), limit=limit, cap=cap)
        return MapClusters(clusters=[], points=found.rows, total=found.total)
    cells = _grid_cells(in_view, cell=view.cell_degrees)
    return MapClusters(clusters=cells, points=[], total=sum(c.count for c in cells))


def reports_public_clustered(*, view: MapView) -> MapClusters:
    """The public map in ``view``: bubbles per commune, or per public grid cell
    at street zoom with the public id of a cell's only report (module doc)."""
    if view.zoom < POINTS_ZOOM:
        units = commune_points_in_view(area=view.polygon)
        tallies = TicketTally.objects.filter(
            commune_id__in=[u.unit_id for u in units],
            service__kind=ServiceKind.FIELD_REPORT,
            status__in=PUBLIC_STATUSES,
        ).exclude(service__public_location=PublicLocation.HIDDEN)
        return _commune_bubbles(units, _tally_counts(tallies), view=view)
    # A report just outside the box can have its cell's centre inside it.
    widest = Service.objects.aggregate(m=Max("public_grid_m"))["m"] or 0
    margin = widest / METRES_PER_DEGREE * 2
    area = MapView(
        west=max(-180.0, view.west - margin),
        south=max(-90.0, view.south - margin),
        east=min(180.0, view.east + margin),
        north=min(90.0, view.north + margin),
        zoom=view.zoom,
    ).polygon
    services = {
        s.pk: s
        for s in Service.objects.filter(public_location=PublicLocation.GRID).only(
            "name", "name_en", "public_grid_m"
        )
    }
    # Coordinates as numbers, not geometries: building a GEOS point and a
    # model per row cost ten times the query for a thousand reports.
    rows = (
        tickets_public()
        .filter(location__bboverlaps=area, service_id__in=list(services))
        .annotate(lon=longitude("location"), lat=latitude("location"))
        .order_by("-created_at")
        .values_list("public_id", "status", "service_id", "lon", "lat")[:PUBLIC_ROWS_CAP]
    )
    cells: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
    for public_id, status, service_id, x, y in rows:
        service = services[service_id]
        lon, lat = public_cell_centre(lon=x, lat=y, grid_m=service.public_grid_m)
        if not _inside(view, lon, lat):
            continue
        report = {"lon": lon, "lat": lat, "public_id": public_id, "status": status}
        cells[view.cell_of(lon, lat)].append({**report, "service": service})
    clusters, points = [], []
    for members in cells.values():
        if len(members) == 1:
            points.append(members[0])
            continue
        lon = sum(m["lon"] for m in members) / len(members)
        lat = sum(m["lat"] for m in members) / len(members)
        clusters.append(Cluster(lon=lon, lat=lat, count=len(members)))
    total = sum(c.count for c in clusters) + len(points)
    return MapClusters(clusters=clusters, points=points, total=total)


def _bbox(view: MapView) -> tuple[float, float, float, float]:
    return (view.west, view.south, view.east, view.north)


def _inside(view: MapView, lon: float, lat: float) -> bool:
    return view.west <= lon <= view.east and view.south <= lat <= view.north


def _queue_counts_by_commune(
    *, scope: Scope, filters: QueueFilter, commune_ids: list[int]
) -> dict[int, int]:
    set_filters = {name for name, value in dataclasses.asdict(filters).items() if value}
    if not set_filters <= _TALLY_FILTERS:
        # The communes in view are picked here, not in SQL: with a list of
        # them the planner ANDed a province's whole index (400,000 entries)
        # into the scan of its few thousand open cases (84 ms vs 20-30 ms).
        rows = (
            tickets_queue(scope=scope, filters=filters)
            .order_by()
            .values("commune_id")
            .annotate(n=Count("id"))
        )
        wanted = set(commune_ids)
        return {row["commune_id"]: row["n"] for row in rows if row["commune_id"] in wanted}
    tallies = tallies_managed_by(scope=scope).filter(commune_id__in=commune_ids)
    if filters.status:
        tallies = tallies.filter(status=filters.status)
    if filters.service:
        tallies = tallies.filter(service__code=filters.service)
    if filters.department_id:
        tallies = tallies.filter(department_id=filters.department_id)
    if filters.commune_code:
        communes = AdminUnit.objects.filter(
            code=filters.commune_code, level=AdminUnit.Level.COMMUNE
        ).values("id")
        tallies = tallies.filter(commune_id__in=communes)
    if filters.unrouted:
        tallies = tallies.filter(department__isnull=True)
    return _tally_counts(tallies)


def _tally_counts(tallies: QuerySet[TicketTally]) -> dict[int, int]:
    rows = tallies.order_by().values("commune_id").annotate(n=Sum("total")).filter(n__gt=0)
    return {row["commune_id"]: row["n"] for row in rows}


def _commune_bubbles(
    units: list[UnitPoint], counts: dict[int, int], *, view: MapView
) -> MapClusters:
    """Bubbles of the communes in view that hold cases, merged per grid cell of
    the zoom. Cases in no commune (a point off every boundary) are on no
    bubble; the list under the map still has them."""
    cells: dict[tuple[int, int], list[UnitPoint]] = defaultdict(list)
    for unit in units:
        if counts.get(unit.unit_id):
            cells[view.cell_of(unit.lon, unit.lat)].append(unit)
    clusters = [_merged(members, counts) for members in cells.values()]
    return MapClusters(clusters=clusters, points=[], total=sum(c.count for c in clusters))


def _merged(units: Iterable[UnitPoint], counts: dict[int, int]) -> Cluster:
    members = sorted(units, key=lambda u: -counts[u.unit_id])
    count = sum(counts[u.unit_id] for u in members)
    # Weighted by cases, so the bubble sits where most of them are.
    lon = sum(u.lon * counts[u.unit_id] for u in members) / count
    lat = sum(u.lat * counts[u.unit_id] for u in members) / count
    names = tuple((u.code, localized(u.full_name, u.full_name_en)) for u in members)
    return Cluster(lon=lon, lat=lat, count=count, communes=names)


def _grid_cells(tickets: QuerySet[Ticket], *, cell: float) -> list[Cluster]:
    """Cases per grid cell, counted in SQL (the rows never leave the database)."""
    rows = (
        tickets.order_by()
        .annotate(cell=SnapToGrid("location", cell))
        .values("cell")
        .annotate(n=Count("id"))
    )
    return [Cluster(lon=row["cell"].x, lat=row["cell"].y, count=row["n"]) for row in rows]
