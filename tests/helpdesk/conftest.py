from __future__ import annotations

import io

import pytest
from django.contrib.gis.db.models.functions import PointOnSurface
from django.core.management import call_command

from geo.models import AdminUnit, Boundary
from helpdesk.catalogue_seed import services_seed
from helpdesk.models import Service
from tests.conftest import TEST_PROVINCES


def point_inside(unit: AdminUnit) -> tuple[float, float]:
    """Return (lat, lon) of a point surely inside the unit's current boundary."""
    boundary = (
        Boundary.objects.filter(unit=unit, valid_to__isnull=True)
        .annotate(inside=PointOnSurface("geom"))
        .get()
    )
    return boundary.inside.y, boundary.inside.x


@pytest.fixture
def committed_reference_data(transactional_db: None) -> None:
    """Boundaries and catalogue for tests that commit for real.

    A transactional test empties every table when it ends, so each one puts the
    reference data back first (the import is idempotent when nothing changed).
    """
    args = [arg for code in TEST_PROVINCES for arg in ("--province", code)]
    call_command("import_boundaries", *args, "--commit", stdout=io.StringIO())
    services_seed(Service)
