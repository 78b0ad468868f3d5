"""The answer of a point lookup, shared by the SQL and in-memory paths."""

from __future__ import annotations

from dataclasses import dataclass

from geo.models import AdminUnit, Boundary


@dataclass(frozen=True, slots=True)
class CommuneMatch:
    """The commune holding a point, its province and the boundary version used."""

    commune: AdminUnit
    province: AdminUnit
    boundary_version: str


def commune_match_from_boundary(boundary: Boundary) -> CommuneMatch:
    """Describe a commune boundary (with unit, parent and valid_from loaded) as a match."""
    commune = boundary.unit
    assert commune.parent is not None, "communes always have a province"
    return CommuneMatch(
        commune=commune, province=commune.parent, boundary_version=boundary.valid_from.label
    )
