"""Django admin works for every model: list, add and change pages render."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.otp import otp_request
from alerts.models import Relay
from core.models import PeriodicJob
from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.models import CannedResponse, RoutingRule, Ticket
from helpdesk.support import case_support_add
from notifications.models import NotificationPreference
from notifications.zalo_link import zalo_link_code_issue
from open311.keys import client_issue
from open311.models import ServiceAttribute
from scams.models import ScamIndicator
from scams.services import check_message
from sms_intake.services import sms_receive
from tests import factories
from tests.alerts.helpers import publish
from tests.conftest import Personas

REGISTERED: list[type[Model]] = sorted(admin.site._registry, key=lambda m: m._meta.label)


@pytest.fixture
def a_day_of_work(personas: Personas, commune_a: AdminUnit) -> None:
    """At least one row of every registered model, made the way the product makes
    it where a service exists, so each change page shows a real row."""
    lat, lon = factories.point_inside(commune_a)
    with override_settings(PHOTO_PROCESSING="worker"):  # a PhotoJob, as make run files
        status, _body = _api_file(personas, lat, lon)
    assert status == 201
    ticket = Ticket.objects.get()
    factories.case_filed_for_a_resident(team_member=personas.digital_team, commune=commune_a)
    supporter = factories.user_create(full_name="Hàng xóm")
    case_support_add(ticket=ticket, user=supporter)
    lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    lifecycle.ticket_reply(ticket=ticket, by=personas.officer_a, body="Đã ghi nhận")
    otp_request(phone_raw=factories.next_phone(), ip="127.0.0.1")
    zalo_link_code_issue(user=personas.resident)  # as the settings page shows one
    publish(personas.officer_a, timezone.now(), commune=commune_a)
    Relay.objects.create(name="Ông Ma Văn Sáng", commune=commune_a, village="Thôn Đồng Tâm")
    check_message(text="Goi lai so 0356111222 nhe", province=None, checker=None, channel="api")
    ScamIndicator.objects.create(
        province=factories.province_get(code="19"), kind="phone", value="0356111222"
    )
    sms_receive(gateway_id="admin-1", phone_raw="0981 111 222", text="PA 05443 cau gay")
    issued = client_issue(name="City app", account=factories.user_create(full_name="Ứng dụng"))
    open311 = Client().post(
        "/open311/v2/requests.json",
        {
            "api_key": issued.key,
            "service_code": "streetlight_out",
            "lat": str(lat),
            "long": str(lon),
            "description": "Den duong hong",
        },
    )
    assert open311.status_code == 201, open311.content
    department = ticket.department
    assert department is not None
    CannedResponse.objects.create(department=department, title="Đã tiếp nhận", body="Cảm ơn")
    RoutingRule.objects.create(
        service=ticket.service, unit=commune_a, department_type=department.department_type
    )
    ServiceAttribute.objects.create(
        service=ticket.service,
        code="pole_number",
        datatype=ServiceAttribute.Datatype.STRING,
        description="Cột đèn số mấy?",
    )
    NotificationPreference.objects.create(user=personas.resident)
    PeriodicJob.objects.create(name="admin-page")
    Group.objects.create(name="Trực ban")
    supporter.full_name = "Hàng xóm Tư"
    supporter.save()  # a rename waits for the scheduler: a SearchTextRefresh


def _api_file(personas: Personas, lat: float, lon: float) -> tuple[int, object]:
    # With a bearer key, as an app files (the key is a row too).
    response = factories.token_client(personas.resident).post(
        "/api/v1/reports/cases",
        {
            "service": "road_damage",
            "lat": str(lat),
            "lon": str(lon),
            "photos": SimpleUploadedFile("a.jpg", factories.jpeg(), content_type="image/jpeg"),
        },
        headers={"Idempotency-Key": "admin-page-0001"},
    )
    return response.status_code, response.json()


@pytest.mark.django_db
@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_admin_list_and_add_pages_render_for_every_model(
    model: type[Model], admin_client_for: Client, a_day_of_work: None
) -> None:
    opts = model._meta
    changelist = admin_client_for.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    )
    assert changelist.status_code == 200
    add = admin_client_for.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    # Rows only services write (timeline, codes, outbox) have no add page.
    can_add = admin.site._registry[model].has_add_permission(add.wsgi_request)
    assert add.status_code == (200 if can_add else 403)
    first = model._default_manager.order_by("pk").first()
    assert first is not None, "a_day_of_work makes no row of this model"
    change = admin_client_for.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])
    )
    assert change.status_code == 200


@pytest.mark.django_db
def test_admin_creates_a_user_from_a_typed_phone_number(admin_client_for: Client) -> None:

    response = admin_client_for.post(
        reverse("admin:accounts_user_add"),
        {
            "phone": "0912 345 678",
            "full_name": "Vũ Văn Nam",
            "password1": "a-long-enough-pass-42",
            "password2": "a-long-enough-pass-42",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(phone="+84912345678").full_name == "Vũ Văn Nam"


@pytest.mark.django_db
def test_residents_and_officers_without_staff_flag_cannot_open_admin(
    client: Client, personas: Personas
) -> None:
    client.force_login(personas.officer_a)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_every_model_of_our_apps_has_an_admin_page() -> None:
    from django.apps import apps

    ours = {"accounts", "geo", "helpdesk", "reports", "notifications", "audit", "core"}
    missing = [
        model._meta.label
        for model in apps.get_models()
        if model._meta.app_label in ours and model not in admin.site._registry
    ]
    assert missing == []
