"""The service catalogue (Open311 calls a category a "service") and routing rules."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from geo.models import AdminUnit
from helpdesk.icons import DEFAULT, ServiceIcon
from helpdesk.models.departments import DepartmentType


class ServiceKind(models.TextChoices):
    FIELD_REPORT = "field_report", _("Field report")
    HELP_REQUEST = "help_request", _("Help request")


class PublicLocation(models.TextChoices):
    """How precisely the public (the map, "me too" followers, nearby) sees a case's place."""

    GRID = "grid", _("Rounded to a grid cell")
    COMMUNE = "commune", _("Commune only")
    HIDDEN = "hidden", _("Not shown to the public")


class Service(models.Model):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ServiceKind.choices)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    # A symbol of static/icons.svg (helpdesk/icons.py), drawn as inline SVG.
    icon = models.CharField(_("icon"), max_length=40, choices=ServiceIcon.choices, default=DEFAULT)
    location_required = models.BooleanField(_("location required"), default=True)
    photo_required = models.BooleanField(_("photo required"), default=False)
    description_required = models.BooleanField(_("description required"), default=False)
    department_type = models.CharField(
        _("handled by department type"), max_length=32, choices=DepartmentType.choices
    )
    sla_hours = models.DecimalField(
        _("SLA target (working hours)"),
        max_digits=6,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5"))],
    )
    after_photo_required = models.BooleanField(_("after-photo required to resolve"), default=False)
    # A report made from home is a home address: the public sees a rounded place,
    # only the commune, or nothing (sensitive services), never the exact point.
    public_location = models.CharField(
        _("place shown to the public"),
        max_length=10,
        choices=PublicLocation.choices,
        default=PublicLocation.GRID,
    )
    public_grid_m = models.PositiveIntegerField(
        _("public grid cell (m)"), default=100, validators=[MinValueValidator(50)]
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ("kind", "sort_order", "code")

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """Send a service to another department type within a commune or a whole province.

    Precedence: a commune's rule, then its province's rule, then the service's
    own department type — so a new commune works with no rules at all.
    """

    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="routing_rules"
    )
    unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("commune or province"),
        on_delete=models.CASCADE,
        related_name="routing_rules",
        limit_choices_to=Q(level__in=[AdminUnit.Level.COMMUNE, AdminUnit.Level.PROVINCE]),
    )
    department_type = models.CharField(
        _("route to department type"), max_length=32, choices=DepartmentType.choices
    )

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        constraints = [
            models.UniqueConstraint(fields=["service", "unit"], name="helpdesk_one_rule_per_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.service} @ {self.unit} → {self.get_department_type_display()}"
