"""The dashboard: leaders and province administrators only, on-time counts, bounded queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from pytest_django import DjangoAssertNumQueries, Settings

from accounts.otp import otp_request
from console.views.dashboard import _duration_text
from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.models import Department, Ticket
from notifications.models import SmsUsage
from tests import factories
from tests.conftest import Personas
from tests.console.pages import (
    PERSONAS,
    assert_refused,
    case_in,
    client_as,
)
from tests.factories import province_get


@pytest.mark.django_db
@pytest.mark.parametrize("name", PERSONAS)
def test_dashboard_is_for_leaders_and_province_admins(
    personas: Personas, ticket_a: Ticket, name: str
) -> None:
    response = client_as(personas, name).get(reverse("console:dashboard"))
    if name in ("leader_a", "province_admin"):
        assert response.status_code == 200
        assert ticket_a.commune is not None
        assert ticket_a.commune.name in response.content.decode()
    elif name == "officer_a":
        assert response.status_code == 403
    else:
        assert_refused(response, name)


@pytest.mark.django_db
def test_dashboard_counts_on_time_resolutions(personas: Personas, commune_a: AdminUnit) -> None:
    on_time, late = case_in(commune_a, personas.resident), case_in(commune_a, personas.resident)
    for ticket in (on_time, late):
        lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
        lifecycle.ticket_resolve(ticket=ticket, by=personas.officer_a, note="Đã sửa")
    Ticket.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(days=1))
    client = client_as(personas, "leader_a")
    response = client.get(reverse("console:dashboard"))
    rows = response.context["by_commune"]
    assert [(r["total"], r["resolved"], r["on_time"], r["on_time_rate"]) for r in rows] == [
        (2, 2, 1, 50)
    ]


@pytest.mark.django_db
def test_dashboard_escapes_unit_names(personas: Personas, commune_a: AdminUnit) -> None:
    ticket = case_in(commune_a, personas.resident)
    assert ticket.department_id is not None
    # The page is in English: the English names are the ones shown.
    Department.objects.filter(pk=ticket.department_id).update(name_en='Phòng <b>"A"</b> & B')
    AdminUnit.objects.filter(pk=commune_a.pk).update(name_en="Xã <i>A</i>")
    page = client_as(personas, "province_admin").get(reverse("console:dashboard"))
    content = page.content.decode()
    assert (
        "Phòng &lt;b&gt;&quot;A&quot;&lt;/b&gt; &amp; B<small>Xã &lt;i&gt;A&lt;/i&gt;</small>"
        in (content)
    )
    assert '<th scope="row">Xã &lt;i&gt;A&lt;/i&gt;</th>' in content
    assert "<b>" not in content
    assert "<i>A" not in content


@pytest.mark.django_db
def test_dashboard_uses_one_query_per_table(
    personas: Personas, commune_a: AdminUnit, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    for _ in range(3):
        case_in(commune_a, personas.resident)
    client = client_as(personas, "province_admin")
    client.get(reverse("console:dashboard"))  # warm the session
    # Session, user, two for the scope, the header's unread badge, two tables,
    # the SMS bill.
    with django_assert_max_num_queries(8):
        assert client.get(reverse("console:dashboard")).status_code == 200


@pytest.mark.django_db
def test_the_province_admin_sees_their_provinces_sms_bill_and_a_leader_does_not(
    personas: Personas, settings: Settings
) -> None:
    settings.SMS_MONTHLY_CAP = 500
    month = timezone.localdate().replace(day=1)
    thai_nguyen = province_get(code="19")
    SmsUsage.objects.create(province=thai_nguyen, month=month, messages=321, segments=345)
    SmsUsage.objects.create(
        province=province_get(code="20"), month=month, messages=999, segments=999
    )
    page = client_as(personas, "province_admin").get(reverse("console:dashboard"))
    text = page.content.decode()
    assert "321" in text
    assert "345" in text
    # Figures as the table shows them: a bare "999" may be in an asset's hash.
    assert ">999<" not in text  # another province's bill
    assert "500" in text  # the cap
    assert "login codes are sent" in text  # they are never held back by it
    # The bill is on the page once, and the title is only the title (the
    # table had also landed inside <title> in a merge).
    assert text.count(">321<") == 1
    title = text[text.index("<title>") : text.index("</title>")]
    assert "321" not in title
    assert "<table" not in title
    leader = client_as(personas, "leader_a").get(reverse("console:dashboard")).content.decode()
    assert ">321<" not in leader
    assert "login codes are sent" not in leader


@pytest.mark.django_db
def test_the_sms_bill_counts_one_time_codes(
    personas: Personas, commune_a: AdminUnit, settings: Settings
) -> None:
    settings.SMS_BACKEND = "memory"
    settings.XADESK_PROVINCES = []
    case_in(commune_a, personas.resident)
    otp_request(phone_raw=personas.resident.phone, ip="203.0.113.7")
    otp_request(phone_raw="0981999999", ip="203.0.113.7")  # no account: no province

    bill = client_as(personas, "province_admin").get(reverse("console:dashboard"))
    assert [(r["province"], r["messages"]) for r in bill.context["sms_usage"]] == [
        ("Thai Nguyen Province", 1)
    ]
    superuser = factories.user_create(is_staff=True, is_superuser=True)
    client = Client(headers={"accept-language": "en"})
    client.force_login(superuser)
    rows = client.get(reverse("console:dashboard")).context["sms_usage"]
    assert sorted((r["province"], r["messages"]) for r in rows) == [
        ("Thai Nguyen Province", 1),
        ("—", 1),
    ]


def test_durations_are_written_as_the_reader_writes_numbers() -> None:
    """ "4.0 giờ" read with a point where Vietnamese writes a comma (a helper's walk)."""
    with translation.override("vi"):
        assert _duration_text(timedelta(hours=2, minutes=30)) == "2,5 giờ"
        assert _duration_text(timedelta(hours=4)) == "4 giờ"
        assert _duration_text(timedelta(days=1, hours=12)) == "1,5 ngày"
    with translation.override("en"):
        assert _duration_text(timedelta(hours=2, minutes=30)) == "2.5 hours"
        assert _duration_text(timedelta(hours=1)) == "1 hour"
