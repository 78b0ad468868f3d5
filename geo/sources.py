"""Read and check the GeoJSON layout of a boundary source directory.

The layout (see data/vn-boundaries/SOURCE.md) is::

    <source>/provinces.geojson[.xz]
    <source>/communes_by_province/<pcode>_<name>.geojson[.xz]

Files are parsed with ``json`` and geometries built by shapely (GEOS) from the
GeoJSON text, never by GDAL: GDAL < 3.9 cannot be kept off the file system and
network. Every problem is reported naming the file and the feature, before a
single row is written.
"""

from __future__ import annotations

import json
import lzma
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from shapely.errors import GEOSException

from geo.errors import BoundarySourceInvalid
from geo.models import AdminUnit

PROVINCES_STEM = "provinces"
COMMUNES_DIR = "communes_by_province"
SUFFIXES = (".geojson", ".geojson.xz")

# Vietnam, islands included, lies within lon 102.1-117.9, lat 7.1-23.4; a wider
# box still catches swapped lat/lon and projected (metre) coordinates.
LON_RANGE = (100.0, 120.0)
LAT_RANGE = (6.0, 25.0)

CODE_PATTERN: dict[str, re.Pattern[str]] = {
    AdminUnit.Level.PROVINCE: re.compile(r"^\d{2}$"),
    AdminUnit.Level.COMMUNE: re.compile(r"^\d{5}$"),
}
COMMUNE_TYPES: dict[str, str] = {
    "Xã": AdminUnit.UnitType.COMMUNE,
    "Phường": AdminUnit.UnitType.WARD,
    "Đặc khu": AdminUnit.UnitType.SPECIAL_ZONE,
}
POLYGONAL = ("Polygon", "MultiPolygon")


@dataclass(frozen=True, slots=True)
class SourceFeature:
    """One unit read from a source file, its geometry as 2D WKB."""

    file: str
    index: int
    level: str
    code: str
    unit_type: str
    name: str
    full_name: str
    name_en: str
    full_name_en: str
    province_code: str | None
    wkb: bytes

    @property
    def where(self) -> str:
        return f"{self.file} feature #{self.index} (code {self.code})"


def _fail(where: str, problem: str | Promise) -> BoundarySourceInvalid:
    return BoundarySourceInvalid(format_lazy("{where}: {problem}", where=where, problem=problem))


def _find(directory: Path, stem: str) -> Path | None:
    for suffix in SUFFIXES:
        candidate = directory / f"{stem}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def source_files(
    *, source: Path, province_codes: Collection[str] | None
) -> tuple[Path, list[Path]]:
    """Return the provinces file and the commune files to read, in code order."""
    provinces = _find(source, PROVINCES_STEM)
    if provinces is None:
        raise _fail(str(source), _("no provinces.geojson or provinces.geojson.xz here"))
    by_code: dict[str, Path] = {}
    for path in sorted((source / COMMUNES_DIR).glob("*.geojson*")):
        if not path.name.endswith(SUFFIXES):
            continue
        code = path.name.split("_", 1)[0]
        # A plain file next to its .xz twin wins: it is the one being edited.
        if code not in by_code or not path.name.endswith(".xz"):
            by_code[code] = path
    if not by_code:
        raise _fail(str(source / COMMUNES_DIR), _("no commune files (<code>_<name>.geojson[.xz])"))
    if province_codes is not None:
        missing = sorted(set(province_codes) - set(by_code))
        if missing:
            raise _fail(
                str(source / COMMUNES_DIR),
                format_lazy(_("no commune file for province {codes}"), codes=", ".join(missing)),
            )
        by_code = {code: path for code, path in by_code.items() if code in province_codes}
    return provinces, [by_code[code] for code in sorted(by_code)]


def _load(path: Path, label: str) -> list[Any]:
    try:
        if path.name.endswith(".xz"):
            with lzma.open(path, "rt", encoding="utf-8") as stream:
                document = json.load(stream)
        else:
            with path.open(encoding="utf-8") as stream:
                document = json.load(stream)
    except (lzma.LZMAError, UnicodeDecodeError, json.JSONDecodeError, EOFError) as exc:
        raise _fail(label, format_lazy(_("not valid JSON ({error})"), error=exc)) from exc
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise _fail(label, _("not a GeoJSON FeatureCollection"))
    features = document.get("features")
    if not isinstance(features, list):
        raise _fail(label, _("the FeatureCollection has no list of features"))
    return features


