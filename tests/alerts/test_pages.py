"""The console's alert pages, the relay's page, the public page and the feed."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from alerts.models import Alert, Category, Relay, RelayHousehold, RelayTold
from geo.models import AdminUnit
from helpdesk.models import Ticket
from notifications import fanout
from notifications.models import FanOut, Notification
from notifications.outbox import deliveries_process
from tests.alerts.helpers import crowd_add, publish, resident_of
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(commune: AdminUnit, **extra: str) -> dict[str, str]:
    expires = timezone.localtime(timezone.now() + timedelta(hours=12))
    return {
        "category": Category.SCAM_WARNING,
        "area": f"commune:{commune.pk}",
        "villages": "",
        "short_text": "Canh bao: khong chuyen tien cho nguoi xung la cong an qua dien thoai",
        "long_text": "Không chuyển tiền cho người tự xưng là công an qua điện thoại.",
        "expires_at": expires.strftime("%Y-%m-%dT%H:%M"),
        **extra,
    }


def _publish_timed(client: Client, data: dict[str, str]) -> tuple[int, float, int]:
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.post("/console/alerts/new/", data)
        elapsed = time.perf_counter() - started
    assert response.status_code == 302, response.content.decode()[:2000]
    return len(queries), elapsed, response.status_code


def test_publishing_to_20000_residents_costs_the_request_what_it_costs_for_one(
    personas: Personas, commune_a: AdminUnit
) -> None:
    officer = _client(personas.officer_a)
    resident_of(commune_a)
    small_queries, small_time, _ = _publish_timed(officer, _form(commune_a))

    crowd_add(template=Ticket.objects.get(commune=commune_a), count=20_000)
    big_queries, big_time, _ = _publish_timed(officer, _form(commune_a))
    print(
        f"\npublish request: 1 resident {small_time * 1000:.0f} ms / {small_queries} queries; "
        f"20,001 residents {big_time * 1000:.0f} ms / {big_queries} queries"
    )
    # O(1): the same statements whatever the area holds, and no row per person.
    assert big_queries == small_queries
    big = Alert.objects.latest("id")
    assert not Notification.objects.filter(dedupe_key=big.dedupe_key).exists()
    assert len(FanOut.objects.get(dedupe_key=big.dedupe_key).recipient_ids) == 20_001
    assert big_time < 2.0

    started = time.perf_counter()
    told = fanout.fanouts_process(now=timezone.now())
    seconds = time.perf_counter() - started
    print(f"worker: {told} inbox rows and their deliveries in {seconds:.1f} s")
    assert Notification.objects.filter(dedupe_key=big.dedupe_key).count() == 20_001


def test_an_officer_publishes_for_their_commune_and_sees_its_reach(
    personas: Personas, commune_a: AdminUnit
) -> None:
    people = [resident_of(commune_a) for _ in range(2)]
    relay = Relay.objects.create(name="Bà Tư", commune=commune_a, village="Thôn Đồng Tâm")
    homes = [
        RelayHousehold.objects.create(relay=relay, head_name=f"Hộ {n}", village="Thôn Đồng Tâm")
        for n in range(3)
    ]
    officer = _client(personas.officer_a)
    response = officer.post("/console/alerts/new/", _form(commune_a))
    assert response.status_code == 302
    alert = Alert.objects.get()
    assert (alert.author, alert.commune, alert.category) == (
        personas.officer_a,
        commune_a,
        Category.SCAM_WARNING,
    )
    fanout.fanouts_process(now=timezone.now())
    # At noon: the SMS copies of a scam warning wait out the night's quiet hours.
    noon = timezone.localtime() + timedelta(days=1)
    deliveries_process(now=noon.replace(hour=12))
    RelayTold.objects.create(alert=alert, household=homes[0], marked_by=personas.officer_a)

    page = officer.get("/console/alerts/").content.decode()
    row = page[page.index(f'data-alert="{alert.pk}"') :]
    assert f'data-figure="recipients">{len(people)}<' in row
    assert f'data-figure="in_app">{len(people)}<' in row
    assert f'data-figure="sms">{len(people)}<' in row
    assert 'data-told="1" data-households="3"' in row
    assert ">1/3 hộ</td>" in row  # "1 of 3", in Vietnamese
    # Nobody's phone number on the page.
    assert not any(p.phone in page or p.phone[3:] in page for p in people)


def test_another_communes_officer_can_neither_send_there_nor_see_the_figures(
    personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit
) -> None:
    publish(personas.officer_a, timezone.now(), commune=commune_a, short_text="Chi xa A")
    other = _client(personas.officer_b)
    own_page = other.get("/console/alerts/")
    assert own_page.status_code == 200  # their own list, without commune A's alert
    assert "Chi xa A" not in own_page.content.decode()
    # A forged area: the form offers only commune B, and the service checks again.
    response = other.post("/console/alerts/new/", _form(commune_a))
    assert response.status_code == 422
    assert Alert.objects.count() == 1
    # The province administrator sees commune A's alert; another province's does not.
    admin_page = _client(personas.province_admin).get("/console/alerts/").content.decode()
    assert "Chi xa A" in admin_page
    # Residents and digital-team members are not senders.
    assert _client(personas.resident).get("/console/alerts/new/").status_code == 403
    assert _client(personas.digital_team).get("/console/alerts/").status_code == 403


def test_the_new_alert_form_is_prefilled_from_the_query(
    personas: Personas, commune_a: AdminUnit
) -> None:
    page = (
        _client(personas.officer_a)
        .get("/console/alerts/new/", {"category": "scam_warning", "text": "So 0900 lua dao"})
        .content.decode()
    )
    assert '<option value="scam_warning" selected>' in page
    assert "So 0900 lua dao</textarea>" in page
    assert f'value="commune:{commune_a.pk}"' in page
    assert "commune:" not in page.replace(f"commune:{commune_a.pk}", "")


def test_the_public_page_and_feed_show_current_alerts_and_nothing_personal(
    personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit
) -> None:
    now = timezone.now()
    mine = publish(personas.officer_a, now, commune=commune_a, short_text="Lich cat dien xa A")
    province = publish(
        personas.province_admin,
        now,
        province=commune_a.parent,
        category=Category.DISASTER,
        short_text="Bao so 3 do bo",
    )
    publish(personas.officer_b, now, commune=commune_b, short_text="Chi xa B")
    Alert.objects.create(
        category=Category.PUBLIC_NOTICE,
        province=commune_a.parent,  # type: ignore[misc]
        commune=commune_a,
        short_text="Da het han",
        long_text="x",
        expires_at=now - timedelta(minutes=1),
        author=personas.officer_a,
    )
    anonymous = Client()
    response = anonymous.get(f"/alerts/{commune_a.code}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Lich cat dien xa A" in page
    assert "Bao so 3 do bo" in page
    assert "Chi xa B" not in page
    assert "Da het han" not in page
    assert personas.officer_a.full_name not in page
    # Marked for the service worker to keep for offline reading.
    assert response["X-XaDesk-Offline"] == "anon"

    feed = anonymous.get(f"/api/v1/alerts/{commune_a.code}")
    assert feed.status_code == 200
    items = json.loads(feed.content)
    assert [i["alert_id"] for i in items] == [province.pk, mine.pk]
    assert items[1]["commune_code"] == commune_a.code
    assert items[0]["commune_code"] is None
    assert items[0]["category"] == "disaster"
    assert "author" not in json.dumps(items)
    assert personas.officer_a.phone not in json.dumps(items)

    missing = anonymous.get("/api/v1/alerts/nope")
    assert missing.status_code == 404
    assert json.loads(missing.content)["code"] == "alert_area_not_found"
    assert anonymous.get("/alerts/nope/").status_code == 404


def test_an_alert_for_a_village_nobody_names_warns_the_officer(
    personas: Personas, commune_a: AdminUnit
) -> None:
    """A village typed wrong reached no one, and the page said "being sent" all
    the same (a helper's walk). It still publishes (the commune's alerts page
    shows it), and the officer is told no one is reached there."""
    relay = Relay.objects.create(name="Bà Tư", commune=commune_a, village="Thôn Đồng Tâm")
    RelayHousehold.objects.create(relay=relay, head_name="Hộ 1", village="Thôn Đồng Tâm")
    officer = _client(personas.officer_a)
    warning = "Chưa liên lạc được với ai ở"
    sent = officer.post(
        "/console/alerts/new/", _form(commune_a, villages="Tổ 99 không tồn tại"), follow=True
    )
    assert sent.status_code == 200
    said = [str(m) for m in sent.context["messages"]]
    assert any(warning in m and "Tổ 99 không tồn tại" in m for m in said), said
    assert Alert.objects.count() == 1
    # A village a relay's households are in: no warning.
    known = officer.post(
        "/console/alerts/new/", _form(commune_a, villages="thôn đồng tâm"), follow=True
    )
    assert not any(warning in str(m) for m in known.context["messages"])


@pytest.mark.django_db
def test_an_alert_has_no_category_until_one_is_chosen(personas: Personas) -> None:
    """The first category, a scam warning, was taken by default: a power-cut
    notice left untouched went out as one (a walk)."""
    client = Client(headers={"accept-language": "vi"})
    client.force_login(personas.officer_a)
    page = client.get("/console/alerts/new/")
    assert page.context["form"]["category"].value() in (None, "")
    refused = client.post("/console/alerts/new/", {"short_text": "Cắt điện 8h-11h"})
    assert refused.status_code in (200, 422)
    assert "Hãy chọn loại cảnh báo." in refused.content.decode()
    assert not Alert.objects.exists()


@pytest.mark.django_db
def test_a_refused_alert_says_what_to_fix_at_the_top(personas: Personas) -> None:
    """The refusal sat mid-page, by its field, with the focus at the page's
    start (a walk): the error summary lists each, a link to its input."""
    client = Client(headers={"accept-language": "vi"})
    client.force_login(personas.officer_a)
    refused = client.post("/console/alerts/new/", {"short_text": "Cắt điện 8h-11h"})
    body = refused.content.decode()
    summary = body.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert '<a href="#id_category">Hãy chọn loại cảnh báo.</a>' in summary
