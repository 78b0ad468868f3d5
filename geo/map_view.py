"""The part of the map a client shows: a box in degrees and a zoom level.

Map endpoints cluster what falls in the view on the server; the zoom says how
big a cluster's cell is, so a province view gets a few dozen bubbles rather
than every point, and a street view gets the points themselves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.contrib.gis.geos import Polygon

from geo.errors import InvalidMapArea, InvalidMapZoom, MapAreaTooLarge

MAX_ZOOM = 20
# Web maps draw the world 256 pixels wide at zoom 0, twice as wide per level.
TILE_PX = 256
# A cluster's cell on screen: bubbles about this far apart do not overlap.
CELL_PX = 64
# The largest screen a view may come from: a box wider or taller than this at
# its zoom is not a map on a screen, and at street zoom would make the server
# count a province's rows cell by cell.
MAX_VIEW_PX = 4096


@dataclass(frozen=True)
class MapView:
    west: float
    south: float
    east: float
    north: float
    zoom: int

    @property
    def polygon(self) -> Polygon:
        return Polygon.from_bbox((self.west, self.south, self.east, self.north))

    @property
    def cell_degrees(self) -> float:
        """The width of a cluster cell at this zoom, in degrees of longitude.

        Used for latitude too: Web Mercator stretches a degree of latitude by
        1/cos(latitude), 3-8 % between 8° and 23° N (Vietnam), less than a
        bubble's own size.
        """
        return 360.0 / float(2**self.zoom) * CELL_PX / TILE_PX

    def cell_of(self, lon: float, lat: float) -> tuple[int, int]:
        cell = self.cell_degrees
        return math.floor(lon / cell), math.floor(lat / cell)


def map_view_parse(*, bbox: str, zoom: str) -> MapView:
    """A MapView from ``bbox=west,south,east,north`` and ``zoom=N`` as sent, or
    InvalidMapArea / InvalidMapZoom / MapAreaTooLarge (never a whole-world
    default: a client that sends garbage would otherwise ask for every case)."""
    try:
        level = int(zoom)
    except ValueError:
        raise InvalidMapZoom() from None
    if not 0 <= level <= MAX_ZOOM:
        raise InvalidMapZoom()
    parts = bbox.split(",")
    try:
        west, south, east, north = (float(part) for part in parts)
    except ValueError:
        raise InvalidMapArea() from None
    finite = all(math.isfinite(v) for v in (west, south, east, north))
    if not (finite and -180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise InvalidMapArea()
    view = MapView(west=west, south=south, east=east, north=north, zoom=level)
    widest = view.cell_degrees * MAX_VIEW_PX / CELL_PX
    if east - west > widest or north - south > widest:
        raise MapAreaTooLarge()
    return view
