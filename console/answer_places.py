"""Which department's prepared answers the answers page shows, and the lists
to choose another: a province, then a commune, then a department.

One list of every department the person may read was 16,600 options for a
superuser (five in every commune of the country) and about 460 for a province
administrator: a page of megabytes, and a list nobody finds a commune in (a
usability walk). A helpdesk asks for the place first. Each list holds only
places with departments the person may read (helpdesk/prepared_answers.py's
rule, which this does not change): provinces for whoever reads more than one
(a superuser), communes for whoever reads more than one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from core.names import sort_key
from geo.models import AdminUnit
from helpdesk.models import CannedResponse, Department
from helpdesk.names import department_name, unit_short_name, units_in_list
from helpdesk.permissions import Scope
from helpdesk.prepared_answers import answer_departments_read


@dataclass(frozen=True)
class AskedPlace:
    """What the address asks for. Any part may be missing, or left over from
    the last choice: a province changed in its list while the commune and
    department lists still hold the last province's. The wider choice wins."""

    province: str | None = None  # a province's code
    commune: str | None = None  # a commune's code
    department: int | None = None


@dataclass(frozen=True)
class AnswerPlaces:
    """The department shown, and the lists, each holding the one shown."""

    department: Department  # its commune loaded
    province_code: str
    commune_code: str
    # (code or id, name) in the reader's order; a level with a single place
    # has no list of communes (or provinces) to choose from.
    provinces: list[tuple[str, str]]
    communes: list[tuple[str, str]]
    departments: list[tuple[int, str]]


@dataclass(frozen=True)
class _Spot:
    """A department and where it is."""

    department: int
    commune: int
    province: int | None


def answer_places_choose(*, scope: Scope, asked: AskedPlace) -> AnswerPlaces | None:
    """The department to show and the lists around it; None when the person
    may read no department's answers. Where the address does not say, the
    page opens on a department the person works in, else the one with the
    most answers (a leader's came to the police liaison's, first by name, and
    saved answers there unnoticed), else the first."""
    readable = answer_departments_read(scope=scope)
    provinces = _units(AdminUnit.Level.PROVINCE, readable.values("commune__parent_id"))
    if not provinces:
        return None
    own = _own(readable, scope)
    # The department the page heads for, while it lies in the places chosen.
    lead = _spot(readable.filter(pk=asked.department)) if asked.department else None

    province = _find(provinces, code=asked.province)
    if province is None and len(provinces) == 1:
        province = provinces[0]
    if province is None and asked.commune:
        # A commune asked for without its province: the province it is in.
        commune_asked = _spot(readable.filter(commune__code=asked.commune))
        province = _find(provinces, pk=commune_asked.province) if commune_asked else None
    if province is None:
        lead = lead or _likely(own, readable)
        province = (_find(provinces, pk=lead.province) if lead else None) or provinces[0]
    if lead is not None and lead.province != province.pk:
        lead = None

    in_province = readable.filter(commune__parent=province)
    communes = _units(AdminUnit.Level.COMMUNE, in_province.values("commune_id"))
    commune = _find(communes, code=asked.commune)
    if commune is None:
        lead = lead or _likely([o for o in own if o.province == province.pk], in_province)
        commune = (_find(communes, pk=lead.commune) if lead else None) or communes[0]
    if lead is not None and lead.commune != commune.pk:
        lead = None

    in_commune = readable.filter(commune=commune)
    departments = sorted(
        in_commune.select_related("commune"), key=lambda d: sort_key(department_name(d))
    )
    if not departments:
        return None  # its last one closed since the communes were read
    if lead is None:
        lead = _likely([o for o in own if o.commune == commune.pk], in_commune)
    shown = next((d for d in departments if lead and d.pk == lead.department), departments[0])
    return AnswerPlaces(
        department=shown,
        province_code=province.code,
        commune_code=commune.code,
        provinces=[(u.code, name) for u, name in units_in_list(provinces)]
        if len(provinces) > 1
        else [],
        communes=[(u.code, name) for u, name in units_in_list(communes)]
        if len(provinces) > 1 or len(communes) > 1
        else [],
        departments=[(d.pk, department_name(d)) for d in departments],
    )


def _units(level: str, ids: QuerySet[Any, Any]) -> list[AdminUnit]:
    return list(
        AdminUnit.objects.filter(level=level, pk__in=ids).only(
            "code", "name", "name_en", "full_name", "full_name_en"
        )
    )


def _find(
    units: Sequence[AdminUnit], *, code: str | None = None, pk: int | None = None
) -> AdminUnit | None:
    return next(
        (
            u
            for u in units
            if (code is not None and u.code == code) or (pk is not None and u.pk == pk)
        ),
        None,
    )


def _spot(departments: QuerySet[Department]) -> _Spot | None:
    row = departments.values_list("pk", "commune_id", "commune__parent_id").first()
    return _Spot(*row) if row is not None else None


def _own(readable: QuerySet[Department], scope: Scope) -> list[_Spot]:
    """The departments the person works in, in the lists' order."""
    if not scope.department_ids:
        return []
    rows = readable.filter(pk__in=scope.department_ids).select_related("commune")
    ordered = sorted(
        rows, key=lambda d: (sort_key(unit_short_name(d.commune)), sort_key(department_name(d)))
    )
    return [_Spot(d.pk, d.commune_id, d.commune.parent_id) for d in ordered]


def _likely(own: list[_Spot], area: QuerySet[Department]) -> _Spot | None:
    """The first of ``own`` (already inside ``area``), else the department
    of ``area`` with the most prepared answers, else None (none has any)."""
    if own:
        return own[0]
    row = (
        CannedResponse.objects.filter(department__in=area)
        .values("department_id", "department__commune_id", "department__commune__parent_id")
        .annotate(answers=Count("id"))
        .order_by("-answers", "department_id")
        .values_list("department_id", "department__commune_id", "department__commune__parent_id")
        .first()
    )
    return _Spot(*row) if row is not None else None
