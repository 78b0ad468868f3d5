from __future__ import annotations

import functools
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Role, User
from geo.models import AdminUnit
from helpdesk import errors, lifecycle
from helpdesk.filing import service_get_active
from helpdesk.filing_errors import LocationRequired
from helpdesk.live import event_push
from helpdesk.models import Department, DepartmentType, Ticket, TicketEvent, TicketStatus
from notifications.services import inbox_pushes_send
from tests import factories
from tests.conftest import Personas
from tests.factories import point_inside, ticket_file

S = TicketStatus


def _report_in(commune: AdminUnit, reporter: User, service: str = "streetlight_out") -> Ticket:
    lat, lon = point_inside(commune)
    filed = ticket_file(
        reporter=reporter,
        service=service_get_active(code=service),
        description="Ổ gà lớn trước cổng trường",
        lat=lat,
        lon=lon,
    )
    return filed.ticket


@pytest.mark.django_db
def test_report_inside_commune_a_lands_in_its_economy_department(
    personas: Personas, commune_a: AdminUnit
) -> None:
    ticket = _report_in(commune_a, personas.resident)
    assert ticket.commune == commune_a
    assert ticket.province == commune_a.parent
    assert ticket.department is not None
    assert ticket.department.department_type == DepartmentType.ECONOMY_INFRASTRUCTURE
    assert ticket.status == S.NEW
    assert ticket.number.startswith(f"TN-{timezone.now().year}-")
    assert ticket.due_at is not None
    assert ticket.due_at > ticket.created_at
    assert list(ticket.events.values_list("kind", flat=True)) == [TicketEvent.Kind.CREATED]


@pytest.mark.django_db
def test_commune_without_the_right_department_keeps_case_in_province_unrouted_queue(
    personas: Personas, commune_b: AdminUnit
) -> None:
    # Commune B has only a Public Administration Service Centre; road damage needs
    # the Economy department, so the case waits for the province to route it.
    ticket = _report_in(commune_b, personas.resident)
    assert ticket.department is None
    assert ticket.commune == commune_b
    assert ticket.province == commune_b.parent
    assert "chưa có phòng ban" in ticket.events.get().body  # told in Vietnamese by default


@pytest.mark.django_db
def test_point_just_across_the_border_goes_to_the_nearest_province_not_dropped(
    personas: Personas,
) -> None:
    # 2 km east of Lạng Sơn's easternmost vertex is China: no commune holds it.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT (ST_DumpPoints(b.geom)).geom AS p "
            "FROM geo_boundary b JOIN geo_adminunit u ON u.id = b.unit_id "
            "WHERE u.code = '20' AND u.level = 'province' AND b.valid_to_id IS NULL) q "
            "ORDER BY ST_X(p) DESC LIMIT 1"
        )
        east_lon, east_lat = cursor.fetchone()
    filed = ticket_file(
        reporter=personas.resident,
        service=service_get_active(code="road_damage"),
        description="",
        lat=east_lat,
        lon=east_lon + 0.02,
    )
    ticket = filed.ticket
    assert ticket.department is None
    assert ticket.commune is None
    assert ticket.province == factories.province_get(code="20")
    assert ticket.number.startswith("LS-")
    assert filed.explanation


@pytest.mark.django_db
def test_field_report_without_place_is_refused_and_nothing_saved(personas: Personas) -> None:
    with pytest.raises(LocationRequired):
        ticket_file(
            reporter=personas.resident,
            service=service_get_active(code="road_damage"),
            description="x",
        )
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_whole_lifecycle_of_a_field_report(personas: Personas, commune_a: AdminUnit) -> None:
    officer = personas.officer_a
    ticket = _report_in(commune_a, personas.resident)
    ticket = lifecycle.ticket_accept(ticket=ticket, by=officer)
    assert (ticket.status, ticket.assignee) == (S.ACCEPTED, officer)
    ticket = lifecycle.ticket_start(ticket=ticket, by=officer)
    lifecycle.ticket_reply(ticket=ticket, by=officer, body="Đội sẽ đến vào sáng mai.")
    lifecycle.ticket_reply(ticket=ticket, by=officer, body="Cần xi măng.", internal=True)
    ticket = lifecycle.ticket_resolve(ticket=ticket, by=officer, note="Đã vá xong ổ gà.")
    assert ticket.status == S.RESOLVED
    ticket = lifecycle.ticket_rate(ticket=ticket, by=personas.resident, rating=5, comment="Cảm ơn")
    assert ticket.rating == 5
    ticket = lifecycle.ticket_reopen(ticket=ticket, by=personas.resident, reason="Lại vỡ rồi")
    assert (ticket.status, ticket.rating) == (S.IN_PROGRESS, None)
    ticket = lifecycle.ticket_resolve(ticket=ticket, by=officer, note="Vá lại bằng bê tông.")
    later = timezone.now() + timedelta(days=8)
    assert lifecycle.tickets_close_resolved(now=later) == 1
    ticket.refresh_from_db()
    assert ticket.status == S.CLOSED
    kinds = list(ticket.events.values_list("kind", flat=True))
    assert kinds[0] == TicketEvent.Kind.CREATED
    assert kinds.count(TicketEvent.Kind.NOTE) == 1
    ids = list(ticket.events.values_list("id", flat=True))
    assert ids == sorted(ids)


