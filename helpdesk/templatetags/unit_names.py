"""Names of places, departments and services in the reader's language, for templates.

``{{ ticket.service|service_name }}`` and the like: the rule of helpdesk/names.py
(English only when English is active and the English name is filled in), so a
page says what the API and the public pages say of the same case.
"""

from __future__ import annotations

from django import template

from geo.models import AdminUnit
from helpdesk import names
from helpdesk.models import Department, Service

register = template.Library()


@register.filter
def service_name(service: Service | None) -> str:
    return names.service_name(service) if service is not None else ""


@register.filter
def unit_name(unit: AdminUnit | None) -> str:
    return names.unit_name(unit) if unit is not None else ""


@register.filter
def unit_short_name(unit: AdminUnit | None) -> str:
    return names.unit_short_name(unit) if unit is not None else ""


@register.filter
def department_name(department: Department | None) -> str:
    return names.department_name(department) if department is not None else ""


@register.filter
def department_with_commune(department: Department | None) -> str:
    """A department named with its commune, as the lists name it
    (helpdesk.names.department_in_commune): "Đại Từ — Phòng Kinh tế"."""
    return names.department_with_commune(department) if department is not None else ""
