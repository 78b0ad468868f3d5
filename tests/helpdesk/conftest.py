from __future__ import annotations

from django.contrib.gis.db.models.functions import PointOnSurface

from geo.models import AdminUnit, Boundary


def point_inside(unit: AdminUnit) -> tuple[float, float]:
    """Return (lat, lon) of a point surely inside the unit's current boundary."""
    boundary = (
        Boundary.objects.filter(unit=unit, valid_to__isnull=True)
        .annotate(inside=PointOnSurface("geom"))
        .get()
    )
    return boundary.inside.y, boundary.inside.x