@pytest.mark.django_db
def test_help_request_follows_the_same_lifecycle(personas: Personas, commune_b: AdminUnit) -> None:
    factories.department_create(commune=commune_b, department_type=DepartmentType.POLICE_LIAISON)
    ticket = ticket_file(
        reporter=personas.resident,
        service=service_get_active(code="vneid_account"),
        description="Tôi quên mật khẩu VNeID",
        commune=commune_b,
    ).ticket
    assert ticket.kind == "help_request"
    leader_b = factories.user_create()
    factories.role_grant(user=leader_b, role=Role.LEADER, unit=commune_b)
    ticket = lifecycle.ticket_accept(ticket=ticket, by=leader_b)
    ticket = lifecycle.ticket_resolve(ticket=ticket, by=leader_b, note="Đã hướng dẫn cấp lại.")
    assert ticket.status == S.RESOLVED


@pytest.mark.django_db
def test_illegal_move_is_a_conflict_listing_the_allowed_moves(
    personas: Personas, commune_a: AdminUnit
) -> None:
    ticket = _report_in(commune_a, personas.resident)
    with pytest.raises(errors.IllegalTransition) as caught:
        lifecycle.ticket_resolve(ticket=ticket, by=personas.officer_a, note="x")
    assert caught.value.details["status"] == S.NEW
    assert S.ACCEPTED in caught.value.details["allowed"]
    assert S.RESOLVED not in caught.value.details["allowed"]


@pytest.mark.django_db
def test_officer_of_another_commune_cannot_touch_the_case(
    personas: Personas, commune_a: AdminUnit
) -> None:
    ticket = _report_in(commune_a, personas.resident)
    for outsider in (personas.officer_b, personas.digital_team, personas.resident):
        with pytest.raises(errors.OutOfScope):
            lifecycle.ticket_accept(ticket=ticket, by=outsider)
    ticket.refresh_from_db()
    assert ticket.status == S.NEW


@pytest.mark.django_db
def test_leader_and_province_admin_can_act_on_any_case_in_their_scope(
    personas: Personas, commune_a: AdminUnit
) -> None:
    first = _report_in(commune_a, personas.resident)
    second = _report_in(commune_a, personas.resident)
    assert lifecycle.ticket_accept(ticket=first, by=personas.leader_a).status == S.ACCEPTED
    assert lifecycle.ticket_accept(ticket=second, by=personas.province_admin).status == S.ACCEPTED


@pytest.mark.django_db
def test_transfer_moves_case_keeps_the_clock_and_records_the_reason(
    personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit
) -> None:
    ticket = _report_in(commune_a, personas.resident)
    due = ticket.due_at
    target = Department.objects.get(
        commune=commune_b, department_type=DepartmentType.PUBLIC_SERVICE_CENTRE
    )
    with pytest.raises(errors.ReasonRequired):
        lifecycle.ticket_transfer(
            ticket=ticket, by=personas.officer_a, department=target, reason=" "
        )
    ticket = lifecycle.ticket_transfer(
        ticket=ticket, by=personas.officer_a, department=target, reason="Thuộc địa bàn xã Đại Từ"
    )
    assert (ticket.status, ticket.department, ticket.commune) == (S.TRANSFERRED, target, commune_b)
    assert ticket.due_at == due
    # The receiving officer now owns it; the sender no longer does.
    assert lifecycle.ticket_accept(ticket=ticket, by=personas.officer_b).status == S.ACCEPTED
    with pytest.raises(errors.OutOfScope):
        lifecycle.ticket_start(ticket=ticket, by=personas.officer_a)


