"""The village a team member gives for the resident they file for is never
public (the form says so, reports/forms.py). A description that named it
showed it on the public page and in Open311 (a helper's walk): it is hidden
there like the resident's name (helpdesk/public_view.village_hidden)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from geo.models import AdminUnit
from helpdesk.filing import CaseDraft, case_submit
from helpdesk.proxy_filing import ProxyDetails
from helpdesk.public_view import village_hidden
from tests.conftest import Personas
from tests.factories import point_inside

pytestmark = pytest.mark.django_db


def test_a_residents_village_is_hidden_wherever_the_public_reads_the_case(
    personas: Personas, commune_a: AdminUnit
) -> None:
    lat, lon = point_inside(commune_a)
    ticket = case_submit(
        reporter=personas.digital_team,
        draft=CaseDraft(
            service_code="streetlight_out",
            lat=lat,
            lon=lon,
            description="Bà Mơ ở Xóm Gò Móc báo đèn đường tắt, cả xóm Gò Móc đi lại khó. Gần chợ.",
            proxy=ProxyDetails(
                resident_name="Hoàng Thị Mơ", consent="spoken", village="Xóm Gò Móc"
            ),
        ),
    ).ticket
    pages = {
        "public page": Client().get(f"/reports/{ticket.public_id}/"),
        "public API": Client().get(f"/api/v1/reports/public/{ticket.public_id}"),
        "Open311 list": Client().get("/open311/v2/requests.json"),
        "Open311 case": Client().get(f"/open311/v2/requests/{ticket.public_id}.json"),
    }
    for where, response in pages.items():
        assert response.status_code == 200, where
        body = response.content.decode()
        if response["Content-Type"].startswith("application/json"):
            body = json.dumps(response.json(), ensure_ascii=False)
        assert "Gò Móc" not in body, where
        assert "Go Moc" not in body, where
        # The rest of the description is still read.
        assert "đèn đường tắt" in body, where
        assert "Gần chợ" in body, where


def test_how_a_village_is_hidden() -> None:
    assert village_hidden("Xóm Gò Móc") == ["Xóm Gò Móc", "Gò Móc"]
    assert village_hidden("Tổ dân phố Đồng Tâm") == ["Tổ dân phố Đồng Tâm", "Đồng Tâm"]
    # Many villages are "Thôn 3": hidden whole, the number alone is not a name.
    assert village_hidden("Thôn 3") == ["Thôn 3"]
    assert village_hidden("Nà Hang") == ["Nà Hang"]
    assert village_hidden("  ") == []
