"""Routing a case: point → commune (geo) + service → department (rules).

The coverage rule, in one place: a point inside a commune goes to it; a point
no commune covers but within reach of one (Vietnamese waters, a pin just across
a border) goes to the nearest province's triage queue and the filer is told
why; a point far from every commune is refused with OutsideCoverage, before
anything is saved. A commune without the right department leaves the case
unrouted in that commune's province; the filer is told plainly.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.errors import InvalidInput
from geo.models import AdminUnit
from geo.selectors import commune_at_point, province_nearest
from helpdesk.models import Department, RoutingRule, Service
from helpdesk.names import unit_name


class OutsideCoverage(InvalidInput):
    code = "outside_coverage"
    field = "lat"
    default_message = _(
        "This place is not inside any commune of Vietnam. Move the pin, or choose your commune."
    )


@dataclass(frozen=True)
class RoutingDecision:
    commune: AdminUnit | None
    province: AdminUnit | None
    department: Department | None
    boundary_version_id: int | None  # the boundaries the point was matched in
    # Shown to the filer when the case could not go straight to a department.
    explanation: str | Promise = ""

    @property
    def is_routed(self) -> bool:
        return self.department is not None


def department_type_for(*, service: Service, commune: AdminUnit) -> str:
    """Return the department type handling the service in the commune.

    A commune's own rule wins over its province's rule, which wins over the
    service's default, so a new commune works with no rules at all.
    """
    scopes = [commune.pk] if commune.parent_id is None else [commune.pk, commune.parent_id]
    rules = {
        rule.unit_id: rule.department_type
        for rule in RoutingRule.objects.filter(service=service, unit_id__in=scopes)
    }
    for unit_id in scopes:
        if unit_id in rules:
            return rules[unit_id]
    return service.department_type


def _department_in(*, commune: AdminUnit, service: Service) -> Department | None:
    return Department.objects.filter(
        commune=commune,
        department_type=department_type_for(service=service, commune=commune),
        is_active=True,
    ).first()


def route_case(
    *, service: Service, lat: float | None, lon: float | None, commune: AdminUnit | None = None
) -> RoutingDecision:
    """Decide where a case goes. A point inside a commune wins over a chosen commune.

    One point-in-polygon lookup per filing; raises OutsideCoverage for a point
    far from every commune (see the module's docstring).
    """
    version_id: int | None = None
    province: AdminUnit | None = None
    if lat is not None and lon is not None:
        match = commune_at_point(lat=lat, lon=lon)
        if match is None and commune is not None:
            # The filer insists on a commune the point is not in (a wrong pin, a
            # point at sea): keep both, and let the province check it.
            return RoutingDecision(
                commune=commune,
                province=commune.parent,
                department=None,
                boundary_version_id=None,
                explanation=_(
                    "The place on the map is not inside %(commune)s, so the province will "
                    "check where your case belongs."
                )
                % {"commune": unit_name(commune)},
            )
        if match is None:
            province = province_nearest(lat=lat, lon=lon)
            if province is None:
                raise OutsideCoverage()
            return RoutingDecision(
                commune=None,
                province=province,
                department=None,
                boundary_version_id=None,
                explanation=_(
                    "This place is outside every commune (at sea or across the border), "
                    "so it was sent to the nearest province, %(province)s, which will "
                    "decide who handles your case."
                )
                % {"province": unit_name(province)},
            )
        # The match read the province and the version with the commune.
        commune, province, version_id = match.commune, match.province, match.boundary_version_id
    if commune is None:
        return RoutingDecision(
            commune=None,
            province=None,
            department=None,
            boundary_version_id=None,
            explanation=_("No place was given, so an administrator will route your case."),
        )
    department = _department_in(commune=commune, service=service)
    return RoutingDecision(
        commune=commune,
        province=province or commune.parent,
        department=department,
        boundary_version_id=version_id,
        explanation=""
        if department
        else _(
            "%(commune)s has no department for this yet, so the province will pass your "
            "case to the right people."
        )
        % {"commune": unit_name(commune)},
    )
