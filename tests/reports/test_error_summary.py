"""The resident's pages after a refused form, as the server sends them (no script).

A keyboard walk: an empty message on a case page came back as "Please check
what you entered." at the top, not a link, with the focus on the page's start
and the message box not marked; a report sent empty named only the photos at
the top, though the place was refused too and comes first on the page. Now the
summary at the top takes the focus as the page opens and lists every refused
input in the page's order, each a link to it, marked and described by its own
sentence (templates/_error_summary.html, reports/views/refusal.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from accounts.models import User
from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.models import Ticket, TicketEvent
from tests.conftest import Personas
from tests.console.pages import case_in
from tests.factories import jpeg, point_inside
from tests.refused_page import RefusedPage

pytestmark = pytest.mark.django_db

PLACE = "Vui lòng đánh dấu vị trí trên bản đồ hoặc chọn xã/phường của bạn."
PHOTO = "Vui lòng thêm ít nhất một ảnh"


@pytest.fixture(autouse=True)
def media(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_empty_message_is_summed_up_as_a_link_to_the_marked_message_box(
    personas: Personas, commune_a: AdminUnit
) -> None:
    ticket = case_in(commune_a, personas.resident)
    response = _client(personas.resident).post(
        reverse("reports:case-action", args=[ticket.number, "reply"]),
        {"reply-body": "  ", "reply-idempotency_key": "empty-message-0001"},
    )
    assert response.status_code == 422
    sentence = "Hãy viết lời nhắn hoặc ghi âm lời nói."
    page = RefusedPage.of(response.content)
    assert page.links == [("id_reply-body", sentence)]
    page.assert_marked("id_reply-body", sentence)
    assert "Vui lòng kiểm tra lại thông tin bạn đã nhập." not in page.root.text()
    # The case page's own address, for the script to put back in the address bar.
    assert page.summary.attrs["data-page-url"] == f"/cases/{ticket.number}/"
    assert not ticket.events.filter(kind=TicketEvent.Kind.REPLY).exists()


def test_a_rating_sent_without_stars_links_to_the_stars_each_marked(
    personas: Personas, commune_a: AdminUnit
) -> None:
    ticket = case_in(commune_a, personas.resident)
    accepted = lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    lifecycle.ticket_resolve(ticket=accepted, by=personas.officer_a, note="Xong.", photos=(jpeg(),))
    response = _client(personas.resident).post(
        reverse("reports:case-action", args=[ticket.number, "rate"]), {"rate-comment": "Tốt"}
    )
    assert response.status_code == 422
    page = RefusedPage.of(response.content)
    [(anchor, said)] = page.links
    assert anchor == "id_rate-rating"
    for stars in range(5):
        page.assert_marked(f"id_rate-rating_{stars}", said)


def test_every_refused_part_of_a_report_is_listed_in_the_pages_order(
    personas: Personas,
) -> None:
    """The answer names the photos first (the case core's order); the page
    shows the place first (step 1), then the photos (step 3)."""
    response = _client(personas.resident).post(
        "/report/new/",
        {"service": "road_damage", "idempotency_key": "empty-report-0001", "action": "submit"},
    )
    assert response.status_code == 422
    page = RefusedPage.of(response.content)
    [(place, place_said), (photos, photos_said)] = page.links
    assert (place, place_said) == ("place", PLACE)
    assert photos == "photos"
    assert photos_said.startswith(PHOTO)
    assert PLACE in page.description("place")
    page.assert_marked("photos", photos_said)
    assert not Ticket.objects.exists()


def test_every_refused_detail_of_a_resident_filed_for_is_listed_in_the_pages_order(
    personas: Personas, commune_b: AdminUnit
) -> None:
    lat, lon = point_inside(commune_b)
    response = _client(personas.digital_team).post(
        "/report/new/",
        {
            "service": "streetlight_out",
            "description": "Đèn tắt",
            "lat": lat,
            "lon": lon,
            "on_behalf_phone": "0912 34",
            "idempotency_key": "proxy-report-0001",
            "action": "submit",
        },
    )
    assert response.status_code == 422
    page = RefusedPage.of(response.content)
    # As _proxy.html shows them: the name, the phone, then the consent.
    assert [anchor for anchor, _said in page.links] == [
        "id_on_behalf_name",
        "id_on_behalf_phone",
        "id_consent",
    ]
    [name, phone, consent] = [said for _anchor, said in page.links]
    page.assert_marked("id_on_behalf_name", name)
    # Described by its hint and by the sentence.
    page.assert_marked("id_on_behalf_phone", phone)
    assert "0912 345 678" in page.description("id_on_behalf_phone")
    # The consent's answers, each.
    page.assert_marked("id_consent_0", consent)
    page.assert_marked("id_consent_1", consent)
    assert not Ticket.objects.exists()


def test_one_refused_part_keeps_its_one_line_with_the_focus_on_it(
    personas: Personas, commune_a: AdminUnit
) -> None:
    lat, lon = point_inside(commune_a)
    response = _client(personas.resident).post(
        "/report/new/",
        {
            "service": "road_damage",
            "lat": lat,
            "lon": lon,
            "idempotency_key": "photo-report-0001",
            "action": "submit",
        },
    )
    page = RefusedPage.of(response.content)
    [(anchor, said)] = page.links
    assert anchor == "photos"
    assert page.summary.text() == said
    page.assert_marked("photos", said)


def test_the_forms_before_any_refusal_take_no_focus(
    personas: Personas, commune_a: AdminUnit
) -> None:
    ticket = case_in(commune_a, personas.resident)
    client = _client(personas.resident)
    for url in (f"/cases/{ticket.number}/", "/report/new/?service=road_damage"):
        assert "autofocus" not in client.get(url).content.decode(), url
