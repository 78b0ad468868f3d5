"""Schemas of the geo API: points in as lat/lon floats, units out by code and name."""

from __future__ import annotations

import math
from typing import Annotated

from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, Strict, WithJsonSchema

from core.api_fields import JsonBody
from geo.errors import InvalidCoordinates
from geo.matches import CommuneMatch
from geo.models import AdminUnit
from geo.typed_numbers import coordinate_typed


def _latitude(value: float) -> float:
    if not (math.isfinite(value) and -90.0 <= value <= 90.0):
        raise InvalidCoordinates(details={"lat": str(value)}, field="lat")
    return value


def _longitude(value: float) -> float:
    if not (math.isfinite(value) and -180.0 <= value <= 180.0):
        raise InvalidCoordinates(details={"lon": str(value)}, field="lon")
    return value


# The ranges are in the schema, and a value outside them is refused with the
# invalid_coordinates code clients already branch on (a DomainError raised in
# a validator passes through pydantic to config/api.py). In query strings and
# form fields a number arrives as text, so these are lax, and read text as the
# pages' forms do (geo/typed_numbers.py: full-width digits, a decimal comma).
_LATITUDE_SCHEMA = {"type": "number", "minimum": -90, "maximum": 90}
_LONGITUDE_SCHEMA = {"type": "number", "minimum": -180, "maximum": 180}
Latitude = Annotated[
    float,
    BeforeValidator(coordinate_typed),
    AfterValidator(_latitude),
    WithJsonSchema(_LATITUDE_SCHEMA),
]
Longitude = Annotated[
    float,
    BeforeValidator(coordinate_typed),
    AfterValidator(_longitude),
    WithJsonSchema(_LONGITUDE_SCHEMA),
]
# In JSON bodies also no true/false and no numbers written as strings; the
# batch lookup checks the ranges itself, to name the point at fault by index.
JsonLatitude = Annotated[float, Strict(), WithJsonSchema(_LATITUDE_SCHEMA)]
JsonLongitude = Annotated[float, Strict(), WithJsonSchema(_LONGITUDE_SCHEMA)]


class PointIn(JsonBody):
    lat: JsonLatitude
    lon: JsonLongitude


class LookupBatchIn(JsonBody):
    # The 1..1,000 limit is checked by the selector, which answers with the
    # stable codes batch_empty / batch_too_large rather than a schema error.
    points: list[PointIn]


class UnitOut(Schema):
    code: str
    name: str
    full_name: str
    name_en: str
    # "Phan Dinh Phung Ward": for a page in English (the report form's "use my
    # location" says where the place is).
    full_name_en: str
    unit_type: str

    @staticmethod
    def of(unit: AdminUnit) -> UnitOut:
        return UnitOut(
            code=unit.code,
            name=unit.name,
            full_name=unit.full_name,
            name_en=unit.name_en,
            full_name_en=unit.full_name_en,
            unit_type=unit.unit_type,
        )


class CommuneMatchOut(Schema):
    commune: UnitOut
    province: UnitOut
    boundary_version: str

    @staticmethod
    def of(match: CommuneMatch) -> CommuneMatchOut:
        return CommuneMatchOut(
            commune=UnitOut.of(match.commune),
            province=UnitOut.of(match.province),
            boundary_version=match.boundary_version,
        )


class LookupBatchOut(Schema):
    results: list[CommuneMatchOut | None]
