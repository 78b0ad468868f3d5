"""The officer console: who sees which page, what the actions do, bounded queries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from accounts.models import User
from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.filing import service_get_active
from helpdesk.models import Department, DepartmentType, Ticket, TicketEvent, TicketStatus
from tests import factories
from tests.conftest import Personas
from tests.factories import point_inside, ticket_file

S = TicketStatus
ALLOWED = ("officer_a", "leader_a", "province_admin")
REFUSED = ("resident", "digital_team", "officer_b")
PERSONAS = ("anonymous", *REFUSED, *ALLOWED)


def _file(commune: AdminUnit, reporter: User, service: str = "streetlight_out") -> Ticket:
    lat, lon = point_inside(commune)
    return ticket_file(
        reporter=reporter,
        service=service_get_active(code=service),
        description="Ổ gà lớn trước cổng trường",
        lat=lat,
        lon=lon,
    ).ticket


def _client(personas: Personas, name: str) -> Client:
    # English, so assertions read the msgids; Vietnamese rendering is tested apart.
    client = Client(headers={"accept-language": "en"})
    if name != "anonymous":
        client.force_login(getattr(personas, name))
    return client


@pytest.fixture
def ticket_a(personas: Personas, commune_a: AdminUnit) -> Ticket:
    return _file(commune_a, personas.resident)


def _assert_refused(response: Any, name: str, *, case: bool = False) -> None:
    """Refused as the console refuses: strangers to the login page; on one case,
    an officer of another commune gets 404 as if it did not exist (case numbers
    run in sequence, so a 403 would confirm it), other people 403."""
    if name == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("helpdesk:login"))
    elif case and name == "officer_b":
        assert response.status_code == 404
    else:
        assert response.status_code == 403


# --- Pages × personas --------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", PERSONAS)
def test_queue_is_for_staff_only(personas: Personas, ticket_a: Ticket, name: str) -> None:
    response = _client(personas, name).get(reverse("helpdesk:queue"))
    if name in (*ALLOWED, "officer_b"):
        assert response.status_code == 200
        # Officer B's queue is commune B's; commune A's case is not in it.
        assert (ticket_a.number in response.content.decode()) == (name != "officer_b")
    else:
        _assert_refused(response, name)
        assert ticket_a.number.encode() not in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("name", PERSONAS)
def test_ticket_page_shows_case_and_reporter_only_to_staff_in_scope(
    personas: Personas, ticket_a: Ticket, name: str
) -> None:
    lifecycle.ticket_reply(
        ticket=ticket_a, by=personas.officer_a, body="Ghi chú nội bộ", internal=True
    )
    url = reverse("helpdesk:ticket-detail", args=[ticket_a.number])
    response = _client(personas, name).get(url)
    content = response.content.decode()
    if name in ALLOWED:
        assert response.status_code == 200
        assert personas.resident.phone in content
        assert "Ghi chú nội bộ" in content
        assert ticket_a.description in content
    else:
        _assert_refused(response, name, case=True)
        assert personas.resident.phone not in content
        assert ticket_a.description not in content
        assert "Ghi chú nội bộ" not in content


@pytest.mark.django_db
@pytest.mark.parametrize("name", PERSONAS)
def test_live_parts_of_the_case_page_follow_the_same_scope(
    personas: Personas, ticket_a: Ticket, name: str
) -> None:
    lifecycle.ticket_accept(ticket=ticket_a, by=personas.officer_a)
    lifecycle.ticket_reply(
        ticket=ticket_a, by=personas.officer_a, body="Ghi chú nội bộ", internal=True
    )
    url = reverse("helpdesk:ticket-live", args=[ticket_a.number])
    response = _client(personas, name).get(url)
    content = response.content.decode()
    if name in ALLOWED:
        assert response.status_code == 200
        assert 'data-live-part="facts"' in content
        assert 'data-live-part="timeline"' in content
        assert "Ghi chú nội bộ" in content
        assert personas.resident.phone in content
        assert str(S.ACCEPTED.label) in content
        assert "<html" not in content  # the parts only, not a page with its messages
    else:
        _assert_refused(response, name, case=True)
        assert personas.resident.phone not in content
        assert "Ghi chú nội bộ" not in content


@pytest.mark.django_db
def test_reporter_phone_is_in_no_console_page_for_another_resident(
    personas: Personas, ticket_a: Ticket
) -> None:
    client = Client()
    client.force_login(factories.user_create(full_name="Người khác"))
    for url in (
        reverse("helpdesk:queue"),
        reverse("helpdesk:dashboard"),
        reverse("helpdesk:ticket-detail", args=[ticket_a.number]),
        reverse("helpdesk:ticket-live", args=[ticket_a.number]),
    ):
        response = client.get(url)
        assert response.status_code == 403
        assert personas.resident.phone not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("name", PERSONAS)
def test_dashboard_is_for_leaders_and_province_admins(
    personas: Personas, ticket_a: Ticket, name: str
) -> None:
    response = _client(personas, name).get(reverse("helpdesk:dashboard"))
    if name in ("leader_a", "province_admin"):
        assert response.status_code == 200
        assert ticket_a.commune is not None
        assert ticket_a.commune.name in response.content.decode()
    elif name == "officer_a":
        assert response.status_code == 403
    else:
        _assert_refused(response, name)


@pytest.mark.django_db
def test_dashboard_counts_on_time_resolutions(personas: Personas, commune_a: AdminUnit) -> None:
    on_time, late = _file(commune_a, personas.resident), _file(commune_a, personas.resident)
    for ticket in (on_time, late):
        lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
        lifecycle.ticket_resolve(ticket=ticket, by=personas.officer_a, note="Đã sửa")
    Ticket.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(days=1))
    client = _client(personas, "leader_a")
    response = client.get(reverse("helpdesk:dashboard"))
    rows = response.context["by_commune"]
    assert [(r["total"], r["resolved"], r["on_time"], r["on_time_rate"]) for r in rows] == [
        (2, 2, 1, 50)
    ]


@pytest.mark.django_db
def test_dashboard_uses_one_query_per_table(
    personas: Personas, commune_a: AdminUnit, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    for _ in range(3):
        _file(commune_a, personas.resident)
    client = _client(personas, "province_admin")
    client.get(reverse("helpdesk:dashboard"))  # warm the session
    # Session, user, two for the scope, the header's unread badge, two tables.
    with django_assert_max_num_queries(7):
        assert client.get(reverse("helpdesk:dashboard")).status_code == 200


# --- Actions × personas --------------------------------------------------------


def _action_data(
    action: str, ticket: Ticket, personas: Personas, commune_a: AdminUnit
) -> dict[str, str]:
    if action in ("start", "resolve"):
        lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    if action == "transfer":
        target = factories.department_create(
            commune=commune_a, department_type=DepartmentType.CULTURE_SOCIETY
        )
        return {"transfer-department": str(target.pk), "transfer-reason": "Sai lĩnh vực"}
    if action == "duplicate":
        return {"duplicate-original": _file(commune_a, personas.resident).number}
    return {
        "reply": {"reply-body": "Chúng tôi đã nhận"},
        "note": {"note-body": "Ghi chú"},
        "reject": {"reject-reason": "Không thuộc thẩm quyền"},
        "resolve": {"resolve-note": "Đã vá ổ gà"},
    }.get(action, {})


EXPECTED = {
    "accept": (S.ACCEPTED, TicketEvent.Kind.STATUS),
    "start": (S.IN_PROGRESS, TicketEvent.Kind.STATUS),
    "reply": (S.NEW, TicketEvent.Kind.REPLY),
    "note": (S.NEW, TicketEvent.Kind.NOTE),
    "transfer": (S.TRANSFERRED, TicketEvent.Kind.STATUS),
    "duplicate": (S.DUPLICATE, TicketEvent.Kind.STATUS),
    "reject": (S.REJECTED, TicketEvent.Kind.STATUS),
    "resolve": (S.RESOLVED, TicketEvent.Kind.STATUS),
}


@pytest.mark.django_db
@pytest.mark.parametrize("action", list(EXPECTED))
@pytest.mark.parametrize("name", PERSONAS)
def test_action_moves_case_only_for_staff_in_scope(
    personas: Personas, commune_a: AdminUnit, ticket_a: Ticket, action: str, name: str
) -> None:
    data = _action_data(action, ticket_a, personas, commune_a)
    before = ticket_a.events.count()
    status_before = Ticket.objects.get(pk=ticket_a.pk).status
    url = reverse("helpdesk:ticket-action", args=[ticket_a.number, action])
    response = _client(personas, name).post(url, data)
    ticket_a.refresh_from_db()
    if name in ALLOWED:
        assert response.status_code == 302, response.content.decode()
        assert response["Location"] == reverse("helpdesk:ticket-detail", args=[ticket_a.number])
        status, kind = EXPECTED[action]
        assert ticket_a.status == status
        assert ticket_a.events.count() == before + 1
        assert ticket_a.events.order_by("-id")[0].kind == kind
    else:
        _assert_refused(response, name, case=True)
        assert personas.resident.phone not in response.content.decode()
        assert ticket_a.status == status_before
        assert ticket_a.events.count() == before


@pytest.mark.django_db
def test_action_shows_success_message_after_redirect(personas: Personas, ticket_a: Ticket) -> None:
    client = _client(personas, "officer_a")
    url = reverse("helpdesk:ticket-action", args=[ticket_a.number, "accept"])
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == ["Case accepted and assigned to you."]
    ticket_a.refresh_from_db()
    assert ticket_a.assignee == personas.officer_a


@pytest.mark.django_db
def test_illegal_action_returns_409_with_readable_sentence(
    personas: Personas, ticket_a: Ticket
) -> None:
    # A new case cannot be started before it is accepted.
    url = reverse("helpdesk:ticket-action", args=[ticket_a.number, "start"])
    response = _client(personas, "officer_a").post(url)
    assert response.status_code == 409
    assert "This step is not possible for the case in its current state." in (
        response.content.decode()
    )
    ticket_a.refresh_from_db()
    assert ticket_a.status == S.NEW


@pytest.mark.django_db
def test_missing_reason_returns_422_and_keeps_case(personas: Personas, ticket_a: Ticket) -> None:
    url = reverse("helpdesk:ticket-action", args=[ticket_a.number, "reject"])
    response = _client(personas, "officer_a").post(url, {"reject-reason": ""})
    assert response.status_code == 422
    ticket_a.refresh_from_db()
    assert ticket_a.status == S.NEW


@pytest.mark.django_db
def test_duplicate_of_case_out_of_scope_is_refused(
    personas: Personas, ticket_a: Ticket, commune_b: AdminUnit
) -> None:
    other = _file(commune_b, personas.resident, service="vneid_account")
    url = reverse("helpdesk:ticket-action", args=[ticket_a.number, "duplicate"])
    response = _client(personas, "officer_a").post(url, {"duplicate-original": other.number})
    assert response.status_code == 404  # the other case is not the officer's to know of
    ticket_a.refresh_from_db()
    assert ticket_a.status == S.NEW


@pytest.mark.django_db
def test_ticket_page_offers_only_moves_allowed_from_current_state(
    personas: Personas, ticket_a: Ticket
) -> None:
    client = _client(personas, "officer_a")
    url = reverse("helpdesk:ticket-detail", args=[ticket_a.number])
    offered = {action.name for action, _form in client.get(url).context["actions"]}
    assert offered == {"accept", "reply", "note", "transfer", "duplicate", "reject"}
    lifecycle.ticket_accept(ticket=ticket_a, by=personas.officer_a)
    lifecycle.ticket_start(ticket=ticket_a, by=personas.officer_a)
    offered = {action.name for action, _form in client.get(url).context["actions"]}
    assert offered == {"reply", "note", "transfer", "resolve"}


@pytest.mark.django_db
def test_transfer_offers_active_departments_of_the_same_province(
    personas: Personas, ticket_a: Ticket, commune_b: AdminUnit
) -> None:
    inactive = factories.department_create(
        commune=commune_b, department_type=DepartmentType.CULTURE_SOCIETY
    )
    Department.objects.filter(pk=inactive.pk).update(is_active=False)
    lang_son = AdminUnit.objects.filter(level=AdminUnit.Level.COMMUNE, parent__code="20").first()
    assert lang_son is not None
    elsewhere = factories.department_create(commune=lang_son)
    client = _client(personas, "officer_a")
    response = client.get(reverse("helpdesk:ticket-detail", args=[ticket_a.number]))
    transfer = next(f for a, f in response.context["actions"] if a.name == "transfer")
    offered = set(transfer.fields["department"].queryset)
    assert Department.objects.get(commune=commune_b, department_type="public_service_centre") in (
        offered
    )
    assert inactive not in offered
    assert ticket_a.department not in offered
    assert elsewhere not in offered


# --- Queue filters and queries ----------------------------------------------------


def _queue_numbers(client: Client, **params: str) -> set[str]:
    response = client.get(reverse("helpdesk:queue"), params)
    assert response.status_code == 200
    return {ticket.number for ticket, _sla in response.context["rows"]}


@pytest.mark.django_db
def test_queue_filters_overdue_unrouted_and_mine(
    personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit
) -> None:
    mine = _file(commune_a, personas.resident)
    late = _file(commune_a, personas.resident)
    unrouted = _file(commune_b, personas.resident)  # commune B has no economy department
    assert unrouted.department is None
    lifecycle.ticket_accept(ticket=mine, by=personas.officer_a)
    Ticket.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=3))

    officer = _client(personas, "officer_a")
    assert _queue_numbers(officer) == {mine.number, late.number}
    assert _queue_numbers(officer, mine="on") == {mine.number}
    assert _queue_numbers(officer, overdue="on") == {late.number}
    assert _queue_numbers(officer, status=S.ACCEPTED) == {mine.number}

    admin = _client(personas, "province_admin")
    assert _queue_numbers(admin) == {mine.number, late.number, unrouted.number}
    assert _queue_numbers(admin, unrouted="on") == {unrouted.number}
    assert commune_b.code
    assert _queue_numbers(admin, commune=commune_b.code) == {unrouted.number}
    assert "Overdue by" in admin.get(reverse("helpdesk:queue"), {"overdue": "on"}).content.decode()


@pytest.mark.django_db
def test_queue_counts_cases_per_status(personas: Personas, commune_a: AdminUnit) -> None:
    accepted = _file(commune_a, personas.resident)
    _file(commune_a, personas.resident)
    lifecycle.ticket_accept(ticket=accepted, by=personas.officer_a)
    response = _client(personas, "officer_a").get(reverse("helpdesk:queue"))
    counts = {value: n for value, _label, n in response.context["status_counts"]}
    assert (counts[S.NEW], counts[S.ACCEPTED], counts[S.CLOSED]) == (1, 1, 0)


@pytest.mark.django_db
def test_queue_paginates_by_25(personas: Personas, commune_a: AdminUnit) -> None:
    for _ in range(26):
        _file(commune_a, personas.resident)
    client = _client(personas, "officer_a")
    assert len(client.get(reverse("helpdesk:queue")).context["rows"]) == 25
    assert len(client.get(reverse("helpdesk:queue"), {"page": "2"}).context["rows"]) == 1


@pytest.mark.django_db
def test_queue_queries_do_not_grow_with_the_number_of_cases(
    personas: Personas, commune_a: AdminUnit, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    client = _client(personas, "province_admin")
    client.get(reverse("helpdesk:queue"))  # warm the session

    def queries_for_queue() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("helpdesk:queue")).status_code == 200
        return len(captured)

    for _ in range(3):
        lifecycle.ticket_accept(ticket=_file(commune_a, personas.resident), by=personas.officer_a)
    with_three = queries_for_queue()
    for _ in range(27):
        lifecycle.ticket_accept(ticket=_file(commune_a, personas.resident), by=personas.officer_a)
    assert queries_for_queue() == with_three
    with django_assert_max_num_queries(12):
        client.get(reverse("helpdesk:queue"))


# --- Login --------------------------------------------------------------------------


@pytest.mark.django_db
def test_officer_logs_in_with_phone_as_typed_locally(personas: Personas) -> None:
    local = "0" + personas.officer_a.phone.removeprefix("+84")
    response = Client().post(
        reverse("helpdesk:login"), {"username": local, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("helpdesk:queue")


@pytest.mark.django_db
def test_pages_render_in_vietnamese_by_default_with_attribution(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.officer_a)
    content = client.get(reverse("helpdesk:queue")).content.decode()
    assert '<html lang="vi">' in content
    assert "Danh sách hồ sơ" in content
    assert "sapnhap.bando.com.vn via thanglequoc/vietnamese-provinces-database (MIT)" in content


@pytest.mark.django_db
def test_login_page_asks_for_phone_number_in_english_when_chosen() -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    content = client.get(reverse("helpdesk:login")).content.decode()
    assert '<html lang="en">' in content
    assert "Phone number" in content


@pytest.mark.django_db
def test_queue_map_lists_cases_in_scope_even_without_tiles(
    personas: Personas, ticket_a: Ticket
) -> None:
    officer = _client(personas, "officer_a")
    page = officer.get(reverse("helpdesk:queue-map"))
    assert page.status_code == 200
    content = page.content.decode()
    # The list is the content; the map only decorates it when Leaflet loads.
    assert f'href="/console/cases/{ticket_a.number}/"' in content
    assert '"number": "' + ticket_a.number + '"' in content
    other = _client(personas, "officer_b").get(reverse("helpdesk:queue-map"))
    assert ticket_a.number not in other.content.decode()
    assert _client(personas, "resident").get(reverse("helpdesk:queue-map")).status_code == 403


@pytest.mark.django_db
def test_reply_from_a_canned_answer_with_a_help_article_link(
    personas: Personas, ticket_a: Ticket
) -> None:
    from helpdesk.models import CannedResponse
    from knowledge.models import Article

    assert ticket_a.department is not None
    canned = CannedResponse.objects.create(
        department=ticket_a.department,
        title="Đã tiếp nhận",
        body="Chúng tôi đã nhận phản ánh và sẽ cử người kiểm tra.",
    )
    article = Article.objects.filter(is_published=True).first()
    assert article is not None
    Article.objects.filter(pk=article.pk).update(topic_code=ticket_a.service.code)
    client = _client(personas, "officer_a")
    url = reverse("helpdesk:ticket-action", args=[ticket_a.number, "reply"])
    response = client.post(
        url, {"reply-body": "", "reply-canned": canned.pk, "reply-article": article.pk}
    )
    assert response.status_code == 302
    reply = ticket_a.events.get(kind="reply")
    assert reply.body.startswith("Chúng tôi đã nhận phản ánh")
    assert f"/help/articles/{article.slug}/" in reply.body
    empty = client.post(url, {"reply-body": " "})
    assert empty.status_code == 422
