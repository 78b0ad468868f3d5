"""HTTP API of the geo app: point → commune lookups.

Both endpoints answer from the in-process index of the current commune pieces
(geo.index: the same pieces and lowest-code tie-break as the SQL selector, which
tests hold to the same answers), checked against the newest boundary version at
most once a second per process. Answers are rendered once per commune and
boundary version and reused, so a 1,000-point batch costs one dict lookup per
point instead of building 1,000 schema objects.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from ninja import Router

from core.api_fields import Error
from geo.errors import OutsideCoverage
from geo.matches import CommuneMatch
from geo.schemas import (
    CommuneMatchOut,
    Latitude,
    Longitude,
    LookupBatchIn,
    LookupBatchOut,
)
from geo.selectors import communes_at_points

router = Router()

# After a boundary import, a process may answer from the previous version for
# up to this many seconds; in exchange a lookup needs no database round trip.
VERSION_MAX_AGE = 1.0

_rendered: dict[tuple[str, int], dict[str, Any]] = {}
_RENDERED_MAX = 20_000


def _render(match: CommuneMatch) -> dict[str, Any]:
    key = (match.boundary_version, match.commune.pk)
    body = _rendered.get(key)
    if body is None:
        if len(_rendered) >= _RENDERED_MAX:
            _rendered.clear()
        body = CommuneMatchOut.of(match).dict()
        _rendered[key] = body
    return body


@router.get(
    "/lookup",
    response={200: CommuneMatchOut, 404: Error},
    summary="The commune and province at a point",
)
def lookup_point(request: HttpRequest, lat: Latitude, lon: Longitude) -> JsonResponse:
    """Return the commune covering (lat, lon); 404 outside_coverage outside Vietnam."""
    match = communes_at_points(points=[(lat, lon)], version_max_age=VERSION_MAX_AGE)[0]
    if match is None:
        raise OutsideCoverage()
    return JsonResponse(_render(match))


@router.post(
    "/lookup",
    response=LookupBatchOut,
    summary="The communes at up to 1,000 points",
)
def lookup_points(request: HttpRequest, payload: LookupBatchIn) -> JsonResponse:
    """Return one result per point, in order; null where a point is outside coverage."""
    matches = communes_at_points(
        points=[(point.lat, point.lon) for point in payload.points],
        version_max_age=VERSION_MAX_AGE,
    )
    return JsonResponse(
        {"results": [None if match is None else _render(match) for match in matches]}
    )
