"""Names of the case core's things in the reader's language (core/names.py's
rule): services, places, departments and statuses, for the API, the pages,
the console and the public map.
"""

from __future__ import annotations

from core.names import SortKey, localized, sort_key
from geo.models import AdminUnit
from helpdesk.models import Department, Service, TicketStatus


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


def department_in_list(department: str, commune: str) -> str:
    """A department among others of several communes, named with its commune
    ("Phòng Kinh tế — Đại Từ"): every commune has the same five departments,
    so the name alone repeats 92 times in a province. Listed by commune, then
    department (``department_list_order``)."""
    return f"{department} — {commune}"


def department_list_order(department: str, commune: str) -> tuple[SortKey, SortKey]:
    return sort_key(commune), sort_key(department)


def status_labels() -> dict[str, str]:
    """Each case status's label in the active language, translated once for a
    list: a lazy label made and translated per row was a measurable part of a
    100-row page (bench/queue_scale.py). Read with ``.get(status, status)``, so
    a status the code no longer knows shows as itself rather than failing."""
    return {value: str(label) for value, label in TicketStatus.choices}
