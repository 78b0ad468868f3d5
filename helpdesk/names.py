"""Names of the case core's things in the reader's language (core/names.py's
rule): services, places, departments and statuses, for the API, the pages,
the console and the public map.
"""

from __future__ import annotations

from collections.abc import Iterable

from core.names import localized, sort_key
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


def units_in_list(units: Iterable[AdminUnit]) -> list[tuple[AdminUnit, str]]:
    """Provinces or communes as a list shows them: each with its name in the
    page's language, in a Vietnamese reader's order of the name without its
    kind. The database's order put "Huế" before "Hà Nội" and every Đ last,
    and English pages listed Vietnamese names (a helper on a phone). The
    resident forms and the alert areas both list them so."""
    ordered = sorted(units, key=lambda unit: sort_key(unit_short_name(unit)))
    return [(unit, unit_name(unit)) for unit in ordered]


def department_name(department: Department) -> str:
    return localized(department.name, department.name_en)


def department_in_commune(department: str, commune: str) -> str:
    """A department named with its commune, the commune first: "Đại Từ —
    Phòng Kinh tế". Every commune has the same five departments, so the name
    alone repeats 92 times in a province; and a list's options are reached
    from the keyboard by their first letters, so an officer typing "Đại"
    reaches Đại Từ's (with the department first, typing a commune's name
    selected nothing: a helper's walk of the transfer list)."""
    return f"{commune} — {department}"


def department_with_commune(department: Department) -> str:
    """``department`` named with its commune (``department_in_commune``), as
    the lists name it; its commune loaded, or read here."""
    return department_in_commune(department_name(department), unit_short_name(department.commune))


def departments_in_list[K](rows: Iterable[tuple[K, str, str]]) -> list[tuple[K, str]]:
    """Departments of several communes as a list shows them: each (key,
    department name, commune name) row becomes (key, department_in_commune),
    listed by commune, then department, in the reader's order. The queue's
    filter and the transfer form both list them so."""
    ordered = sorted(rows, key=lambda row: (sort_key(row[2]), sort_key(row[1])))
    return [
        (key, department_in_commune(department, commune)) for key, department, commune in ordered
    ]


def status_labels() -> dict[str, str]:
    """Each case status's label in the active language, translated once for a
    list: a lazy label made and translated per row was a measurable part of a
    100-row page (bench/queue_scale.py). Read with ``.get(status, status)``, so
    a status the code no longer knows shows as itself rather than failing."""
    return {value: str(label) for value, label in TicketStatus.choices}
