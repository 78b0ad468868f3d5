"""Geo fixtures: the real boundaries of Thái Nguyên (19) and Lạng Sơn (20), and
small hand-written sources in tmp_path for the importer's edge cases."""

from __future__ import annotations

import json
import lzma
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytest_django import DjangoDbBlocker

from geo.importing import boundaries_import, default_source

TEST_PROVINCES = ("19", "20")

Feature = dict[str, Any]
SourceWriter = Callable[..., Path]


@pytest.fixture(scope="session")
def geo_boundaries(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> None:
    """Import 19 and 20 once per test database (a no-op if tests/conftest.py did)."""
    with django_db_blocker.unblock():
        boundaries_import(source=default_source(), provinces=TEST_PROVINCES, commit=True)


@pytest.fixture
def boundaries(geo_boundaries: None, db: None) -> None:
    """The real boundaries, with the test's own changes rolled back afterwards."""


def read_features(relative: str) -> list[Feature]:
    with lzma.open(default_source() / relative, "rt", encoding="utf-8") as stream:
        features: list[Feature] = json.load(stream)["features"]
    return features


@pytest.fixture(scope="session")
def province_19() -> Feature:
    return next(f for f in read_features("provinces.geojson.xz") if f["properties"]["code"] == "19")


@pytest.fixture(scope="session")
def communes_19() -> list[Feature]:
    return read_features("communes_by_province/19_thai_nguyen.geojson.xz")


def commune_feature(
    *, code: str, geometry: dict[str, Any], name: str = "Thử Nghiệm", unit_type: str = "Xã"
) -> Feature:
    return {
        "type": "Feature",
        "id": code,
        "properties": {
            "code": code,
            "name": name,
            "fullName": f"{unit_type} {name}",
            "unitType": unit_type,
            "nameEn": "Thu Nghiem",
            "fullNameEn": "Thu Nghiem Commune",
            "provinceCode": "19",
        },
        "geometry": geometry,
    }


def square(lon: float, lat: float, size: float = 0.01) -> dict[str, Any]:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def write_source(tmp_path: Path, province_19: Feature) -> SourceWriter:
    """Write a source directory: province 19 and the given communes of 19."""

    def write(
        communes: list[Feature] | None = None,
        *,
        raw_communes: str | None = None,
        compress: bool = False,
    ) -> Path:
        source = tmp_path / "source"
        (source / "communes_by_province").mkdir(parents=True, exist_ok=True)
        collection = {"type": "FeatureCollection", "features": [province_19]}
        (source / "provinces.geojson").write_text(json.dumps(collection), encoding="utf-8")
        text = raw_communes
        if text is None:
            text = json.dumps({"type": "FeatureCollection", "features": communes or []})
        target = source / "communes_by_province" / "19_thai_nguyen.geojson"
        if compress:
            with lzma.open(target.with_suffix(".geojson.xz"), "wt", encoding="utf-8") as stream:
                stream.write(text)
        else:
            target.write_text(text, encoding="utf-8")
        return source

    return write