@pytest.mark.django_db
def test_duplicate_links_the_original(personas: Personas, commune_a: AdminUnit) -> None:
    original = _report_in(commune_a, personas.resident)
    copy = _report_in(commune_a, personas.resident)
    copy = lifecycle.ticket_mark_duplicate(ticket=copy, by=personas.officer_a, original=original)
    assert (copy.status, copy.duplicate_of) == (S.DUPLICATE, original)
    with pytest.raises(errors.IllegalTransition):
        lifecycle.ticket_mark_duplicate(ticket=original, by=personas.officer_a, original=original)


@pytest.mark.django_db
def test_reopen_is_refused_after_seven_days(personas: Personas, commune_a: AdminUnit) -> None:
    ticket = _report_in(commune_a, personas.resident)
    lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    ticket = lifecycle.ticket_resolve(ticket=ticket, by=personas.officer_a, note="Xong")
    Ticket.objects.filter(pk=ticket.pk).update(resolved_at=timezone.now() - timedelta(days=8))
    with pytest.raises(errors.ReopenWindowClosed):
        lifecycle.ticket_reopen(ticket=ticket, by=personas.resident, reason="Chưa xong")


@pytest.mark.django_db
def test_only_the_reporter_rates_and_only_1_to_5(personas: Personas, commune_a: AdminUnit) -> None:
    ticket = _report_in(commune_a, personas.resident)
    lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    ticket = lifecycle.ticket_resolve(ticket=ticket, by=personas.officer_a, note="Xong")
    with pytest.raises(errors.InvalidRating):
        lifecycle.ticket_rate(ticket=ticket, by=personas.resident, rating=6)
    with pytest.raises(errors.OutOfScope):
        lifecycle.ticket_rate(ticket=ticket, by=personas.officer_a, rating=5)


@pytest.mark.usefixtures("committed_reference_data")
def test_two_officers_accepting_at_once_cannot_both_win(commune_a: AdminUnit) -> None:
    department = factories.department_create(commune=commune_a)
    officers = []
    for _ in range(2):
        officer = factories.user_create()
        factories.role_grant(
            user=officer,
            role=Role.OFFICER,
            unit=commune_a,
            departments=(department,),
        )
        officers.append(officer)
    resident = factories.user_create()
    ticket = _report_in(commune_a, resident)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def accept(officer: User) -> None:
        barrier.wait()
        try:
            lifecycle.ticket_accept(ticket=ticket, by=officer)
            outcomes.append("accepted")
        except errors.IllegalTransition:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(o,)) for o in officers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["accepted", "conflict"]
    ticket.refresh_from_db()
    assert ticket.status == S.ACCEPTED
    assert ticket.events.filter(kind=TicketEvent.Kind.STATUS).count() == 1


@pytest.mark.django_db
def test_close_command_closes_only_cases_resolved_over_a_week_ago(
    personas: Personas, commune_a: AdminUnit
) -> None:
    import io

    from django.core.management import call_command

    old, recent = (_report_in(commune_a, personas.resident) for _ in range(2))
    for ticket in (old, recent):
        lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
        lifecycle.ticket_resolve(ticket=ticket, by=personas.officer_a, note="Xong")
    Ticket.objects.filter(pk=old.pk).update(resolved_at=timezone.now() - timedelta(days=8))
    out = io.StringIO()
    call_command("close_resolved_cases", stdout=out)
    assert "Closed 1 case" in out.getvalue()
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.status, recent.status) == (S.CLOSED, S.RESOLVED)


@pytest.mark.django_db
def test_case_followers_are_pushed_to_before_the_inboxes(
    personas: Personas, commune_a: AdminUnit, django_capture_on_commit_callbacks: Any
) -> None:
    ticket = _report_in(commune_a, personas.resident)
    with django_capture_on_commit_callbacks() as callbacks:
        event = lifecycle.ticket_reply(ticket=ticket, by=personas.officer_a, body="Đã nhận.")
    pushes = [(c.func, c.args) for c in callbacks if isinstance(c, functools.partial)]
    assert pushes[0][0] is event_push
    prepared, event_id = pushes[0][1]
    assert event_id == event.pk
    assert [group for group, _message in prepared] == [
        f"case.{ticket.pk}.staff",
        f"case.{ticket.pk}",
        f"case.{ticket.pk}.public",
    ]
    inboxes = [args[0] for func, args in pushes[1:] if func is inbox_pushes_send]
    assert [n.recipient_id for n in inboxes[0]] == [personas.resident.pk]
