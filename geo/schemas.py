"""Schemas of the geo API: points in as lat/lon floats, units out by code and name."""

from __future__ import annotations

from ninja import Schema

from geo.matches import CommuneMatch
from geo.models import AdminUnit


class PointIn(Schema):
    lat: float
    lon: float


class LookupBatchIn(Schema):
    # The 1..1,000 limit is checked by the selector, which answers with the
    # stable codes batch_empty / batch_too_large rather than a schema error.
    points: list[PointIn]


class UnitOut(Schema):
    code: str
    name: str
    full_name: str
    name_en: str
    unit_type: str

    @staticmethod
    def of(unit: AdminUnit) -> UnitOut:
        return UnitOut(
            code=unit.code,
            name=unit.name,
            full_name=unit.full_name,
            name_en=unit.name_en,
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


class ErrorOut(Schema):
    code: str
    message: str
