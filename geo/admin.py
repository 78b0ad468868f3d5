from __future__ import annotations

from django.contrib.gis import admin

from geo.models import AdminUnit, Boundary, BoundaryPiece, BoundaryVersion


@admin.register(BoundaryVersion)
class BoundaryVersionAdmin(admin.ModelAdmin[BoundaryVersion]):
    list_display = ("label", "source", "created_at")


@admin.register(AdminUnit)
class AdminUnitAdmin(admin.ModelAdmin[AdminUnit]):
    list_display = ("code", "full_name", "level", "unit_type", "parent", "retired_in")
    list_filter = ("level", "unit_type")
    search_fields = ("code", "name", "full_name", "name_en")
    raw_id_fields = ("parent",)
    list_select_related = ("parent", "retired_in")


@admin.register(Boundary)
class BoundaryAdmin(admin.GISModelAdmin[Boundary]):
    list_display = ("unit", "valid_from", "valid_to")
    list_select_related = ("unit", "valid_from", "valid_to")
    raw_id_fields = ("unit",)
    search_fields = ("unit__code", "unit__name")


@admin.register(BoundaryPiece)
class BoundaryPieceAdmin(admin.GISModelAdmin[BoundaryPiece]):
    list_display = ("id", "unit", "level")
    list_select_related = ("unit",)
    raw_id_fields = ("boundary", "unit")
