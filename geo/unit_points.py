"""One point per unit to draw it by on a map (a bubble with its count).

Communes have boundaries, not points. ``ST_PointOnSurface`` gives a point
inside the boundary (a centroid can fall outside a crescent-shaped commune
or in its neighbour). It is worked out once per boundary shape and kept by
the process under the boundary's checksum (SHA-256 of the normalised
geometry, geo/importing.py): a changed shape has another checksum, so the
cache cannot go stale, and 3,321 communes are a few hundred kilobytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.gis.db.models.functions import PointOnSurface
from django.contrib.gis.geos import Polygon

from geo.models import AdminUnit, Boundary

_POINTS: dict[str, tuple[float, float]] = {}  # boundary checksum -> (lon, lat)


@dataclass(frozen=True)
class UnitPoint:
    unit_id: int
    code: str
    full_name: str
    full_name_en: str
    lon: float
    lat: float


def commune_points_in_view(*, area: Polygon) -> list[UnitPoint]:
    """The communes whose current boundary overlaps ``area``, each with a point
    inside it. The overlap is tested on the boundaries' GiST index; a commune
    partly in view is included (its point may lie just outside)."""
    rows = list(
        Boundary.objects.filter(
            valid_to=None, unit__level=AdminUnit.Level.COMMUNE, geom__bboverlaps=area
        ).values_list(
            "id", "checksum", "unit_id", "unit__code", "unit__full_name", "unit__full_name_en"
        )
    )
    missing = [row[0] for row in rows if row[1] not in _POINTS]
    if missing:
        points = Boundary.objects.filter(id__in=missing).annotate(point=PointOnSurface("geom"))
        for checksum, point in points.values_list("checksum", "point"):
            _POINTS[checksum] = (point.x, point.y)
    return [
        UnitPoint(unit_id, code, name, name_en, *_POINTS[checksum])
        for _id, checksum, unit_id, code, name, name_en in rows
    ]
