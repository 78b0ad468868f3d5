"""Point → commune lookups.

Tie-break everywhere: when several communes cover a point (a point on a
shared border, or in one of the tiny overlaps of the simplified data) the
commune with the lowest official code wins. Codes never repeat, so the answer
is the same on every call, in every path (SQL or in-memory) and every process.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Sequence

from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point
from django.db import connection
from django.db.models import Q

from geo.errors import BatchEmpty, BatchTooLarge, InvalidCoordinates
from geo.index import commune_index_get
from geo.matches import CommuneMatch, commune_match_from_boundary
from geo.models import AdminUnit, Boundary, BoundaryPiece, BoundaryVersion

__all__ = [
    "CommuneMatch",
    "commune_at_point",
    "commune_at_point_in_version",
    "communes_at_points",
    "point_check",
    "province_nearest",
]

MAX_BATCH = 1_000
# Geometry columns are never needed to describe a match; they can be megabytes.
UNIT_GEOMETRY = ("unit__location", "unit__parent__location")


def point_check(*, lat: float, lon: float) -> None:
    """Raise InvalidCoordinates unless lat/lon are finite and within their ranges."""
    if not (
        isinstance(lat, int | float)
        and isinstance(lon, int | float)
        and math.isfinite(lat)
        and math.isfinite(lon)
        and -90.0 <= lat <= 90.0
        and -180.0 <= lon <= 180.0
    ):
        raise InvalidCoordinates(details={"lat": str(lat), "lon": str(lon)})


# The unit columns a match needs, in AdminUnit attribute names.
UNIT_COLUMNS = (
    "id",
    "code",
    "level",
    "unit_type",
    "name",
    "name_en",
    "full_name",
    "full_name_en",
    "parent_id",
)
# Hand-written rather than an ORM queryset: compiling the five-table
# select_related query cost ~4 ms a call, ten times the query itself. Planning
# dominates what is left, so the query keeps three relations in FROM and reads
# the version's label and id through scalar subqueries, which are planned as
# simple index lookups. Medians of 300 points under EXPLAIN ANALYZE on
# 2026-12-06: 0.33-0.38 ms planning and 0.09 ms executing; with the boundary and
# its version joined instead, 0.63 ms planning.
# Only the constant column names above are formatted in; values are bound.
COMMUNE_AT_POINT_SQL = (  # noqa: S608
    "SELECT {commune}, {province},"
    " (SELECT v.label FROM geo_boundaryversion v WHERE v.id ="
    " (SELECT b.valid_from_id FROM geo_boundary b WHERE b.id = p.boundary_id)),"
    " (SELECT b.valid_from_id FROM geo_boundary b WHERE b.id = p.boundary_id)"
    " FROM geo_boundarypiece p"
    " JOIN geo_adminunit c ON c.id = p.unit_id"
    " JOIN geo_adminunit pr ON pr.id = c.parent_id"
    " WHERE p.level = %s AND ST_Covers(p.geom, ST_SetSRID(ST_MakePoint(%s, %s), 4326))"
    " ORDER BY c.code LIMIT 1"
).format(
    commune=", ".join(f"c.{column}" for column in UNIT_COLUMNS),
    province=", ".join(f"pr.{column}" for column in UNIT_COLUMNS),
)


def commune_at_point(*, lat: float, lon: float) -> CommuneMatch | None:
    """Return the current commune covering the point, or None outside all of them.

    One query on the subdivided pieces, fetching the province and the
    boundary version too; the lowest official code wins ties.
    """
    point_check(lat=lat, lon=lon)
    with connection.cursor() as cursor:
        cursor.execute(COMMUNE_AT_POINT_SQL, [AdminUnit.Level.COMMUNE, lon, lat])
        row = cursor.fetchone()
    if row is None:
        return None
    width = len(UNIT_COLUMNS)
    return CommuneMatch(
        commune=AdminUnit.from_db(connection.alias, UNIT_COLUMNS, row[:width]),
        province=AdminUnit.from_db(connection.alias, UNIT_COLUMNS, row[width : 2 * width]),
        boundary_version=row[2 * width],
        boundary_version_id=row[2 * width + 1],
    )


def commune_at_point_in_version(
    *, lat: float, lon: float, version: BoundaryVersion
) -> CommuneMatch | None:
    """Return the commune that covered the point when ``version`` was current.

    Explains where an earlier case was routed after boundaries have changed:
    the boundary valid in ``version`` is the one created in it or before it
    and not yet replaced by then. Same tie-break: lowest official code.
    """
    point_check(lat=lat, lon=lon)
    boundary = (
        Boundary.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to_id__gt=version.pk),
            unit__level=AdminUnit.Level.COMMUNE,
            valid_from_id__lte=version.pk,
            geom__covers=Point(lon, lat, srid=4326),
        )
        .select_related("unit__parent", "valid_from")
        .defer("geom", *UNIT_GEOMETRY)
        .order_by("unit__code")
        .first()
    )
    return None if boundary is None else commune_match_from_boundary(boundary)


# Two communes whose pieces come this close (one step of the boundaries' 1e-5°
# grid, about 1 m) share a border. Shared edges are the same lines in the data
# (data/vn-boundaries/SOURCE.md), but the points where ST_Subdivide cut the
# pieces along them are computed, not shared. Thái Nguyên's communes make 552
# bordering pairs at 0, 1e-5 and 3e-4 degrees alike.
BORDER_TOLERANCE_DEGREES = 1e-5

COMMUNES_NEXT_TO_SQL = """
SELECT DISTINCT other.unit_id
FROM geo_boundarypiece own
JOIN geo_boundarypiece other
  ON other.level = %s AND other.unit_id <> own.unit_id
 AND ST_DWithin(other.geom, own.geom, %s)
