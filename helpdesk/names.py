"""Names in the reader's language: Vietnamese by default, English when active and known.

One rule for the API, the pages and the public map: an English name is shown only
when the active language is English and the English name is filled in.
"""

from __future__ import annotations

from django.utils.translation import get_language

from geo.models import AdminUnit
from helpdesk.models import Department, Service, TicketStatus


def localized(vietnamese: str, english: str) -> str:
    if english and (get_language() or "vi").startswith("en"):
        return english
    return vietnamese


def service_name(service: Service) -> str:
    return localized(service.name, service.name_en)


def unit_name(unit: AdminUnit) -> str:
    return localized(unit.full_name, unit.full_name_en)


def unit_short_name(unit: AdminUnit) -> str:
    """The name without its kind ("Ba Đình", not "Phường Ba Đình"), for narrow
    columns where the heading already says "Commune"."""
    return localized(unit.name, unit.name_en)


def department_name(department: Department) -> str:
    return localized(department.name, department.name_en)


def status_labels() -> dict[str, str]:
    """Each case status's label in the active language, translated once for a
    list: a lazy label made and translated per row was a measurable part of a
    100-row page (bench/queue_scale.py). Read with ``.get(status, status)``, so
    a status the code no longer knows shows as itself rather than failing."""
    return {value: str(label) for value, label in TicketStatus.choices}
