"""Administrative units as they are today.

A unit retired by a later boundary version (the 2025 merger retired ~10,000
communes) stays in the database so old cases keep pointing at it, but it is
offered to nobody: forms, demo data and filing by commune code all read the
current units through these two functions, so "current" is defined once.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet

from geo.models import AdminUnit


def units_current(*, level: str, parent_code: str | None = None) -> QuerySet[AdminUnit]:
    """Units of ``level`` not retired by any boundary version, by parent if given."""
    units = AdminUnit.objects.filter(level=level, retired_in__isnull=True)
    if parent_code is not None:
        units = units.filter(parent__code=parent_code)
    return units


def commune_get_current(*, code: str) -> AdminUnit | None:
    """The current commune with this official code (its province loaded), or None."""
    return (
        units_current(level=AdminUnit.Level.COMMUNE)
        .select_related("parent")
        .filter(code=code)
        .first()
    )


def deployment_province() -> AdminUnit | None:
    """The deployment's province when settings.XADESK_PROVINCES names exactly one.

    The default for whatever has no place of its own: the SMS bill of a number
    with no case yet, the scam list a check with no commune reads.
    """
    provinces: list[str] = settings.XADESK_PROVINCES
    if len(provinces) != 1:
        return None
    return units_current(level=AdminUnit.Level.PROVINCE).filter(code=provinces[0]).first()
