"""Administrative units and their boundaries, with versions.

Borrowed from MapIt: boundaries have versions ("generations") so a case keeps
the unit it was routed to after boundaries change, and each current boundary is
also stored cut into small pieces (ST_Subdivide) so point lookups test a few
hundred vertices instead of tens of thousands.
"""

from __future__ import annotations

from django.contrib.gis.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BoundaryVersion(models.Model):
    """One import that changed boundaries. Lookups use the newest one."""

    label = models.CharField(_("label"), max_length=64, unique=True)
    source = models.CharField(_("source"), max_length=255, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("boundary version")
        verbose_name_plural = _("boundary versions")
        ordering = ("-id",)

    def __str__(self) -> str:
        return self.label


class AdminUnit(models.Model):
    """A province, a commune (xã / phường / đặc khu), or later a village."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        COMMUNE = "commune", _("Commune")
        VILLAGE = "village", _("Village")

    class UnitType(models.TextChoices):
        PROVINCE = "tinh", _("Province (tỉnh)")
        CITY = "thanh_pho", _("City (thành phố)")
        COMMUNE = "xa", _("Commune (xã)")
        WARD = "phuong", _("Ward (phường)")
        SPECIAL_ZONE = "dac_khu", _("Special zone (đặc khu)")
        VILLAGE = "thon", _("Village (thôn / bản / tổ dân phố)")

    code = models.CharField(_("official code"), max_length=10)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    unit_type = models.CharField(_("type"), max_length=10, choices=UnitType.choices)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    full_name = models.CharField(_("full name"), max_length=160)
    full_name_en = models.CharField(_("full name (English)"), max_length=160, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    # Villages have no official polygon; a point is enough to show them.
    location = models.PointField(_("location"), srid=4326, null=True, blank=True)
    created_in = models.ForeignKey(
        BoundaryVersion,
        verbose_name=_("created in version"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    retired_in = models.ForeignKey(
        BoundaryVersion,
        verbose_name=_("retired in version"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Set when a later version no longer has this unit; cases keep pointing at it."),
    )

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ("level", "code")
        constraints = [
            models.UniqueConstraint(
                fields=["level", "code"], name="geo_unit_unique_code_per_level"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name


class Boundary(models.Model):
    """The polygon of a unit, valid from one version until a later one replaces it."""

    unit = models.ForeignKey(
        AdminUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="boundaries"
    )
    geom = models.MultiPolygonField(_("boundary"), srid=4326)
    checksum = models.CharField(
        _("checksum"),
        max_length=64,
        help_text=_(
            "SHA-256 of the normalised geometry; a re-import with the same value changes nothing."
        ),
    )
    valid_from = models.ForeignKey(
        BoundaryVersion, verbose_name=_("valid from"), on_delete=models.PROTECT, related_name="+"
    )
    valid_to = models.ForeignKey(
        BoundaryVersion,
        verbose_name=_("replaced in"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("boundary")
        verbose_name_plural = _("boundaries")
        constraints = [
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(valid_to__isnull=True),
                name="geo_boundary_one_current_per_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} ({self.valid_from})"


class BoundaryPiece(models.Model):
    """A small piece (ST_Subdivide) of a *current* boundary, for fast point lookups.

    Only current boundaries have pieces: the importer deletes the pieces of a
    boundary it replaces, so a lookup never needs to filter on versions.
    """

    boundary = models.ForeignKey(Boundary, on_delete=models.CASCADE, related_name="pieces")
    # Copied from the boundary so the hot lookup query touches one table.
    unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    level = models.CharField(max_length=10, choices=AdminUnit.Level.choices)
    geom = models.PolygonField(srid=4326)

    class Meta:
        verbose_name = _("boundary piece")
        verbose_name_plural = _("boundary pieces")
        indexes = [models.Index(fields=["level"], name="geo_piece_level")]

    def __str__(self) -> str:
        return f"piece of {self.unit_id}"
