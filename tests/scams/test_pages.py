"""The resident page, the one-tap send, and the console's scam list and confirmations."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client

from accounts.models import Role, User
from geo.models import AdminUnit
from helpdesk.models import Ticket
from scams.models import ScamCheck, ScamIndicator
from tests import factories
from tests.conftest import Personas

pytestmark = pytest.mark.django_db

SCAM = "Chuc mung ban trung thuong, nop phi nhan thuong 500k qua so 0356111222"


def _client(user: User | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_anyone_can_check_a_message_and_read_the_verdict() -> None:
    client = _client()
    assert client.get("/scam-check/").status_code == 200
    response = client.post("/scam-check/", {"text": SCAM})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="verdict verdict-likely_scam"' in page
    assert "Có thể là lừa đảo" in page
    assert 'data-code="fee_before_payout"' in page
    assert "Không nộp, không chuyển" in page  # what to do
    # Without an account, the way to send it is to log in first.
    assert "/accounts/login/" in page
    assert 'id="send-to-commune"' not in page
    assert ScamCheck.objects.get().channel == "web"


def test_a_clean_message_is_green_and_offers_nothing_to_send(personas: Personas) -> None:
    page = _client(personas.resident).post(
        "/scam-check/", {"text": "Hop dan thon 3 luc 8h chu nhat"}
    )
    html = page.content.decode()
    assert "verdict-no_known_problem" in html
    assert 'id="send-to-commune"' not in html


def test_an_empty_message_is_asked_for_again() -> None:
    response = _client().post("/scam-check/", {"text": "   "})
    assert response.status_code == 422
    assert not ScamCheck.objects.exists()


def test_one_tap_sends_it_to_the_commune_once(personas: Personas, commune_b: AdminUnit) -> None:
    client = _client(personas.resident)
    page = client.post(
        "/scam-check/",
        {"text": SCAM, "province": "19", "commune": commune_b.code},
    ).content.decode()
    assert 'id="send-to-commune"' in page
    check = ScamCheck.objects.get()
    send = f"/scam-check/{check.public_id}/send/"
    first = client.post(send, {"commune": commune_b.code})
    second = client.post(send, {"commune": commune_b.code})  # a double tap
    ticket = Ticket.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/cases/{ticket.number}/submitted/"
    assert ticket.service.code == "scam_message"
    assert ticket.commune == commune_b
    # Nobody else can send someone's check, or learn that it exists.
    other = _client(personas.digital_team).post(send, {"commune": commune_b.code})
    assert other.status_code == 404
    assert Ticket.objects.count() == 1


def test_officers_see_their_provinces_list_and_checks_with_numbers_masked(
    personas: Personas,
) -> None:
    resident = personas.resident
    _client(resident).post(
        "/scam-check/",
        {"text": f"{SCAM}. Chị Lan gọi tôi số 0911222333", "province": "19"},
    )
    ScamIndicator.objects.create(
        province=factories.province_get(code="20"), kind="phone", value="0399888777"
    )
    page = _client(personas.officer_a).get("/console/scams/").content.decode()
    assert "Tin nhắn người dân đã kiểm tra" in page
    assert "0399888777" not in page  # another province's list
    # The message is shown masked; the numbers it was judged on are listed apart.
    assert "Chị ••• gọi tôi số ••••••••••" in page
    assert "<code>0356111222</code>" in page
    assert resident.full_name not in page
    assert resident.phone not in page
    other_admin = factories.user_create()
    factories.role_grant(
        user=other_admin, role=Role.PROVINCE_ADMIN, unit=factories.province_get(code="20")
    )
    other = _client(other_admin).get("/console/scams/").content.decode()
    assert "0399888777" in other
    assert "0356111222" not in other


def test_confirming_a_checked_message_lists_its_numbers(personas: Personas) -> None:
    _client(personas.resident).post("/scam-check/", {"text": SCAM, "province": "19"})
    check = ScamCheck.objects.get()
    url = f"/console/scams/checks/{check.public_id}/confirm/"
    other_admin = factories.user_create()
    factories.role_grant(
        user=other_admin, role=Role.PROVINCE_ADMIN, unit=factories.province_get(code="20")
    )
    assert _client(other_admin).post(url).status_code == 404
    assert _client(personas.resident).post(url).status_code == 403
    assert not ScamIndicator.objects.exists()
    response = _client(personas.officer_a).post(url)
    assert response.status_code == 302
    [indicator] = ScamIndicator.objects.all()
    assert indicator.value == "0356111222"
    assert indicator.confirmed_by == personas.officer_a


def test_confirming_a_case_lists_its_numbers_but_not_the_reporters(
    personas: Personas, commune_a: AdminUnit
) -> None:
    reporter = personas.resident
    national = "0" + reporter.phone[3:]
    ticket = factories.case_file(
        reporter=reporter,
        commune=commune_a,
        service_code="scam_message",
        description=f"Toi ({national}) nhan tin doc ma OTP tu so 0356111222, link vietc0mbank.top",
    )
    detail = _client(personas.leader_a).get(f"/console/cases/{ticket.number}/").content.decode()
    assert f"/console/scams/cases/{ticket.number}/confirm/" in detail
    assert (
        _client(personas.officer_b)
        .post(f"/console/scams/cases/{ticket.number}/confirm/")
        .status_code
        == 404
    )
    response = _client(personas.leader_a).post(f"/console/scams/cases/{ticket.number}/confirm/")
    assert response.status_code == 302
    values = set(ScamIndicator.objects.values_list("kind", "value"))
    assert values == {("phone", "0356111222"), ("domain", "vietc0mbank.top")}
    # The next resident who checks the number is warned.
    page = _client().post("/scam-check/", {"text": "goi 0356 111 222", "province": "19"})
    assert "verdict-likely_scam" in page.content.decode()


def test_confirming_offers_a_scam_alert_prefilled(personas: Personas) -> None:
    _client(personas.resident).post("/scam-check/", {"text": SCAM, "province": "19"})
    check = ScamCheck.objects.get()
    client = _client(personas.province_admin)
    response = client.post(f"/console/scams/checks/{check.public_id}/confirm/", follow=True)
    page = response.content.decode()
    assert 'id="raise-alert"' in page
    href = page.split('id="raise-alert" href="')[1].split('"')[0].replace("&amp;", "&")
    url = urlparse(href)
    assert url.path == "/console/alerts/new/"
    query = parse_qs(url.query)
    assert query["category"] == ["scam_warning"]
    assert "0356111222" in query["text"][0]
    # The alerts form opens with the scam category chosen and the warning in it.
    form = client.get(href).content.decode()
    assert '<option value="scam_warning" selected>' in form
    assert "0356111222" in form