WHERE own.unit_id = %s
"""


def communes_next_to(*, commune_id: int | None) -> frozenset[int]:
    """The communes that share a border with this one (none for no commune), by
    their current boundaries: where a case near the border may belong instead.
    Borders change only with an import, and the officer's case page asks on
    every view: kept per boundary version (seen within a second, as the public
    lookups see it)."""
    if commune_id is None:
        return frozenset()
    return _communes_next_to(boundary_version_current_id(max_age=1.0), commune_id)


@functools.lru_cache(maxsize=4096)
def _communes_next_to(version_id: int | None, commune_id: int) -> frozenset[int]:
    """One query on the subdivided pieces and their spatial index (about 5 ms
    for a ward of Thái Nguyên and its 5 neighbours). ``version_id`` only keys
    the cache: a newer import asks again."""
    with connection.cursor() as cursor:
        cursor.execute(
            COMMUNES_NEXT_TO_SQL,
            [AdminUnit.Level.COMMUNE, BORDER_TOLERANCE_DEGREES, commune_id],
        )
        return frozenset(row[0] for row in cursor.fetchall())


_version_seen: tuple[float, int | None] = (-1e9, None)


def boundary_version_current_id(*, max_age: float = 0.0) -> int | None:
    """Return the id of the newest boundary version (None before any import).

    Raw SQL: the ORM's aggregate machinery cost ten times the query itself
    (measured ~2 ms vs ~0.2 ms). With ``max_age`` the answer may come from this
    process's memory if it is younger than that many seconds: the public lookup
    endpoints accept a second of staleness after an import, to keep the
    database off their hot path.
    """
    global _version_seen
    now = time.monotonic()
    seen_at, seen = _version_seen
    if max_age > 0 and now - seen_at < max_age:
        return seen
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM geo_boundaryversion")
        row = cursor.fetchone()
    newest = None if row is None else row[0]
    _version_seen = (now, newest)
    return newest


def communes_at_points(
    *, points: Sequence[tuple[float, float]], version_max_age: float = 0.0
) -> list[CommuneMatch | None]:
    """Return the commune of each (lat, lon) point, in order, None where outside.

    At most MAX_BATCH points. Answered from the in-process index of current
    pieces (geo.index), which one cheap query per call keeps in step with the
    newest boundary version; same tie-break as commune_at_point.
    """
    if not points:
        raise BatchEmpty()
    if len(points) > MAX_BATCH:
        raise BatchTooLarge(details={"max_points": MAX_BATCH, "points": len(points)})
    for index, (lat, lon) in enumerate(points):
        try:
            point_check(lat=lat, lon=lon)
        except InvalidCoordinates as exc:
            exc.details["index"] = index
            raise
    version_id = boundary_version_current_id(max_age=version_max_age)
    commune_index = commune_index_get(version_id=version_id)
    return commune_index.lookup(points=points)


# A point farther than this from every commune (out at sea beyond the coastal
# waters, deep abroad) belongs to no province. Degrees, because the index works
# on the 4326 geometry: 0.3° is 28-33 km across Vietnam's latitudes, enough for
# the near-shore waters and for a pin dropped just across a border.
NEAREST_PROVINCE_RADIUS_DEGREES = 0.3


def province_nearest(*, lat: float, lon: float) -> AdminUnit | None:
    """The province of the nearest current commune within the radius, or None.

    For points no commune covers: a boat in Vietnamese waters, a pin just
    across the Lao or Chinese border. Ties go to the lowest commune code.
    """
    point_check(lat=lat, lon=lon)
    point = Point(lon, lat, srid=4326)
    piece = (
        BoundaryPiece.objects.filter(
            level=AdminUnit.Level.COMMUNE,  # pieces exist for current boundaries only
            geom__dwithin=(point, NEAREST_PROVINCE_RADIUS_DEGREES),
        )
        .annotate(distance=Distance("geom", point))
        .select_related("unit__parent")
        .order_by("distance", "unit__code")
        .first()
    )
    return piece.unit.parent if piece else None
