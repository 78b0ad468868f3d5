"""The report form's "check" step when no point was given.

A usability walk: a resident who chose only a commune (no script, no GPS) and
pressed "Check reports nearby" was told "no open report nearby", when nothing
had been looked for near anything; the hint above the button asked to mark a
place on a map the page without script does not have. Now a commune alone
lists that commune's open reports of the kind, said to be the commune's, and
with neither a point nor a commune the page says what to do first.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from geo.models import AdminUnit
from helpdesk.models import Ticket, TicketStatus
from tests import factories
from tests.conftest import Personas
from tests.refused_page import Node, RefusedPage

pytestmark = pytest.mark.django_db

FORM = "/report/new/?service=streetlight_out"
NOTHING_CHECKED = "Chưa có gì để xem: hãy chọn xã/phường hoặc vị trí trước, rồi bấm nút dưới đây."
NONE_NEARBY = "Chưa có phản ánh nào cùng loại ở gần"
CHECK_IN_COMMUNE = {
    "vi": "Xem phản ánh trong xã/phường đã chọn",
    "en": "Check reports in the chosen commune",
}
CHECK_NEAR = {"vi": "Xem phản ánh ở gần vị trí này", "en": "Check reports near this place"}


def _client(user: User) -> Client:
    client = Client(headers={"accept-language": "vi"})
    client.force_login(user)
    return client


def _check(user: User, **place: Any) -> str:
    fields = {
        "service": "streetlight_out",
        "description": "",
        "idempotency_key": "check-key-0001",
        "action": "check",
        **place,
    }
    response = _client(user).post("/report/new/", fields)
    assert response.status_code == 200
    return str(response.content.decode())


def _in(commune: AdminUnit) -> dict[str, str]:
    return {"province": commune.parent.code if commune.parent else "", "commune": commune.code}


def test_commune_without_a_point_lists_its_open_reports_newest_first_as_the_communes(
    personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit
) -> None:
    older = factories.case_filed_days_ago(
        commune=commune_a, days=3, description="Đèn đầu ngõ tắt, gọi Lý Văn Bình 0912 345 678"
    )
    newer = factories.case_filed_days_ago(
        commune=commune_a, days=1, description="Đèn đầu cầu chập chờn"
    )
    factories.case_filed_days_ago(commune=commune_b, days=0)
    factories.case_filed_days_ago(commune=commune_a, days=0, service_code="road_damage")
    factories.case_filed_days_ago(commune=commune_a, days=0, status=TicketStatus.RESOLVED)
    factories.case_filed_days_ago(commune=commune_a, days=40)

    page = _check(personas.resident, **_in(commune_a))

    # Said to be the commune's, not "nearby": no point was given.
    assert f"Phản ánh cùng loại đang mở ở {commune_a.full_name}" in page
    assert "Đây là phản ánh trong cả xã/phường, không chỉ ở gần bạn." in page
    assert NONE_NEARBY not in page
    listed = RefusedPage.of(page).by_id("nearby")
    words = [q.text() for q in listed.iter() if q.tag == "q"]
    # Its words as the public page shows them: the reporter's name and phone masked.
    assert words == ["Đèn đầu cầu chập chờn", "Đèn đầu ngõ tắt, gọi ••• •••• ••• •••"]
    # No distance: none was measured.
    assert "cách " not in page
    # As the public page shows them: the public id, never the number or the reporter.
    for ticket in (older, newer):
        assert ticket.number not in page
        assert f"/reports/{ticket.public_id}/me-too/" in page
    assert "Lý Văn Bình" not in page


def test_me_too_from_the_communes_list_supports_the_report_without_filing(
    personas: Personas, commune_a: AdminUnit
) -> None:
    existing = factories.case_filed_days_ago(
        commune=commune_a, days=0, description="Đèn tắt cả tuần"
    )
    page = _check(personas.resident, **_in(commune_a))
    assert f'formaction="/reports/{existing.public_id}/me-too/"' in page
    supported = _client(personas.resident).post(f"/reports/{existing.public_id}/me-too/")
    assert supported.status_code == 200
    assert existing.supports.filter(user=personas.resident).exists()
    assert Ticket.objects.filter(reporter=personas.resident).count() == 0


def test_commune_with_no_open_report_says_none_in_that_commune(
    personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit
) -> None:
    factories.case_filed_days_ago(commune=commune_b, days=0)
    page = _check(personas.resident, **_in(commune_a))
    assert (
        f"Chưa có phản ánh nào cùng loại đang mở ở {commune_a.full_name}. "
        "Vui lòng gửi phản ánh của bạn."
    ) in page
    assert NONE_NEARBY not in page


def test_neither_point_nor_commune_says_what_to_do_first(
    personas: Personas, commune_a: AdminUnit
) -> None:
    factories.case_filed_days_ago(commune=commune_a, days=0, description="Đèn tắt cả tuần")
    province_only = {"province": _in(commune_a)["province"]}
    for place in ({}, province_only):
        page = _check(personas.resident, **place)
        assert NOTHING_CHECKED in page
        assert NONE_NEARBY not in page
        assert "<q>" not in page


def test_a_point_is_still_checked_nearby_when_a_commune_is_chosen_too(
    personas: Personas, commune_a: AdminUnit
) -> None:
    lat, lon = factories.point_inside(commune_a)
    factories.case_filed_days_ago(commune=commune_a, days=0, description="Đèn tắt cả tuần")
    page = _check(personas.resident, lat=lat, lon=lon, **_in(commune_a))
    assert "Đã có người phản ánh ở gần" in page
    assert "<q>Đèn tắt cả tuần</q>" in page
    assert "Đây là phản ánh trong cả xã/phường" not in page


@pytest.mark.parametrize(
    ("language", "hint"),
    [
        (
            "vi",
            "Chọn xã/phường hoặc vị trí rồi bấm nút dưới: "
            "phản ánh cùng loại đang mở sẽ hiện ở đây.",
        ),
        (
            "en",
            "Choose the commune or the place, then press the button below: "
            "open reports of this kind will show here.",
        ),
    ],
)
def test_the_hint_before_checking_fits_a_form_without_a_map(
    personas: Personas, language: str, hint: str
) -> None:
    client = Client(headers={"accept-language": language})
    client.force_login(personas.resident)
    page = RefusedPage.of(client.get(FORM).content)
    assert page.by_id("nearby").text() == hint
    # The button it points to is there with the script too: the script lists
    # by a point only, so a commune alone is checked by the server.
    (holder,) = [
        p
        for p in page.root.iter()
        if any(isinstance(b, Node) and b.attrs.get("value") == "check" for b in p.children)
    ]
    assert "nojs" not in holder.attrs.get("class", "").split()


def _check_button(page: str) -> str:
    (button,) = [
        node
        for node in RefusedPage.of(page).root.iter()
        if node.tag == "button" and node.attrs.get("value") == "check"
    ]
    return button.text()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_check_button_says_it_looks_in_the_commune_until_a_point_is_given(
    personas: Personas, commune_a: AdminUnit, language: str
) -> None:
    """The button said "Check reports nearby" when only a commune was chosen
    and the commune's reports were listed (a walk): it says what the server
    will look at, near the point when the form holds one, else in the chosen
    commune. The script changes it as the point comes and goes
    (tests/browser/test_report_form.py)."""
    client = Client(headers={"accept-language": language})
    client.force_login(personas.resident)
    fields = {
        "service": "streetlight_out",
        "description": "",
        "idempotency_key": "check-key-0001",
        "action": "check",
    }
    fresh = client.get(FORM).content.decode()
    assert _check_button(fresh) == CHECK_IN_COMMUNE[language]
    in_commune = client.post("/report/new/", {**fields, **_in(commune_a)}).content.decode()
    assert _check_button(in_commune) == CHECK_IN_COMMUNE[language]
    lat, lon = factories.point_inside(commune_a)
    near = client.post("/report/new/", {**fields, "lat": lat, "lon": lon}).content.decode()
    assert _check_button(near) == CHECK_NEAR[language]
    for page in (fresh, in_commune, near):
        assert "Xem phản ánh ở gần<" not in page
        assert "Check reports nearby" not in page
