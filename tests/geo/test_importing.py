from __future__ import annotations

import copy
import io
import lzma
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation

from geo.importing import boundaries_import, default_source
from geo.models import AdminUnit, Boundary, BoundaryPiece, BoundaryVersion
from geo.selectors import commune_at_point, commune_at_point_in_version
from tests.geo.conftest import Feature, SourceWriter, commune_feature, square

pytestmark = pytest.mark.usefixtures("boundaries")

# Phường Phan Đình Phùng, the centre of Thái Nguyên city.
PHAN_DINH_PHUNG = "05443"


def _counts() -> tuple[int, int, int, int]:
    return (
        AdminUnit.objects.count(),
        Boundary.objects.count(),
        BoundaryPiece.objects.count(),
        BoundaryVersion.objects.count(),
    )


def _run(*args: str) -> str:
    """Run the command in English, so messages can be checked against their msgids."""
    out = io.StringIO()
    with translation.override("en"):
        call_command("import_boundaries", *args, stdout=out)
    return out.getvalue()


def test_real_provinces_have_their_official_commune_counts() -> None:
    for code, expected in (("19", 92), ("20", 65)):
        province = AdminUnit.objects.get(level=AdminUnit.Level.PROVINCE, code=code)
        assert province.unit_type == AdminUnit.UnitType.PROVINCE
        communes = AdminUnit.objects.filter(level=AdminUnit.Level.COMMUNE, parent=province)
        assert communes.count() == expected
    ward = AdminUnit.objects.get(level=AdminUnit.Level.COMMUNE, code=PHAN_DINH_PHUNG)
    assert (ward.unit_type, ward.full_name) == ("phuong", "Phường Phan Đình Phùng")


def test_every_current_commune_boundary_has_pieces_and_provinces_have_none() -> None:
    communes = Boundary.objects.filter(unit__level=AdminUnit.Level.COMMUNE, valid_to=None)
    assert not communes.filter(pieces__isnull=True).exists()
    assert not BoundaryPiece.objects.filter(level=AdminUnit.Level.PROVINCE).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(ST_NPoints(geom)) FROM geo_boundarypiece")
        (most,) = cursor.fetchone()
    assert most <= 256


def test_reimport_of_same_data_changes_nothing() -> None:
    before = _counts()
    output = _run("--province", "19", "--province", "20", "--commit")
    assert "Nothing to change (159 units unchanged)" in output
    assert _counts() == before


def test_dry_run_reports_changes_but_saves_nothing(
    write_source: SourceWriter, communes_19: list[Feature]
) -> None:
    feature = copy.deepcopy(next(f for f in communes_19 if f["id"] == PHAN_DINH_PHUNG))
    feature["properties"]["name"] = "Phan Đình Phùng Mới"
    feature["geometry"] = square(105.83, 21.58)
    source = write_source([feature])
    before = _counts()

    output = _run("--source", str(source), "--province", "19")

    assert "Dry run (nothing saved)" in output
    assert f"~ commune {PHAN_DINH_PHUNG}" in output
    assert "1 updated" in output
    assert _counts() == before
    assert AdminUnit.objects.get(code=PHAN_DINH_PHUNG).name == "Phan Đình Phùng"


