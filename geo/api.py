"""HTTP API of the geo app: point → commune lookups."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from geo.errors import OutsideCoverage
from geo.schemas import CommuneMatchOut, ErrorOut, LookupBatchIn, LookupBatchOut
from geo.selectors import commune_at_point, communes_at_points

router = Router()


@router.get(
    "/lookup",
    response={200: CommuneMatchOut, 404: ErrorOut, 422: ErrorOut},
    summary="The commune and province at a point",
)
def lookup_point(request: HttpRequest, lat: float, lon: float) -> CommuneMatchOut:
    """Return the commune covering (lat, lon); 404 outside_coverage outside Vietnam."""
    match = commune_at_point(lat=lat, lon=lon)
    if match is None:
        raise OutsideCoverage()
    return CommuneMatchOut.of(match)


@router.post(
    "/lookup",
    response={200: LookupBatchOut, 422: ErrorOut},
    summary="The communes at up to 1,000 points",
)
def lookup_points(request: HttpRequest, payload: LookupBatchIn) -> LookupBatchOut:
    """Return one result per point, in order; null where a point is outside coverage."""
    matches = communes_at_points(points=[(point.lat, point.lon) for point in payload.points])
    return LookupBatchOut(
        results=[None if match is None else CommuneMatchOut.of(match) for match in matches]
    )
