"""Every officer act on a case leaves exactly one audit row, written in the act's
transaction, with who, the client's address, the case and its province."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import Role, User
from audit.models import AuditAction, AuditEntry
from geo.models import AdminUnit
from helpdesk import errors, lifecycle
from helpdesk.models import Department, DepartmentType, Ticket, TicketStatus
from tests import factories
from tests.conftest import Personas

S = TicketStatus
CLIENT_IP = "203.0.113.7"


def _case(personas: Personas, commune: AdminUnit, *, photos: int = 0) -> Ticket:
    from helpdesk.filing import CaseDraft, case_submit

    lat, lon = factories.point_inside(commune)
    draft = CaseDraft(
        service_code="streetlight_out",
        description="Đèn đường tắt cả tuần",
        lat=lat,
        lon=lon,
        photos=tuple(factories.jpeg() for _ in range(photos)),
    )
    return case_submit(reporter=personas.resident, draft=draft).ticket


def _put_in(ticket: Ticket, state: str, officer: User) -> None:
    steps = {"new": 0, "accepted": 1, "in_progress": 2}[state]
    if steps >= 1:
        lifecycle.ticket_accept(ticket=ticket, by=officer)
    if steps >= 2:
        lifecycle.ticket_start(ticket=ticket, by=officer)


@dataclass(frozen=True)
class Act:
    action: AuditAction
    state: str
    # Given the world, the API path's tail and its body (JSON or multipart).
    path: str
    body: Callable[[World], dict[str, object]]
    multipart: bool = False
    answer: int = 200  # 201 where the act adds an event to the timeline and returns it


@dataclass(frozen=True)
class World:
    personas: Personas
    ticket: Ticket
    other_case: Ticket
    department_b: Department
    # An officer of the case's department beside officer_a, to hand it to.
    colleague: User


API_ACTS = (
    Act(AuditAction.CASE_ACCEPT, "new", "accept", lambda w: {}),
    Act(
        AuditAction.CASE_ASSIGN,
        "accepted",
        "assign",
        lambda w: {"assignee_phone": w.colleague.phone},
    ),
    Act(AuditAction.CASE_START, "accepted", "start", lambda w: {}),
    Act(
        AuditAction.CASE_RESOLVE,
        "in_progress",
        "resolve",
        lambda w: {"body": "Đã thay bóng"},
        multipart=True,
    ),
    Act(AuditAction.CASE_REJECT, "new", "reject", lambda w: {"reason": "Không thuộc thẩm quyền"}),
    Act(
        AuditAction.CASE_DUPLICATE,
        "new",
        "duplicate",
        lambda w: {"original": w.other_case.number},
    ),
    Act(
        AuditAction.CASE_TRANSFER,
        "new",
        "transfer",
        lambda w: {"department_id": w.department_b.pk, "reason": "Sai bộ phận"},
    ),
    Act(
        AuditAction.CASE_REPLY,
        "new",
        "reply",
        lambda w: {"body": "Đã ghi nhận"},
        multipart=True,
        answer=201,
    ),
    Act(
        AuditAction.CASE_NOTE,
        "new",
        "note",
        lambda w: {"body": "Gọi thầu"},
        multipart=True,
        answer=201,
    ),
)


@pytest.fixture
def world(personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit) -> World:
    ticket = _case(personas, commune_a, photos=1)
    assert ticket.department is not None
    colleague = factories.user_create()
    factories.role_grant(
        user=colleague, role=Role.OFFICER, unit=commune_a, departments=(ticket.department,)
    )
    return World(
        personas=personas,
        ticket=ticket,
        other_case=_case(personas, commune_a),
        department_b=Department.objects.get(
            commune=commune_b, department_type=DepartmentType.PUBLIC_SERVICE_CENTRE
        ),
        colleague=colleague,
    )


def _officer_client(personas: Personas) -> Client:
    client = Client()
    client.force_login(personas.officer_a)
    return client


def _only_row(action: str) -> AuditEntry:
    # Log-ins of the test clients are rows too; only the act's own is asked for.
    rows = list(AuditEntry.objects.exclude(action=AuditAction.LOGIN))
    assert [row.action for row in rows] == [action]
    return rows[0]


def _assert_row_of(row: AuditEntry, *, officer: User, ticket: Ticket) -> None:
    assert row.actor == officer
    assert row.ip == CLIENT_IP
    assert row.target_type is not None
    assert row.target_type.model_class() is Ticket
    assert row.target_id == str(ticket.pk)
    assert row.target_label == ticket.number
    assert row.province_id == ticket.province_id
    assert row.actor_roles == [f"officer {ticket.commune.code}"]  # type: ignore[union-attr]


@pytest.mark.django_db
@pytest.mark.parametrize("act", API_ACTS, ids=lambda a: a.path)
def test_each_api_act_of_an_officer_writes_one_row_with_its_address(world: World, act: Act) -> None:
    officer = world.personas.officer_a
    _put_in(world.ticket, act.state, officer)
    before = set(AuditEntry.objects.values_list("pk", flat=True))
    client = _officer_client(world.personas)
    url = f"/api/v1/helpdesk/cases/{world.ticket.number}/{act.path}"
    body = act.body(world)
    if act.multipart:
        response = client.post(url, data=body, REMOTE_ADDR=CLIENT_IP)
    else:
        response = client.post(
            url, data=json.dumps(body), content_type="application/json", REMOTE_ADDR=CLIENT_IP
        )
    assert response.status_code == act.answer, response.content
    rows = list(AuditEntry.objects.exclude(pk__in=before).exclude(action=AuditAction.LOGIN))
    assert [row.action for row in rows] == [act.action]
    _assert_row_of(rows[0], officer=officer, ticket=world.ticket)


@pytest.mark.django_db
@pytest.mark.parametrize("public", [True, False], ids=["approve", "withdraw"])
def test_photo_approval_through_the_api_writes_one_row(world: World, public: bool) -> None:
    photo = world.ticket.attachments.get()
    if not public:
        from helpdesk.attachments import attachment_approve_public

        attachment_approve_public(attachment=photo, by=world.personas.officer_a)
    before = set(AuditEntry.objects.values_list("pk", flat=True))
    response = _officer_client(world.personas).post(
        f"/api/v1/helpdesk/cases/{world.ticket.number}/photos/{photo.pk}/public",
        data=json.dumps({"public": public}),
        content_type="application/json",
        REMOTE_ADDR=CLIENT_IP,
    )
    assert response.status_code == 204
    (row,) = AuditEntry.objects.exclude(pk__in=before).exclude(action=AuditAction.LOGIN)
    assert row.action == (AuditAction.PHOTO_APPROVE if public else AuditAction.PHOTO_WITHDRAW)
    assert row.changes == {"photo": photo.pk, "public": [not public, public]}
    _assert_row_of(row, officer=world.personas.officer_a, ticket=world.ticket)


CONSOLE_ACTS = {
    "accept": ("new", {}),
    "start": ("accepted", {}),
    "reply": ("new", {"reply-body": "Đã ghi nhận"}),
    "note": ("new", {"note-body": "Gọi thầu"}),
    "transfer": ("new", {"transfer-reason": "Sai bộ phận"}),
    "duplicate": ("new", {}),
    "reject": ("new", {"reject-reason": "Không thuộc thẩm quyền"}),
    "resolve": ("in_progress", {"resolve-note": "Đã thay bóng"}),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(CONSOLE_ACTS))
def test_each_console_act_of_an_officer_writes_one_row_with_its_address(
    world: World, name: str
) -> None:
    state, data = CONSOLE_ACTS[name]
    officer = world.personas.officer_a
    _put_in(world.ticket, state, officer)
    data = dict(data)
    if name == "transfer":
        data["transfer-department"] = str(world.department_b.pk)
    if name == "duplicate":
        data["duplicate-original"] = world.other_case.number
    before = set(AuditEntry.objects.values_list("pk", flat=True))
    response = _officer_client(world.personas).post(
        reverse("console:ticket-action", args=[world.ticket.number, name]),
        data=data,
        REMOTE_ADDR=CLIENT_IP,
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    (row,) = AuditEntry.objects.exclude(pk__in=before).exclude(action=AuditAction.LOGIN)
    assert row.action == f"case.{name}"
    _assert_row_of(row, officer=officer, ticket=world.ticket)


@pytest.mark.django_db
def test_console_photo_approval_writes_one_row(world: World) -> None:
    photo = world.ticket.attachments.get()
    response = _officer_client(world.personas).post(
        reverse("console:photo-public", args=[world.ticket.number, photo.pk]),
        data={"public": "1"},
        REMOTE_ADDR=CLIENT_IP,
    )
    assert response.status_code == 302
    row = _only_row(AuditAction.PHOTO_APPROVE)
    _assert_row_of(row, officer=world.personas.officer_a, ticket=world.ticket)


@pytest.mark.django_db
@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_the_address_behind_a_trusted_proxy_is_the_clients_and_a_forged_one_is_ignored(
    world: World,
) -> None:
    client = _officer_client(world.personas)
    client.post(
        f"/api/v1/helpdesk/cases/{world.ticket.number}/accept",
        data="{}",
        content_type="application/json",
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.9",
    )
    client.post(
        f"/api/v1/helpdesk/cases/{world.ticket.number}/start",
        data="{}",
        content_type="application/json",
        REMOTE_ADDR=CLIENT_IP,
        HTTP_X_FORWARDED_FOR="198.51.100.66",
    )
    ips = dict(AuditEntry.objects.filter(action__startswith="case.").values_list("action", "ip"))
    assert ips == {AuditAction.CASE_ACCEPT: "198.51.100.9", AuditAction.CASE_START: CLIENT_IP}


@pytest.mark.django_db
def test_accept_records_the_status_and_assignee_it_changed_and_its_event(world: World) -> None:
    officer = world.personas.officer_a
    lifecycle.ticket_accept(ticket=world.ticket, by=officer, ip=CLIENT_IP)
    row = _only_row(AuditAction.CASE_ACCEPT)
    event = world.ticket.events.latest("pk")
    assert row.changes == {
        "status": [S.NEW, S.ACCEPTED],
        "assignee": [None, officer.pk],
        "event": event.pk,
    }


@pytest.mark.django_db
def test_transfer_records_where_the_case_went_but_not_the_reason_text(world: World) -> None:
    ticket = world.ticket
    from_department = ticket.department_id
    lifecycle.ticket_transfer(
        ticket=ticket,
        by=world.personas.officer_a,
        department=world.department_b,
        reason="Lý do rất riêng tư 0912345678",
        ip=CLIENT_IP,
    )
    row = _only_row(AuditAction.CASE_TRANSFER)
    assert row.changes["department"] == [from_department, world.department_b.pk]
    assert row.changes["status"] == [S.NEW, S.TRANSFERRED]
    assert "0912345678" not in json.dumps(row.changes, ensure_ascii=False)
    assert "riêng tư" not in json.dumps(row.changes, ensure_ascii=False)


@pytest.mark.django_db
def test_an_act_rolled_back_leaves_no_row(world: World) -> None:
    with transaction.atomic():
        lifecycle.ticket_accept(ticket=world.ticket, by=world.personas.officer_a, ip=CLIENT_IP)
        assert AuditEntry.objects.filter(action=AuditAction.CASE_ACCEPT).count() == 1
        transaction.set_rollback(True)
    assert not AuditEntry.objects.filter(action=AuditAction.CASE_ACCEPT).exists()
    world.ticket.refresh_from_db()
    assert world.ticket.status == S.NEW


@pytest.mark.django_db
def test_a_refused_act_leaves_no_row(world: World) -> None:
    with pytest.raises(errors.OutOfScope):
        lifecycle.ticket_accept(ticket=world.ticket, by=world.personas.officer_b, ip=CLIENT_IP)
    with pytest.raises(errors.IllegalTransition):
        lifecycle.ticket_start(ticket=world.ticket, by=world.personas.officer_a, ip=CLIENT_IP)
    assert not AuditEntry.objects.filter(action__startswith="case.").exists()


@pytest.mark.django_db
def test_the_residents_own_reply_is_not_an_officer_act(world: World) -> None:
    lifecycle.ticket_reply(
        ticket=world.ticket, by=world.personas.resident, body="Đèn vẫn tắt", ip=CLIENT_IP
    )
    assert not AuditEntry.objects.filter(action__startswith="case.").exists()
