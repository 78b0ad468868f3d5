"""Import administrative boundaries into versioned units, boundaries and pieces.

Geometry goes from the source files straight into a staging table and never
comes back to Python: PostGIS repairs it (ST_MakeValid), hashes it, copies it
into ``geo_boundary`` and cuts the pieces (ST_Subdivide). Python only compares
checksums and names and decides what changes.

The whole import is one transaction holding an advisory lock, so a failure
leaves nothing half-imported and two imports cannot interleave. A dry run does
all the work and rolls it back, so its report is exact, pieces included.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from geo.errors import BoundarySourceInvalid, VersionLabelTaken
from geo.models import AdminUnit, Boundary, BoundaryPiece, BoundaryVersion
from geo.sources import SourceFeature, features_read, source_files

# Pieces of at most 256 vertices: bench/geo_lookup.py found no difference
# from 128 beyond run-to-run noise (single ~1.1-1.3k/s, SQL batch ~14-18k/s
# on this shared 2-core box either way), and 256 gives half the rows
# (9,676 vs 17,845) to index, load and keep in the in-process tree.
PIECE_MAX_VERTICES = 256
LOCK_KEY = "geo.import_boundaries"
UNIT_FIELDS = ("unit_type", "name", "full_name", "name_en", "full_name_en", "parent_id")


def default_source() -> Path:
    """Return the boundaries shipped in the repository."""
    return Path(settings.BASE_DIR) / "data" / "vn-boundaries" / "vn-2025"


@dataclass
class ImportReport:
    """What an import changed (or, in a dry run, would have changed)."""

    committed: bool
    provinces: list[str] | None
    version_label: str | None = None
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0
    reshaped: int = 0
    pieces: int = 0
    repaired: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.retired)


def _read(*, source: Path, provinces: Collection[str] | None) -> list[SourceFeature]:
    provinces_path, commune_paths = source_files(source=source, province_codes=provinces)
    features = [
        feature
        for feature in features_read(path=provinces_path, level=AdminUnit.Level.PROVINCE)
        if provinces is None or feature.code in provinces
    ]
    province_codes = {feature.code for feature in features}
    if provinces is not None and set(provinces) - province_codes:
        missing = ", ".join(sorted(set(provinces) - province_codes))
        raise BoundarySourceInvalid(
            format_lazy(_("{file}: no province {codes}"), file=provinces_path.name, codes=missing)
        )
    for path in commune_paths:
        label = f"{path.parent.name}/{path.name}"
        features.extend(features_read(path=path, level=AdminUnit.Level.COMMUNE, label=label))
    seen: dict[tuple[str, str], SourceFeature] = {}
    for feature in features:
        key = (feature.level, feature.code)
        if key in seen:
            raise BoundarySourceInvalid(
                format_lazy(
                    _("{where}: code already used by {other}"),
                    where=feature.where,
                    other=seen[key].where,
                )
            )
        seen[key] = feature
        if feature.province_code is not None and feature.province_code not in province_codes:
            raise BoundarySourceInvalid(
                format_lazy(
                    _("{where}: province {code} is not in the provinces being imported"),
                    where=feature.where,
                    code=feature.province_code,
                )
            )
    return features


def _stage(features: Sequence[SourceFeature]) -> tuple[dict[tuple[str, str], str], list[str]]:
    """Load, repair and hash the geometries; return checksums and repaired features."""
    by_key = {(feature.level, feature.code): feature for feature in features}
    with connection.cursor() as cursor:
        # Dropped first because a surrounding transaction (tests, a caller's
        # atomic block) may still hold one from an earlier import.
        cursor.execute("DROP TABLE IF EXISTS geo_import_stage")
        cursor.execute(
            "CREATE TEMP TABLE geo_import_stage (level text, code text,"
            " geom geometry(Geometry, 4326), checksum text, PRIMARY KEY (level, code))"
            " ON COMMIT DROP"
        )
        cursor.executemany(
            "INSERT INTO geo_import_stage (level, code, geom)"
            " VALUES (%s, %s, ST_GeomFromWKB(%s, 4326))",
            [(feature.level, feature.code, feature.wkb) for feature in features],
        )
        # Keep only the polygonal parts: MakeValid may turn a bow-tie into
        # polygons plus stray lines or points.
        cursor.execute(
            "UPDATE geo_import_stage"
            " SET geom = ST_Multi(ST_CollectionExtract(ST_MakeValid(geom), 3))"
            " WHERE NOT ST_IsValid(geom) RETURNING level, code"
        )
        repaired = sorted(by_key[(level, code)].where for level, code in cursor.fetchall())
        cursor.execute(
            "UPDATE geo_import_stage SET geom = ST_Multi(geom)"
            " WHERE ST_GeometryType(geom) <> 'ST_MultiPolygon'"
        )
        cursor.execute(
            "SELECT level, code FROM geo_import_stage WHERE ST_IsEmpty(geom) ORDER BY level, code"
        )
        empty = cursor.fetchall()
        if empty:
            raise BoundarySourceInvalid(
                format_lazy(
                    _("{where}: no polygon is left after repairing the geometry"),
                    where=by_key[empty[0]].where,
                )
            )
        # ST_Normalize fixes ring order and start points, so the same shape
        # always hashes the same however the file wrote it.
        cursor.execute(
            "UPDATE geo_import_stage"
            " SET checksum = encode(sha256(ST_AsBinary(ST_Normalize(geom))), 'hex')"
            " RETURNING level, code, checksum"
        )
        checksums = {(level, code): checksum for level, code, checksum in cursor.fetchall()}
    return checksums, repaired


def _version_label(*, wanted: str | None, source: Path) -> str:
    taken = set(BoundaryVersion.objects.values_list("label", flat=True))
    if wanted is not None:
        if wanted in taken:
            raise VersionLabelTaken(
                format_lazy(_("Boundary version “{label}” already exists."), label=wanted)
            )
        return wanted
    base, counter = source.name or "boundaries", 1
    label = base
    while label in taken:
        counter += 1
        label = f"{base}-{counter}"
    return label


@dataclass
class _Plan:
    new_units: list[AdminUnit] = field(default_factory=list)
    changed_units: list[AdminUnit] = field(default_factory=list)
    reshaped_boundaries: list[int] = field(default_factory=list)
    boundary_units: list[AdminUnit] = field(default_factory=list)
    retired_units: list[AdminUnit] = field(default_factory=list)


def _plan(
    *,
    features: Sequence[SourceFeature],
    checksums: dict[tuple[str, str], str],
    full: bool,
    report: ImportReport,
) -> _Plan:
    plan = _Plan()
    units = {
        (unit.level, unit.code): unit
        for unit in AdminUnit.objects.filter(
            level__in=(AdminUnit.Level.PROVINCE, AdminUnit.Level.COMMUNE)
        )
    }
    current = {
        unit_id: (boundary_id, checksum)
        for boundary_id, unit_id, checksum in Boundary.objects.filter(
            valid_to__isnull=True
        ).values_list("id", "unit_id", "checksum")
    }
    for feature in features:
        unit = units.get((feature.level, feature.code))
        wanted = AdminUnit(
            level=feature.level,
            code=feature.code,
            unit_type=feature.unit_type,
            name=feature.name,
            full_name=feature.full_name,
            name_en=feature.name_en,
            full_name_en=feature.full_name_en,
        )
        if feature.province_code is not None:
            # Provinces are created before communes, so the parent is known by then.
            wanted.parent = units[(AdminUnit.Level.PROVINCE, feature.province_code)]
        if unit is None:
            units[(feature.level, feature.code)] = wanted
            plan.new_units.append(wanted)
            plan.boundary_units.append(wanted)
            report.created += 1
            report.changes.append(f"+ {feature.level} {feature.code} {feature.full_name}")
            continue
        changed = [
            name
            for name in UNIT_FIELDS
            if name != "parent_id" and getattr(unit, name) != getattr(wanted, name)
        ]
        if wanted.parent is not None and unit.parent_id != wanted.parent.pk:
            changed.append("parent")
        for name in UNIT_FIELDS:
            if name != "parent_id":
                setattr(unit, name, getattr(wanted, name))
        if wanted.parent is not None:
            unit.parent = wanted.parent
        if unit.retired_in_id is not None:
            unit.retired_in = None
            changed.append("restored")
        boundary = current.get(unit.pk)
        if boundary is None or boundary[1] != checksums[(feature.level, feature.code)]:
            if boundary is not None:
                plan.reshaped_boundaries.append(boundary[0])
            plan.boundary_units.append(unit)
            report.reshaped += 1
            changed.append("boundary")
        if changed:
            plan.changed_units.append(unit)
            report.updated += 1
            report.changes.append(
                f"~ {feature.level} {feature.code} {feature.full_name}: {', '.join(changed)}"
            )
        else:
            report.unchanged += 1
    if full:
        seen = {(feature.level, feature.code) for feature in features}
        for key, unit in sorted(units.items()):
            if key not in seen and unit.retired_in_id is None and unit.pk is not None:
                plan.retired_units.append(unit)
                report.retired += 1
                report.changes.append(f"- {unit.level} {unit.code} {unit.full_name}")
    return plan


def _apply(*, plan: _Plan, version: BoundaryVersion | None) -> int:
    """Write the plan; return the number of pieces cut."""
    for unit in plan.new_units:
        unit.created_in = version
    AdminUnit.objects.bulk_create(
        [unit for unit in plan.new_units if unit.level == AdminUnit.Level.PROVINCE]
    )
    # Communes may point at provinces that got their ids just now.
    for unit in [*plan.new_units, *plan.changed_units]:
        if unit.parent is not None:
            unit.parent_id = unit.parent.pk
    AdminUnit.objects.bulk_create(
        [unit for unit in plan.new_units if unit.level != AdminUnit.Level.PROVINCE]
    )
    AdminUnit.objects.bulk_update(plan.changed_units, [*UNIT_FIELDS, "retired_in"])
    if plan.retired_units:
        AdminUnit.objects.filter(pk__in=[unit.pk for unit in plan.retired_units]).update(
            retired_in=version
        )
    retired_boundaries = list(
        Boundary.objects.filter(
            unit__in=[unit.pk for unit in plan.retired_units], valid_to__isnull=True
        ).values_list("id", flat=True)
    )
    closed = [*plan.reshaped_boundaries, *retired_boundaries]
    BoundaryPiece.objects.filter(boundary_id__in=closed).delete()
    Boundary.objects.filter(pk__in=closed).update(valid_to=version)
    if not plan.boundary_units:
        return 0
    assert version is not None
    with connection.cursor() as cursor:
        # One statement: the new boundaries flow straight into ST_Subdivide,
        # so the planner never joins freshly written tables it has no
        # statistics for (that plan took 14 s instead of 3 s).
        # Only communes get pieces: a point's province is the parent of the
        # commune holding it, never a lookup in the province layer.
        cursor.execute(
            "WITH new_boundary AS ("
            " INSERT INTO geo_boundary (unit_id, geom, checksum, valid_from_id)"
            " SELECT u.id, s.geom, s.checksum, %s FROM geo_import_stage s"
            " JOIN geo_adminunit u ON u.level = s.level AND u.code = s.code"
            " WHERE u.id = ANY(%s) RETURNING id, unit_id, geom)"
            " INSERT INTO geo_boundarypiece (boundary_id, unit_id, level, geom)"
            " SELECT b.id, b.unit_id, u.level, d.geom"
            " FROM new_boundary b JOIN geo_adminunit u ON u.id = b.unit_id,"
            " LATERAL ST_Subdivide(b.geom, %s) AS s(geom), LATERAL ST_Dump(s.geom) AS d"
            " WHERE u.level = %s AND ST_GeometryType(d.geom) = 'ST_Polygon'",
            [
                version.pk,
                [unit.pk for unit in plan.boundary_units],
                PIECE_MAX_VERTICES,
                AdminUnit.Level.COMMUNE,
            ],
        )
        return int(cursor.rowcount)


def boundaries_import(
    *,
    source: Path,
    provinces: Collection[str] | None = None,
    commit: bool = False,
    version_label: str | None = None,
) -> ImportReport:
    """Bring units and boundaries in line with ``source``; roll back unless ``commit``.

    ``provinces`` limits the import to those provinces and their communes; only
    a full import retires units that the source no longer has.
    """
    started = time.perf_counter()
    wanted_provinces = sorted(set(provinces)) if provinces else None
    report = ImportReport(committed=commit, provinces=wanted_provinces)
    features = _read(source=source, provinces=wanted_provinces)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [LOCK_KEY])
        checksums, report.repaired = _stage(features)
        plan = _plan(
            features=features, checksums=checksums, full=wanted_provinces is None, report=report
        )
        version = None
        if plan.new_units or plan.boundary_units or plan.retired_units:
            label = _version_label(wanted=version_label, source=source)
            scope = "all provinces" if wanted_provinces is None else ", ".join(wanted_provinces)
            version = BoundaryVersion.objects.create(
                label=label, source=str(source)[:255], note=f"import_boundaries: {scope}"
            )
            report.version_label = label
        report.pieces = _apply(plan=plan, version=version)
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS geo_import_stage")
        if not commit:
            transaction.set_rollback(True)
    report.seconds = time.perf_counter() - started
    return report
