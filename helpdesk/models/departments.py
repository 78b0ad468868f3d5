"""Commune departments and the officers who work in them.

Since the July 2025 two-tier reform each commune's People's Committee has a
small set of departments; cases are routed to one of them by topic.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from geo.models import AdminUnit


class DepartmentType(models.TextChoices):
    ECONOMY_INFRASTRUCTURE = "economy_infrastructure", _("Economy – Infrastructure – Urban")
    CULTURE_SOCIETY = "culture_society", _("Culture – Society")
    PUBLIC_SERVICE_CENTRE = "public_service_centre", _("Public Administration Service Centre")
    OFFICE = "office", _("Office of the People's Council and Committee")
    POLICE_LIAISON = "police_liaison", _("Commune Police liaison")


class Department(models.Model):
    commune = models.ForeignKey(
        AdminUnit,
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        related_name="departments",
        limit_choices_to={"level": AdminUnit.Level.COMMUNE},
    )
    department_type = models.CharField(_("type"), max_length=32, choices=DepartmentType.choices)
    name = models.CharField(_("name"), max_length=160)
    name_en = models.CharField(_("name (English)"), max_length=160, blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ("commune__code", "department_type")
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "department_type"],
                name="helpdesk_one_department_type_per_commune",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DepartmentMembership(models.Model):
    """An officer's seat in a department; it narrows the officer role's scope."""

    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    user = models.ForeignKey(
        "accounts.User",
        verbose_name=_("officer"),
        on_delete=models.CASCADE,
        related_name="department_memberships",
    )
    created_at = models.DateTimeField(_("joined at"), default=timezone.now)

    class Meta:
        verbose_name = _("department membership")
        verbose_name_plural = _("department memberships")
        constraints = [
            models.UniqueConstraint(fields=["department", "user"], name="helpdesk_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.department}"
