"""The audit page: province administrators read their province's trail, superusers
all of it, nobody else any of it; filters and pages narrow it."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from audit.models import AuditAction
from audit.services import audit_record
from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.models import Department, Ticket
from tests import factories
from tests.conftest import Personas
from tests.console.pages import case_in, client_as

URL = "/console/audit/"
OFFICE_IP = "203.0.113.9"
COMMUNE_A_CODE = "05443"


def _accepted(ticket: Ticket, personas: Personas) -> None:
    lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a, ip=OFFICE_IP)


@pytest.fixture
def other_province_admin(db: None) -> User:
    admin = factories.user_create(full_name="Lý Văn Sơn")
    factories.role_grant(
        user=admin, role=Role.PROVINCE_ADMIN, unit=factories.province_get(code="20")
    )
    return admin


@pytest.mark.django_db
def test_province_admin_reads_who_did_what_on_a_case_of_their_province(
    personas: Personas, ticket_a: Ticket
) -> None:
    _accepted(ticket_a, personas)
    response = client_as(personas, "province_admin").get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert ticket_a.number in body
    assert personas.officer_a.full_name in body
    assert OFFICE_IP in body
    assert "case.accept" in body
    assert reverse("console:ticket-detail", args=[ticket_a.number]) in body


@pytest.mark.django_db
def test_an_administrator_of_another_province_sees_nothing_of_this_one(
    personas: Personas, ticket_a: Ticket, other_province_admin: User
) -> None:
    _accepted(ticket_a, personas)
    client = Client(headers={"accept-language": "en"})
    client.force_login(other_province_admin)
    response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert ticket_a.number not in body
    assert personas.officer_a.full_name not in body  # not even in the person filter
    assert OFFICE_IP not in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("resident", 403),
        ("digital_team", 403),
        ("officer_a", 403),
        ("officer_b", 403),
        ("leader_a", 403),
    ],
)
def test_officers_leaders_and_residents_are_turned_away(
    personas: Personas, ticket_a: Ticket, persona: str, status: int
) -> None:
    _accepted(ticket_a, personas)
    response = client_as(personas, persona).get(URL)
    assert response.status_code == status
    assert ticket_a.number not in response.content.decode()


@pytest.mark.django_db
def test_superuser_also_reads_rows_of_no_province(
    personas: Personas, superuser: User, admin_client_for: Client
) -> None:
    audit_record(
        action=AuditAction.ADMIN_CHANGE,
        actor=superuser,
        ip=OFFICE_IP,
        target_label="Danh mục dịch vụ XYZ-42",
    )
    assert "XYZ-42" in admin_client_for.get(URL).content.decode()
    assert "XYZ-42" not in client_as(personas, "province_admin").get(URL).content.decode()


@pytest.mark.django_db
def test_filters_by_person_action_and_day(
    personas: Personas, ticket_a: Ticket, commune_a: AdminUnit
) -> None:
    _accepted(ticket_a, personas)
    province = commune_a.parent_id
    audit_record(
        action=AuditAction.CASE_NOTE,
        actor=personas.leader_a,
        ip=OFFICE_IP,
        target=ticket_a,
        target_label="NOTE-BY-LEADER",
        province_id=province,
    )
    client = client_as(personas, "province_admin")

    def labels(query: str) -> set[str]:
        page = client.get(f"{URL}?{query}")
        assert page.status_code == 200
        return {row["entry"].target_label for row in page.context["rows"]}

    assert labels("") >= {ticket_a.number, "NOTE-BY-LEADER"}
    assert labels(f"actor={personas.leader_a.pk}") == {"NOTE-BY-LEADER"}
    assert labels(f"action={AuditAction.CASE_ACCEPT}") == {ticket_a.number}
    today = timezone.localdate()
    assert labels(f"since={today}&until={today}") >= {ticket_a.number, "NOTE-BY-LEADER"}
    assert labels(f"until={today - dt.timedelta(days=1)}") == set()
    # The calendar's last day has no day after it (it was a 500): up to it is everything.
    assert labels("until=9999-12-31") >= {ticket_a.number, "NOTE-BY-LEADER"}
    # A filter that does not parse is not applied, rather than an error.
    assert labels("since=yesterday") >= {ticket_a.number, "NOTE-BY-LEADER"}


@pytest.mark.django_db
def test_the_trail_is_paged_newest_first_in_a_fixed_number_of_queries(
    personas: Personas, commune_a: AdminUnit
) -> None:
    province = commune_a.parent_id
    client = client_as(personas, "province_admin")

    def add(count: int, start: int) -> None:
        for i in range(start, start + count):
            audit_record(
                action=AuditAction.CASE_START,
                actor=personas.officer_a if i % 2 else personas.leader_a,
                ip=OFFICE_IP,
                target_label=f"ROW-{i:03d}",
                province_id=province,
                # Roles on every row: their units are named, in one query a page.
                actor_roles=[f"officer {COMMUNE_A_CODE}"],
            )

    add(3, 0)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    add(60, 3)
    with CaptureQueriesContext(connection) as many:
        first = client.get(URL)
    assert len(many.captured_queries) == len(few.captured_queries)
    rows = [row["entry"].target_label for row in first.context["rows"]]
    assert len(rows) == 50
    assert rows[0] == "ROW-062"
    second = client.get(f"{URL}?page=2")
    assert {row["entry"].target_label for row in second.context["rows"]} >= {"ROW-000"}


@pytest.mark.django_db
def test_the_page_speaks_vietnamese(personas: Personas, ticket_a: Ticket) -> None:
    _accepted(ticket_a, personas)
    client = Client(headers={"accept-language": "vi"})
    client.force_login(personas.province_admin)
    body = client.get(URL).content.decode()
    assert "Nhật ký thao tác" in body
    assert "Tiếp nhận hồ sơ" in body


@pytest.mark.django_db
def test_province_admins_and_superusers_find_the_page_in_the_header(
    personas: Personas, admin_client_for: Client
) -> None:
    assert URL in client_as(personas, "province_admin").get("/console/").content.decode()
    assert URL in admin_client_for.get("/console/").content.decode()
    assert URL not in client_as(personas, "officer_a").get("/console/").content.decode()


@pytest.mark.django_db
def test_the_page_only_reads(personas: Personas) -> None:
    assert client_as(personas, "province_admin").post(URL).status_code == 405


def test_the_audit_tables_time_is_when_it_happened_not_a_deadline(personas: Personas) -> None:
    """The queue's "Time" is the time left (Thời hạn); the audit's is when a
    change was made (a helper's walk read "Thời hạn" over its timestamps)."""
    client = client_as(personas, "province_admin")
    client.cookies["django_language"] = "vi"
    page = client.get(URL).content.decode()
    assert '<th scope="col">Thời gian</th>' in page
    assert "Thời hạn" not in page


@pytest.mark.django_db
def test_a_cases_changes_read_as_names_not_codes(personas: Personas, ticket_a: Ticket) -> None:
    """The trail stores codes and ids; the page said "status: new → accepted"
    and "assignee: None → 812" (a helper's walk). Now the field's name, the
    status's label and the officer's name, in the reader's language."""
    _accepted(ticket_a, personas)
    client = Client(headers={"accept-language": "vi"})
    client.force_login(personas.province_admin)
    body = client.get(URL).content.decode()
    assert "Trạng thái: Mới → Đã tiếp nhận" in body
    assert f"Người xử lý: — → {personas.officer_a.full_name}" in body
    assert "status: new" not in body
    english = client_as(personas, "province_admin").get(URL, headers={"accept-language": "en"})
    assert "Status: New → Accepted" in english.content.decode()


@pytest.mark.django_db
def test_a_transfer_names_both_departments_with_their_communes(
    personas: Personas, ticket_a: Ticket, commune_b: AdminUnit
) -> None:
    before = ticket_a.department
    assert before is not None
    target = Department.objects.filter(commune=commune_b, is_active=True).first()
    assert target is not None
    lifecycle.ticket_transfer(
        ticket=ticket_a, by=personas.leader_a, department=target, reason="Đúng địa bàn", ip=None
    )
    client = Client(headers={"accept-language": "vi"})
    client.force_login(personas.province_admin)
    body = html.unescape(client.get(URL).content.decode())
    assert f"Phòng ban: {before.commune.name} — {before.name} → " in body
    assert f"{commune_b.name} — {target.name}" in body
    assert f"Xã/phường: {before.commune.full_name} → {commune_b.full_name}" in body


@pytest.mark.django_db
def test_an_admin_change_names_its_fields_and_hides_what_was_hidden(
    personas: Personas, commune_a: AdminUnit, superuser: User, admin_client_for: Client
) -> None:
    department = Department.objects.filter(commune=commune_a).first()
    assert department is not None
    audit_record(
        action=AuditAction.ADMIN_CHANGE,
        actor=superuser,
        ip=OFFICE_IP,
        target=department,
        target_label=department.name,
        changes={
            "fields": {"is_active": [True, False], "email": ["•••", "•••"]},
            "inlines": [{"model": "helpdesk.departmentmembership", "deleted": 5}],
        },
    )
    body = html.unescape(
        admin_client_for.get(URL, headers={"accept-language": "en"}).content.decode()
    )
    assert "Active: yes → no" in body
    assert "Email: (hidden) → (hidden)" in body
    assert "Deleted department membership #5" in body
    assert "{'is_active'" not in body


@pytest.mark.django_db
def test_names_for_a_page_are_read_in_a_fixed_number_of_queries(
    personas: Personas, commune_a: AdminUnit
) -> None:
    """One query per kind of record named on the page, not one per row."""
    client = client_as(personas, "province_admin")
    tickets = [case_in(commune_a, personas.resident) for _ in range(6)]
    _accepted(tickets[0], personas)
    with CaptureQueriesContext(connection) as one:
        client.get(URL)
    for ticket in tickets[1:]:
        _accepted(ticket, personas)
    with CaptureQueriesContext(connection) as six:
        client.get(URL)
    assert len(six.captured_queries) == len(one.captured_queries)


@pytest.mark.django_db
def test_changes_of_a_shape_no_writer_stores_are_shown_not_an_error(
    personas: Personas, ticket_a: Ticket, superuser: User, admin_client_for: Client
) -> None:
    """Rows mended by hand or written by an older version: the page shows
    them as they are (a second read found lists and dicts crashed it)."""
    odd = {
        "status": [["new"], {"a": 1}],
        "assignee": [{"id": 3}, None],
        "fields": "not a dict",
        "inlines": [1, {"model": "nope.nope", "deleted": 3}, {"changed": "x"}],
    }
    audit_record(
        action=AuditAction.CASE_ACCEPT, actor=superuser, ip=None, target=ticket_a, changes=odd
    )
    audit_record(
        action=AuditAction.ADMIN_CHANGE,
        actor=superuser,
        ip=None,
        target=personas.officer_a,
        changes=odd,
    )
    page = admin_client_for.get(URL)
    assert page.status_code == 200
    assert "Đã xóa nope.nope #3" in html.unescape(page.content.decode())


@pytest.mark.django_db
def test_roles_read_as_roles_and_places_not_codes(personas: Personas, ticket_a: Ticket) -> None:
    """The trail keeps "officer 05443"; the page said it so (a walk)."""
    _accepted(ticket_a, personas)
    client = Client(headers={"accept-language": "vi"})
    client.force_login(personas.province_admin)
    page = client.get(URL)
    roles = {role for row in page.context["rows"] for role in row["roles"]}
    commune = AdminUnit.objects.get(code="05443")
    assert f"Cán bộ xã/phường, {commune.full_name}" in roles
    assert "officer 05443" not in page.content.decode()


@pytest.mark.django_db
def test_a_timeline_entry_reads_as_its_case_and_what_it_was_not_an_id(
    personas: Personas, ticket_a: Ticket
) -> None:
    """The page said "Mục diễn biến #764", an id no page shows (a walk). The
    entries of a page are read in one query
    (test_names_for_a_page_are_read_in_a_fixed_number_of_queries)."""
    lifecycle.ticket_reply(
        ticket=ticket_a, by=personas.officer_a, body="Chúng tôi đã nhận", ip=OFFICE_IP
    )
    _accepted(ticket_a, personas)
    reply = ticket_a.events.get(kind="reply")
    client = Client(headers={"accept-language": "vi"})
    client.force_login(personas.province_admin)
    lines = {line for row in client.get(URL).context["rows"] for line in row["changes"]}
    assert f"Mục diễn biến: Hồ sơ {ticket_a.number} — Trả lời" in lines
    assert f"Mục diễn biến: Hồ sơ {ticket_a.number} — Đổi trạng thái" in lines
    assert not any(f"#{reply.pk}" in line for line in lines)
    english = client_as(personas, "province_admin").get(URL)
    lines = {line for row in english.context["rows"] for line in row["changes"]}
    assert f"Timeline entry: Case {ticket_a.number} — Reply" in lines


@pytest.mark.django_db
def test_a_photo_reads_as_its_case_and_its_place_among_the_photos_not_an_id(
    personas: Personas, commune_a: AdminUnit
) -> None:
    """The page said "Ảnh: #12", an id no page shows (a walk). Now the case
    and the photo's place in the case page's list of photos, which counts
    them in that order; a photo removed since (in the admin) is said to be
    gone. The photos of a page are read in one query."""
    from helpdesk.attachments import attachment_approve_public
    from helpdesk.filing import CaseDraft, case_submit

    lat, lon = factories.point_inside(commune_a)
    draft = CaseDraft(
        service_code="streetlight_out",
        description="Đèn đường tắt cả tuần",
        lat=lat,
        lon=lon,
        photos=tuple(factories.jpeg() for _ in range(3)),
    )
    ticket = case_submit(reporter=personas.resident, draft=draft).ticket
    first, second, third = ticket.attachments.order_by("position")
    client = Client(headers={"accept-language": "vi"})
    client.force_login(personas.province_admin)
    attachment_approve_public(attachment=second, by=personas.officer_a)
    with CaptureQueriesContext(connection) as one:
        client.get(URL)
    attachment_approve_public(attachment=third, by=personas.officer_a)
    attachment_approve_public(attachment=first, by=personas.officer_a)
    with CaptureQueriesContext(connection) as three:
        client.get(URL)
    assert len(three.captured_queries) == len(one.captured_queries)
    third.delete()
    lines = {line for row in client.get(URL).context["rows"] for line in row["changes"]}
    assert f"Ảnh: Hồ sơ {ticket.number} — ảnh 1" in lines
    assert f"Ảnh: Hồ sơ {ticket.number} — ảnh 2" in lines
    assert "Ảnh: (ảnh đã bị xóa)" in lines
    assert not any(f"#{photo.pk}" in line for photo in (first, second, third) for line in lines)
    english = client_as(personas, "province_admin").get(URL)
    lines = {line for row in english.context["rows"] for line in row["changes"]}
    assert f"Photo: Case {ticket.number} — photo 2" in lines
    assert "Photo: (photo deleted)" in lines
