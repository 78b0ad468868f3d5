"""The answer of a point lookup, shared by the SQL and in-memory paths."""

from __future__ import annotations

from dataclasses import dataclass

from geo.models import AdminUnit, Boundary


@dataclass(frozen=True, slots=True)
class CommuneMatch:
    """The commune holding a point, its province and the boundary version used."""

    commune: AdminUnit
    province: AdminUnit
    boundary_version: str  # its label
    # Its id, for a case's record of the boundaries it was routed by: no
    # second query for the version a filing already knows.
    boundary_version_id: int


def commune_match_from_boundary(boundary: Boundary) -> CommuneMatch:
    """Describe a commune boundary (with unit, parent and valid_from loaded) as a match."""
    commune = boundary.unit
    assert commune.parent is not None, "communes always have a province"
    return CommuneMatch(
        commune=commune,
        province=commune.parent,
        boundary_version=boundary.valid_from.label,
        boundary_version_id=boundary.valid_from_id,
    )