def test_changed_geometry_creates_version_and_keeps_old_boundary(
    write_source: SourceWriter, communes_19: list[Feature]
) -> None:
    old_version = BoundaryVersion.objects.get(label="vn-2025")
    feature = copy.deepcopy(next(f for f in communes_19 if f["id"] == PHAN_DINH_PHUNG))
    # Shrink the ward to a small square at the city centre.
    feature["geometry"] = square(105.840, 21.590, size=0.004)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_Y(p), ST_X(p) FROM (SELECT ST_PointOnSurface(ST_Difference(b.geom,"
            " ST_MakeEnvelope(105.840, 21.590, 105.844, 21.594, 4326))) AS p"
            " FROM geo_boundary b JOIN geo_adminunit u ON u.id = b.unit_id"
            " WHERE u.code = %s AND b.valid_to_id IS NULL) AS left_out",
            [PHAN_DINH_PHUNG],
        )
        lat, lon = cursor.fetchone()
    source = write_source([feature], compress=True)

    report = boundaries_import(source=source, provinces=["19"], commit=True, version_label="v2")

    assert (report.updated, report.reshaped, report.created, report.retired) == (1, 1, 0, 0)
    assert report.unchanged == 1  # the province
    ward = AdminUnit.objects.get(code=PHAN_DINH_PHUNG)
    assert ward.boundaries.count() == 2
    old = ward.boundaries.get(valid_from=old_version)
    assert old.valid_to is not None
    assert old.valid_to.label == "v2"
    assert not old.pieces.exists()
    inside_square = commune_at_point(lat=21.592, lon=105.842)
    assert inside_square is not None
    assert (inside_square.commune.code, inside_square.boundary_version) == (PHAN_DINH_PHUNG, "v2")
    # Left out of the new square: still routed to the ward under the old version.
    before = commune_at_point_in_version(lat=lat, lon=lon, version=old_version)
    assert before is not None
    assert before.commune.code == PHAN_DINH_PHUNG
    assert (before.boundary_version, before.boundary_version_id) == ("vn-2025", old_version.pk)
    # The test boundaries have no other commune there: the point is now in none.
    assert commune_at_point(lat=lat, lon=lon) is None


def test_taken_version_label_is_refused(write_source: SourceWriter) -> None:
    source = write_source([commune_feature(code="99999", geometry=square(105.5, 21.5))])
    with pytest.raises(CommandError, match="vn-2025"):
        _run("--source", str(source), "--province", "19", "--version", "vn-2025", "--commit")


def test_default_label_gets_a_counter_when_taken(write_source: SourceWriter) -> None:
    source = write_source([commune_feature(code="99999", geometry=square(105.5, 21.5))])
    report = boundaries_import(source=source, provinces=["19"], commit=True)
    assert report.version_label == "source"
    again = write_source([commune_feature(code="99999", geometry=square(105.6, 21.5))])
    assert boundaries_import(source=again, provinces=["19"]).version_label == "source-2"


def test_full_import_retires_units_missing_from_source(
    write_source: SourceWriter, communes_19: list[Feature]
) -> None:
    dropped = communes_19[0]["id"]
    source = write_source(communes_19[1:])

    report = boundaries_import(source=source, commit=True, version_label="without-one")

    # Lạng Sơn and its 65 communes, plus the dropped commune of Thái Nguyên.
    assert report.retired == 67
    gone = AdminUnit.objects.get(level=AdminUnit.Level.COMMUNE, code=dropped)
    assert gone.retired_in is not None
    assert gone.retired_in.label == "without-one"
    assert not BoundaryPiece.objects.filter(unit=gone).exists()
    assert Boundary.objects.filter(unit=gone, valid_to__isnull=True).count() == 0


def test_partial_import_retires_nothing(
    write_source: SourceWriter, communes_19: list[Feature]
) -> None:
    report = boundaries_import(source=write_source(communes_19[1:]), provinces=["19"])
    assert report.retired == 0
    assert not report.changed


def test_invalid_ring_is_repaired_and_reported(write_source: SourceWriter) -> None:
    bow_tie = {
        "type": "Polygon",
        "coordinates": [
            [[105.5, 21.5], [105.6, 21.6], [105.6, 21.5], [105.5, 21.6], [105.5, 21.5]]
        ],
    }
    source = write_source([commune_feature(code="99999", geometry=bow_tie)])

    output = _run("--source", str(source), "--province", "19", "--commit")

    assert "repaired invalid geometry: communes_by_province/19_thai_nguyen.geojson" in output
    assert "(code 99999)" in output
    boundary = Boundary.objects.get(unit__code="99999", valid_to=None)
    assert boundary.geom.geom_type == "MultiPolygon"
    assert boundary.geom.valid
    assert len(boundary.geom) == 2


BAD_FEATURES: dict[str, tuple[dict[str, Any], str]] = {
    "point": ({"type": "Point", "coordinates": [105.5, 21.5]}, "geometry type Point"),
    "line": (
        {"type": "LineString", "coordinates": [[105.5, 21.5], [105.6, 21.6]]},
        "geometry type LineString",
    ),
    "swapped_lat_lon": (square(21.5, 105.5), "outside Vietnam"),
    "paris": (square(2.35, 48.85), "outside Vietnam"),
}


@pytest.mark.parametrize("case", sorted(BAD_FEATURES))
def test_bad_geometry_is_refused_naming_file_and_feature(
    write_source: SourceWriter, case: str
) -> None:
    geometry, problem = BAD_FEATURES[case]
    good = commune_feature(code="99998", geometry=square(105.5, 21.5))
    source = write_source([good, commune_feature(code="99999", geometry=geometry)])
    before = _counts()

    with pytest.raises(CommandError) as error:
        _run("--source", str(source), "--province", "19", "--commit")

    message = str(error.value)
    assert "19_thai_nguyen.geojson feature #1 (code 99999)" in message
    assert problem in message
    assert _counts() == before


def test_feature_without_code_is_refused(write_source: SourceWriter) -> None:
    feature = commune_feature(code="99999", geometry=square(105.5, 21.5))
    del feature["id"], feature["properties"]["code"]
    with pytest.raises(CommandError, match=r"feature #0: the feature has no code"):
        _run("--source", str(write_source([feature])), "--province", "19")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "not valid JSON"),
        ('{"type": "Feature", "geometry": null}', "not a GeoJSON FeatureCollection"),
        ("[1, 2, 3]", "not a GeoJSON FeatureCollection"),
    ],
)
def test_file_that_is_not_a_feature_collection_is_refused(
    write_source: SourceWriter, content: str, problem: str
) -> None:
    before = _counts()
    with pytest.raises(CommandError, match=f"19_thai_nguyen.geojson: {problem}"):
        _run("--source", str(write_source(raw_communes=content)), "--province", "19", "--commit")
    assert _counts() == before


