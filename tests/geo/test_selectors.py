from __future__ import annotations

import random

import pytest
from django.db import connection

from geo.errors import BatchEmpty, BatchTooLarge, InvalidCoordinates
from geo.index import commune_index_clear
from geo.models import BoundaryVersion
from geo.selectors import CommuneMatch, commune_at_point, communes_at_points

pytestmark = pytest.mark.usefixtures("boundaries")

OUTSIDE = {
    "gulf_of_tonkin": (20.0, 107.5),
    "luang_prabang_laos": (19.88, 102.13),
    "guangzhou_china": (23.1, 113.3),
}


def _code(match: CommuneMatch | None) -> str | None:
    return None if match is None else match.commune.code


def _points_on_surface() -> list[tuple[str, float, float]]:
    """One point inside each current commune, as (code, lat, lon)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT u.code, ST_Y(p), ST_X(p) FROM ("
            " SELECT b.unit_id, ST_PointOnSurface(b.geom) AS p FROM geo_boundary b"
            " WHERE b.valid_to_id IS NULL) AS s"
            " JOIN geo_adminunit u ON u.id = s.unit_id"
            " WHERE u.level = 'commune' ORDER BY u.code"
        )
        return list(cursor.fetchall())


def _shared_vertices(limit: int) -> list[tuple[float, float, str, str]]:
    """Vertices that two neighbouring communes both have, as (lat, lon, code, code)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH v AS (SELECT u.code, (ST_DumpPoints(b.geom)).geom AS p"
            " FROM geo_boundary b JOIN geo_adminunit u ON u.id = b.unit_id"
            " WHERE b.valid_to_id IS NULL AND u.level = 'commune')"
            " SELECT DISTINCT ON (a.code, b.code) ST_Y(a.p), ST_X(a.p), a.code, b.code"
            " FROM v a JOIN v b ON ST_X(a.p) = ST_X(b.p) AND ST_Y(a.p) = ST_Y(b.p)"
            " AND a.code < b.code ORDER BY a.code, b.code LIMIT %s",
            [limit],
        )
        return list(cursor.fetchall())


def test_point_inside_each_commune_resolves_to_it() -> None:
    points = _points_on_surface()
    assert len(points) == 157
    single = [_code(commune_at_point(lat=lat, lon=lon)) for _, lat, lon in points]
    batch = [_code(m) for m in communes_at_points(points=[(lat, lon) for _, lat, lon in points])]
    expected = [code for code, _, _ in points]
    assert single == expected
    assert batch == expected


@pytest.mark.parametrize(
    ("lat", "lon", "commune", "province"),
    [
        # Thái Nguyên city centre, by the provincial People's Committee.
        (21.5928, 105.8442, "Phường Phan Đình Phùng", "Tỉnh Thái Nguyên"),
        # Lạng Sơn city centre, Đông Kinh market.
        (21.8537, 106.7615, "Phường Đông Kinh", "Tỉnh Lạng Sơn"),
    ],
)
def test_city_centres_resolve_to_their_ward_and_province(
    lat: float, lon: float, commune: str, province: str
) -> None:
    match = commune_at_point(lat=lat, lon=lon)
    assert match is not None
    assert (match.commune.full_name, match.province.full_name) == (commune, province)
    assert match.boundary_version == "vn-2025"
    assert match.boundary_version_id == BoundaryVersion.objects.get(label="vn-2025").pk
    assert communes_at_points(points=[(lat, lon)]) == [match]


def test_point_on_shared_border_resolves_to_one_commune() -> None:
    vertices = _shared_vertices(limit=50)
    assert len(vertices) == 50
    for lat, lon, low, high in vertices:
        answers = {_code(commune_at_point(lat=lat, lon=lon)) for _ in range(3)}
        assert answers == {low}, "the lowest official code wins on a shared vertex"
        assert [_code(m) for m in communes_at_points(points=[(lat, lon)] * 3)] == [low] * 3
        assert high > low


