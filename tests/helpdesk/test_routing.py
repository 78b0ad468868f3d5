"""The coverage rule, written once in helpdesk/routing.py (issue 10): a point in
Vietnamese waters or just across a border reaches the nearest province's triage
queue and the filer is told why; a point far from every commune is refused
before anything is saved."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from geo.importing import boundaries_import, default_source
from geo.selectors import commune_at_point
from helpdesk.filing import CaseDraft, case_submit
from helpdesk.models import Ticket
from helpdesk.routing import OutsideCoverage
from tests import factories
from tests.conftest import COMMUNE_A, Personas

pytestmark = pytest.mark.django_db

# The Gulf of Tonkin 15 km east of Cô Tô (a special zone of Quảng Ninh, 22).
AT_SEA = (20.95, 107.92)
# Laos, 5 km west of the Tây Trang border gate of Điện Biên (11).
ACROSS_THE_LAO_BORDER = (21.23, 102.88)
# Luang Prabang, Laos: about 150 km from the nearest Vietnamese commune.
FAR_AWAY = (19.88, 102.13)


@pytest.fixture
def coast_and_lao_border() -> None:
    """Quảng Ninh and Điện Biên besides the usual two, for this test only (rolled back)."""
    boundaries_import(source=default_source(), provinces=["11", "22"], commit=True)


def _file(reporter: User, point: tuple[float, float]) -> tuple[Ticket, str]:
    lat, lon = point
    submission = case_submit(
        reporter=reporter,
        draft=CaseDraft(service_code="streetlight_out", description="Đèn hỏng", lat=lat, lon=lon),
    )
    return submission.ticket, submission.explanation


@pytest.mark.parametrize(
    ("point", "province"), [(AT_SEA, "22"), (ACROSS_THE_LAO_BORDER, "11")], ids=["sea", "laos"]
)
def test_a_point_no_commune_covers_but_near_one_goes_to_that_provinces_triage(
    coast_and_lao_border: None, personas: Personas, point: tuple[float, float], province: str
) -> None:
    assert commune_at_point(lat=point[0], lon=point[1]) is None
    ticket, explanation = _file(personas.resident, point)
    assert ticket.province == factories.province_get(code=province)
    assert ticket.commune is None
    assert ticket.department is None  # the province's triage queue
    # Told why and where, in Vietnamese by default.
    assert "trên biển hoặc bên kia biên giới" in explanation
    assert ticket.province.full_name in explanation
    assert ticket.events.get().body == explanation


def test_a_point_far_from_every_commune_is_refused_and_nothing_is_saved(
    coast_and_lao_border: None, personas: Personas
) -> None:
    with pytest.raises(OutsideCoverage):
        _file(personas.resident, FAR_AWAY)
    assert not Ticket.objects.exists()


def test_the_point_is_looked_up_once_per_filing(personas: Personas) -> None:
    """Intake and routing used to run the PostGIS lookup twice per filing; then
    read the province and the boundary version again, which the lookup had read."""
    commune = factories.commune_get(code=COMMUNE_A)
    lat, lon = factories.point_inside(commune)
    with CaptureQueriesContext(connection) as captured:
        ticket, _explanation = _file(personas.resident, (lat, lon))
    lookups = [q for q in captured.captured_queries if "ST_Covers" in q["sql"]]
    assert len(lookups) == 1
    reads = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]
    assert not [sql for sql in reads if 'FROM "geo_adminunit"' in sql]
    assert not [sql for sql in reads if 'FROM "geo_boundaryversion"' in sql]
    ticket.refresh_from_db()
    assert (ticket.commune_id, ticket.province_id) == (commune.pk, commune.parent_id)
    assert ticket.boundary_version is not None
    assert ticket.boundary_version.label == "vn-2025"