def test_geometry_with_no_polygon_left_after_repair_rolls_everything_back(
    write_source: SourceWriter,
) -> None:
    # Exactly collinear in binary floating point, so no area is left at all.
    flat = {
        "type": "Polygon",
        "coordinates": [[[105.5, 21.5], [105.75, 21.75], [106.0, 22.0], [105.5, 21.5]]],
    }
    new = commune_feature(code="99998", geometry=square(105.5, 21.5))
    source = write_source([new, commune_feature(code="99999", geometry=flat)])
    before = _counts()
    with pytest.raises(CommandError, match=r"\(code 99999\): no polygon is left"):
        _run("--source", str(source), "--province", "19", "--commit")
    assert _counts() == before


def test_unknown_province_is_refused() -> None:
    with pytest.raises(CommandError, match="no commune file for province 77"):
        _run("--province", "77")


def test_plain_geojson_source_layout_is_accepted(tmp_path: Path) -> None:
    """The same boundaries as plain .geojson files (as the upstream project ships
    them), made here from the repository's .xz copies."""
    packed = default_source()
    (tmp_path / "communes_by_province").mkdir()
    for path in [packed / "provinces.geojson.xz", *packed.glob("communes_by_province/20_*.xz")]:
        plain = tmp_path / path.relative_to(packed).with_suffix("")
        plain.write_bytes(lzma.decompress(path.read_bytes()))
    assert not list(tmp_path.rglob("*.xz"))
    report = boundaries_import(source=tmp_path, provinces=["20"])
    assert not report.changed
    assert report.unchanged == 66