def test_point_on_shared_edge_midpoint_gets_the_same_answer_from_both_paths() -> None:
    with connection.cursor() as cursor:
        # Midpoints of segments that two communes share (same two vertices).
        cursor.execute(
            "WITH s AS (SELECT u.code, ST_PointN(r.g, i) AS p, ST_PointN(r.g, i + 1) AS q"
            " FROM geo_boundary b JOIN geo_adminunit u ON u.id = b.unit_id,"
            " LATERAL (SELECT (ST_DumpRings((ST_Dump(b.geom)).geom)).geom AS g) AS r0,"
            " LATERAL (SELECT ST_ExteriorRing(r0.g) AS g) AS r,"
            " generate_series(1, ST_NPoints(r.g) - 1) AS i"
            " WHERE b.valid_to_id IS NULL AND u.level = 'commune' AND u.code < '05500')"
            " SELECT ST_Y(ST_LineInterpolatePoint(ST_MakeLine(a.p, a.q), 0.5)),"
            " ST_X(ST_LineInterpolatePoint(ST_MakeLine(a.p, a.q), 0.5)), a.code, b.code"
            " FROM s a JOIN s b ON a.code < b.code AND ST_Equals(a.p, b.q) AND ST_Equals(a.q, b.p)"
            " LIMIT 200"
        )
        midpoints = cursor.fetchall()
    assert midpoints
    batch = communes_at_points(points=[(lat, lon) for lat, lon, _, _ in midpoints])
    for (lat, lon, low, high), from_batch in zip(midpoints, batch, strict=True):
        single = _code(commune_at_point(lat=lat, lon=lon))
        assert single in {low, high}
        assert _code(from_batch) == single


def test_in_memory_and_sql_paths_agree_on_random_points() -> None:
    rng = random.Random(20250701)
    # Across the bounding box of the two provinces, borders and outside included.
    points = [(rng.uniform(21.0, 22.6), rng.uniform(105.3, 107.4)) for _ in range(1000)]
    batch = [_code(m) for m in communes_at_points(points=points)]
    single = [_code(commune_at_point(lat=lat, lon=lon)) for lat, lon in points]
    assert batch == single
    assert 0 < batch.count(None) < len(points)


@pytest.mark.parametrize("place", sorted(OUTSIDE))
def test_point_outside_vietnam_resolves_to_nothing(place: str) -> None:
    lat, lon = OUTSIDE[place]
    assert commune_at_point(lat=lat, lon=lon) is None
    assert communes_at_points(points=[(lat, lon)]) == [None]


def test_batch_keeps_order_with_nulls_for_outside_points() -> None:
    points = [(21.5928, 105.8442), OUTSIDE["gulf_of_tonkin"], (21.8537, 106.7615)]
    assert [_code(m) for m in communes_at_points(points=points)] == ["05443", None, "05977"]


def test_batch_index_builds_again_after_being_cleared() -> None:
    commune_index_clear()
    assert _code(communes_at_points(points=[(21.5928, 105.8442)])[0]) == "05443"


@pytest.mark.parametrize(
    ("lat", "lon"),
    [(float("nan"), 105.0), (21.0, float("inf")), (90.5, 105.0), (21.0, -180.1)],
)
def test_invalid_coordinates_are_refused(lat: float, lon: float) -> None:
    with pytest.raises(InvalidCoordinates):
        commune_at_point(lat=lat, lon=lon)
    with pytest.raises(InvalidCoordinates) as error:
        communes_at_points(points=[(21.0, 105.0), (lat, lon)])
    assert error.value.details["index"] == 1


def test_batch_size_is_limited() -> None:
    with pytest.raises(BatchEmpty):
        communes_at_points(points=[])
    with pytest.raises(BatchTooLarge):
        communes_at_points(points=[(21.0, 105.0)] * 1001)