def _text(properties: dict[str, Any], key: str) -> str:
    value = properties.get(key)
    return value.strip() if isinstance(value, str) else ""


def _geometry_wkb(geometry: Any, where: str) -> bytes:
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind not in POLYGONAL:
        raise _fail(
            where,
            format_lazy(
                _("geometry type {kind} cannot be imported; only Polygon and MultiPolygon can"),
                kind=kind or _("(none)"),
            ),
        )
    try:
        geom = shapely.from_geojson(json.dumps(geometry))
    except (GEOSException, ValueError, TypeError) as exc:
        raise _fail(where, format_lazy(_("malformed geometry ({error})"), error=exc)) from exc
    if geom.is_empty:
        raise _fail(where, _("the geometry is empty"))
    min_lon, min_lat, max_lon, max_lat = geom.bounds
    # Written as "not inside" so NaN coordinates fail too.
    if not (
        LON_RANGE[0] <= min_lon <= max_lon <= LON_RANGE[1]
        and LAT_RANGE[0] <= min_lat <= max_lat <= LAT_RANGE[1]
    ):
        raise _fail(
            where,
            format_lazy(
                _(
                    "coordinates lon {lon0}..{lon1}, lat {lat0}..{lat1} are outside Vietnam "
                    "(lon 100..120, lat 6..25); are longitude and latitude swapped or projected?"
                ),
                lon0=min_lon,
                lon1=max_lon,
                lat0=min_lat,
                lat1=max_lat,
            ),
        )
    return bytes(shapely.to_wkb(geom, output_dimension=2))


def _feature(raw: Any, *, file: str, index: int, level: str) -> SourceFeature:
    if not isinstance(raw, dict) or raw.get("type") != "Feature":
        raise _fail(f"{file} feature #{index}", _("not a GeoJSON Feature"))
    properties = raw.get("properties")
    properties = properties if isinstance(properties, dict) else {}
    code = _text(properties, "code") or (str(raw["id"]) if raw.get("id") is not None else "")
    if not code:
        raise _fail(f"{file} feature #{index}", _("the feature has no code"))
    where = f"{file} feature #{index} (code {code})"
    if not CODE_PATTERN[level].match(code):
        raise _fail(
            where,
            format_lazy(_("“{code}” is not an official {level} code"), code=code, level=level),
        )
    name, full_name = _text(properties, "name"), _text(properties, "fullName")
    if not name or not full_name:
        raise _fail(where, _("the feature has no name or fullName"))
    province_code: str | None = None
    unit_type: str
    if level == AdminUnit.Level.PROVINCE:
        # Centrally governed cities are named "Thành phố …"; all others are "Tỉnh …".
        is_city = full_name.casefold().startswith("thành phố")
        unit_type = AdminUnit.UnitType.CITY if is_city else AdminUnit.UnitType.PROVINCE
    else:
        raw_type = _text(properties, "unitType")
        if raw_type not in COMMUNE_TYPES:
            raise _fail(where, format_lazy(_("unknown unitType “{value}”"), value=raw_type))
        unit_type = COMMUNE_TYPES[raw_type]
        province_code = _text(properties, "provinceCode")
        if not CODE_PATTERN[AdminUnit.Level.PROVINCE].match(province_code):
            raise _fail(where, _("the commune has no valid provinceCode"))
    return SourceFeature(
        file=file,
        index=index,
        level=level,
        code=code,
        unit_type=unit_type,
        name=name,
        full_name=full_name,
        name_en=_text(properties, "nameEn"),
        full_name_en=_text(properties, "fullNameEn"),
        province_code=province_code,
        wkb=_geometry_wkb(raw.get("geometry"), where),
    )


def features_read(*, path: Path, level: str, label: str | None = None) -> Iterator[SourceFeature]:
    """Yield the checked features of one file; ``label`` names it in messages."""
    name = label or path.name
    for index, raw in enumerate(_load(path, name)):
        yield _feature(raw, file=name, index=index, level=level)
