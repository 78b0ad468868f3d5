"""A move asked for twice is made once, and the second ask is answered as done.

"Accept" tapped twice on a slow phone, a resolve sent again after its answer
was lost: the officer asked for the state the case is now in, by their own
act. The second ask gets the case back, with no second event (so nothing
for the fan-out to tell) and no second audit row. Anything else that finds
the case moved is still a conflict.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django import Settings

from accounts.models import Role, RoleAssignment, User
from audit.models import AuditAction, AuditEntry
from core.rate_limits import rate_limit_key
from geo.models import AdminUnit
from helpdesk import errors, lifecycle
from helpdesk.models import (
    Attachment,
    Department,
    DepartmentMembership,
    DepartmentType,
    Ticket,
    TicketEvent,
    TicketStatus,
)
from tests import factories
from tests.conftest import Personas
from tests.factories import jpeg
from tests.races import race_while_held

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

S = TicketStatus
API = "/api/v1/helpdesk"


@pytest.fixture
def ticket(personas: Personas, commune_a: AdminUnit) -> Ticket:
    return factories.case_file(reporter=personas.resident, commune=commune_a)


@pytest.fixture
def colleague(ticket: Ticket) -> User:
    """An officer of the case's department beside officer_a."""
    assert ticket.commune is not None
    assert ticket.department is not None
    officer = factories.user_create()
    factories.role_grant(
        user=officer, role=Role.OFFICER, unit=ticket.commune, departments=(ticket.department,)
    )
    return officer


def _moves(ticket: Ticket) -> list[str]:
    return list(
        ticket.events.filter(kind=TicketEvent.Kind.STATUS)
        .order_by("pk")
        .values_list("to_status", flat=True)
    )


def _counted(person: User, action: str) -> int:
    client = redis.Redis.from_url(django_settings.REDIS_URL)
    try:
        return int(client.get(rate_limit_key(action=action, subject=f"person:{person.pk}")) or 0)
    finally:
        client.close()


def _stray_files(root: Path) -> set[str]:
    """Files in the media root that no attachment names."""
    named = {
        name
        for names in Attachment.objects.values_list("display", "thumbnail", "original")
        for name in names
        if name
    }
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} - named


@pytest.mark.django_db
def test_accept_twice_is_one_acceptance(personas: Personas, ticket: Ticket) -> None:
    first = lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    again = lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    assert (again.status, again.assignee) == (S.ACCEPTED, personas.officer_a)
    assert again.accepted_at == first.accepted_at
    assert _moves(ticket) == [S.ACCEPTED]
    assert AuditEntry.objects.filter(action=AuditAction.CASE_ACCEPT).count() == 1


@pytest.mark.django_db
def test_someone_else_finding_the_case_moved_still_gets_the_conflict(
    personas: Personas, ticket: Ticket, colleague: User
) -> None:
    lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    with pytest.raises(errors.IllegalTransition):
        lifecycle.ticket_accept(ticket=ticket, by=personas.leader_a)
    # The same officer asking for another assignee is not a repeat either.
    with pytest.raises(errors.IllegalTransition):
        lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a, assignee=colleague)
    assert _moves(ticket) == [S.ACCEPTED]


@pytest.mark.django_db
def test_an_accept_retried_after_a_hand_over_is_a_conflict(
    personas: Personas, ticket: Ticket, colleague: User
) -> None:
    lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    lifecycle.ticket_assign(ticket=ticket, by=personas.leader_a, assignee=colleague)
    # The case is no longer where officer_a's accept left it.
    with pytest.raises(errors.IllegalTransition):
        lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    ticket.refresh_from_db()
    assert ticket.assignee == colleague


@pytest.mark.django_db
def test_a_repeat_counts_only_the_last_move(personas: Personas, ticket: Ticket) -> None:
    lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    lifecycle.ticket_start(ticket=ticket, by=personas.officer_a)
    # Accepted by them once, but the case has moved on since: a real conflict.
    with pytest.raises(errors.IllegalTransition):
        lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    lifecycle.ticket_start(ticket=ticket, by=personas.officer_a)
    assert _moves(ticket) == [S.ACCEPTED, S.IN_PROGRESS]


@pytest.mark.django_db
def test_reject_again_with_the_same_reason_is_done_another_is_a_conflict(
    personas: Personas, ticket: Ticket
) -> None:
    lifecycle.ticket_reject(ticket=ticket, by=personas.officer_a, reason="Không thuộc xã")
    again = lifecycle.ticket_reject(ticket=ticket, by=personas.officer_a, reason=" Không thuộc xã ")
    assert again.status == S.REJECTED
    with pytest.raises(errors.IllegalTransition):
        lifecycle.ticket_reject(ticket=ticket, by=personas.officer_a, reason="Trùng lặp")
    assert _moves(ticket) == [S.REJECTED]


@pytest.mark.django_db
def test_resolve_sent_again_with_its_photo_is_stored_once(
    personas: Personas, ticket: Ticket, settings: Settings, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    photo = jpeg(color="green")
    for _ in range(2):
        done = lifecycle.ticket_resolve(
            ticket=ticket, by=personas.officer_a, note="Đã vá ổ gà", photos=[photo]
        )
        assert done.status == S.RESOLVED
    assert _moves(ticket) == [S.ACCEPTED, S.RESOLVED]
    assert Attachment.objects.filter(ticket=ticket, role=Attachment.Role.AFTER).count() == 1
    assert not _stray_files(tmp_path)
    # The same words with other photos, or none, is not the same act.
    for other in ([jpeg(color="red")], []):
        with pytest.raises(errors.IllegalTransition):
            lifecycle.ticket_resolve(
                ticket=ticket, by=personas.officer_a, note="Đã vá ổ gà", photos=other
            )
    assert not _stray_files(tmp_path)


@pytest.mark.usefixtures("committed_reference_data")
def test_two_resolves_racing_resolve_once_and_leave_no_stray_photo(
    commune_a: AdminUnit, settings: Settings, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    department = factories.department_create(commune=commune_a)
    officer = factories.user_create()
    factories.role_grant(user=officer, role=Role.OFFICER, unit=commune_a, departments=(department,))
    ticket = factories.case_file(reporter=factories.user_create(), commune=commune_a)
    lifecycle.ticket_accept(ticket=ticket, by=officer)
    photo = jpeg(color="blue")
    answers: list[str] = []

    def resolve() -> None:
        answers.append(
            lifecycle.ticket_resolve(
                ticket=ticket, by=officer, note="Đã thay bóng đèn", photos=[photo]
            ).status
        )

    # Both are past the early check, with their photo stored, when they meet
    # at the case's row lock.
    table = connection.ops.quote_name(Ticket._meta.db_table)
    race_while_held(
        resolve,
        hold=f"SELECT 1 FROM {table} WHERE id = %s FOR UPDATE",  # noqa: S608 - a model's own table
        params=[ticket.pk],
    )
    # A third, later, is answered at the early check, outside any transaction.
    resolve()
    assert answers == [S.RESOLVED, S.RESOLVED, S.RESOLVED]
    assert _moves(ticket) == [S.ACCEPTED, S.RESOLVED]
    assert Attachment.objects.filter(ticket=ticket, role=Attachment.Role.AFTER).count() == 1
    assert not _stray_files(tmp_path)
    # The twin that found the move made gave its photo's count back.
    assert _counted(officer, "photo") == 1


@pytest.mark.django_db
def test_transfer_sent_again_is_one_transfer(
    personas: Personas, ticket: Ticket, commune_a: AdminUnit
) -> None:
    centre = factories.department_create(
        commune=commune_a, department_type=DepartmentType.PUBLIC_SERVICE_CENTRE
    )
    economy = ticket.department_id
    for _ in range(2):
        # Loaded afresh each time, as the API and the console do: the retry
        # finds the case already in the department it names.
        moved = lifecycle.ticket_transfer(
            ticket=Ticket.objects.get(pk=ticket.pk),
            by=personas.leader_a,
            department=centre,
            reason="Thuộc một cửa",
        )
        assert (moved.status, moved.department) == (S.TRANSFERRED, centre)
    assert _moves(ticket) == [S.TRANSFERRED]
    event = ticket.events.get(kind=TicketEvent.Kind.STATUS)
    assert event.data == {"from_department": economy, "to_department": centre.pk}


@pytest.mark.django_db
def test_duplicate_and_start_sent_again_are_made_once(
    personas: Personas, ticket: Ticket, commune_a: AdminUnit
) -> None:
    other = factories.case_file(reporter=personas.resident, commune=commune_a)
    lifecycle.ticket_accept(ticket=other, by=personas.officer_a)
    for _ in range(2):
        lifecycle.ticket_start(ticket=other, by=personas.officer_a)
        lifecycle.ticket_mark_duplicate(ticket=ticket, by=personas.officer_a, original=other)
    assert _moves(other) == [S.ACCEPTED, S.IN_PROGRESS]
    assert _moves(ticket) == [S.DUPLICATE]


@pytest.mark.django_db
def test_reopen_sent_again_is_one_reopening(personas: Personas, ticket: Ticket) -> None:
    lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    lifecycle.ticket_resolve(ticket=ticket, by=personas.officer_a, note="Xong", photos=[jpeg()])
    for _ in range(2):
        reopened = lifecycle.ticket_reopen(ticket=ticket, by=personas.resident, reason="Chưa sửa")
        assert reopened.status == S.IN_PROGRESS
    assert _moves(ticket) == [S.ACCEPTED, S.RESOLVED, S.IN_PROGRESS]


@pytest.mark.django_db
def test_assigning_to_whom_it_is_assigned_adds_nothing(personas: Personas, ticket: Ticket) -> None:
    lifecycle.ticket_accept(ticket=ticket, by=personas.leader_a)
    for _ in range(2):
        lifecycle.ticket_assign(ticket=ticket, by=personas.leader_a, assignee=personas.officer_a)
    assert ticket.events.filter(kind=TicketEvent.Kind.ASSIGNED).count() == 1
    assert AuditEntry.objects.filter(action=AuditAction.CASE_ASSIGN).count() == 1


@pytest.mark.django_db
def test_the_api_answers_a_second_accept_like_the_first(personas: Personas, ticket: Ticket) -> None:
    officer = factories.token_client(personas.officer_a)
    url = f"{API}/cases/{ticket.number}/accept"
    first = officer.post(url, {}, content_type="application/json")
    again = officer.post(url, {}, content_type="application/json")
    assert (first.status_code, again.status_code) == (200, 200), again.content
    assert again.json() == first.json()
    assert _moves(ticket) == [S.ACCEPTED]
    other = factories.token_client(personas.leader_a).post(url, {}, content_type="application/json")
    assert (other.status_code, other.json()["code"]) == (409, "illegal_transition")


@pytest.mark.django_db
def test_the_same_rating_twice_is_one_rating_a_new_one_is_recorded(
    personas: Personas, ticket: Ticket
) -> None:
    lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    lifecycle.ticket_resolve(ticket=ticket, by=personas.officer_a, note="Xong", photos=[jpeg()])
    for _ in range(2):
        rated = lifecycle.ticket_rate(ticket=ticket, by=personas.resident, rating=4, comment="Ổn")
        assert rated.rating == 4
    rated = lifecycle.ticket_rate(ticket=ticket, by=personas.resident, rating=5, comment="Ổn")
    assert rated.rating == 5
    assert list(
        ticket.events.filter(kind=TicketEvent.Kind.RATED)
        .order_by("pk")
        .values_list("data__rating", flat=True)
    ) == [4, 5]


@pytest.fixture
def centre(commune_a: AdminUnit) -> int:
    """A department of commune A outside officer_a's scope (they handle economy)."""
    return factories.department_create(
        commune=commune_a, department_type=DepartmentType.PUBLIC_SERVICE_CENTRE
    ).pk


def _transfer(client: Client, ticket: Ticket, department: int, reason: str) -> Response:
    return client.post(
        f"{API}/cases/{ticket.number}/transfer",
        {"department_id": department, "reason": reason},
        content_type="application/json",
    )


@pytest.mark.django_db
def test_a_transfer_sent_again_after_it_left_the_senders_scope_is_answered_as_done(
    personas: Personas, ticket: Ticket, centre: int
) -> None:
    """The first transfer took the case out of officer_a's scope: the retry
    no longer finds it, and was "not found", as if the transfer had failed."""
    officer = factories.token_client(personas.officer_a)
    first = _transfer(officer, ticket, centre, "Thuộc một cửa")
    assert first.status_code == 200, first.content
    again = _transfer(officer, ticket, centre, " Thuộc một cửa ")
    assert again.status_code == 200, again.content
    assert again.json() == first.json()
    assert again.json()["status"] == S.TRANSFERRED
    assert _moves(ticket) == [S.TRANSFERRED]
    assert AuditEntry.objects.filter(action=AuditAction.CASE_TRANSFER).count() == 1
    # Still not theirs: the case's page and any other act are "not found".
    assert officer.get(f"{API}/cases/{ticket.number}").status_code == 404
    accept = officer.post(
        f"{API}/cases/{ticket.number}/accept", {}, content_type="application/json"
    )
    assert accept.status_code == 404


@pytest.mark.django_db
def test_only_the_same_transfer_by_the_same_staff_member_is_answered(
    personas: Personas, ticket: Ticket, centre: int, commune_a: AdminUnit
) -> None:
    officer = factories.token_client(personas.officer_a)
    first = _transfer(officer, ticket, centre, "Thuộc một cửa")
    assert first.status_code == 200
    culture = factories.department_create(
        commune=commune_a, department_type=DepartmentType.CULTURE_SOCIETY
    ).pk
    not_found = [
        _transfer(officer, ticket, centre, "Lý do khác"),
        _transfer(officer, ticket, culture, "Thuộc một cửa"),
        _transfer(factories.token_client(personas.officer_b), ticket, centre, "Thuộc một cửa"),
    ]
    assert [r.status_code for r in not_found] == [404, 404, 404]
    assert {r.json()["code"] for r in not_found} == {"case_not_found"}
    # The same answer whatever happened since: a retry tells the sender
    # nothing of what the new department does with the case.
    lifecycle.ticket_accept(ticket=ticket, by=personas.leader_a)
    lifecycle.ticket_reply(ticket=ticket, by=personas.leader_a, body="Đã nhận", internal=True)
    again = _transfer(officer, ticket, centre, "Thuộc một cửa")
    assert (again.status_code, again.json()) == (200, first.json())
    assert again.json()["assignee"] is None
    assert _moves(ticket) == [S.TRANSFERRED, S.ACCEPTED]
    # Someone no longer staff gets nothing, their own transfer or not.
    RoleAssignment.objects.filter(user=personas.officer_a).delete()
    DepartmentMembership.objects.filter(user=personas.officer_a).delete()
    revoked = _transfer(officer, ticket, centre, "Thuộc một cửa")
    assert (revoked.status_code, revoked.json()["code"]) == (404, "case_not_found")


@pytest.mark.django_db
def test_a_retry_costs_the_same_queries_for_a_case_and_for_no_case(
    personas: Personas, ticket: Ticket, centre: int
) -> None:
    """No timing tells a stranger that a case number exists."""
    officer = factories.token_client(personas.officer_b)
    officer.get(f"{API}/cases")  # the key's first use is written down once
    counts = []
    for number in (ticket.number, "TN-2026-99999"):
        with CaptureQueriesContext(connection) as captured:
            response = officer.post(
                f"{API}/cases/{number}/transfer",
                {"department_id": centre, "reason": "Thuộc một cửa"},
                content_type="application/json",
            )
        assert response.status_code == 404
        counts.append(len(captured))
    assert counts[0] == counts[1]


@pytest.mark.usefixtures("committed_reference_data")
def test_two_transfers_racing_out_of_scope_are_both_answered_as_done(
    commune_a: AdminUnit,
) -> None:
    """The twin that waited at the case's lock finds it out of scope when it
    gets there; it is answered as done too, not "out of scope"."""
    officer, ticket, centre = factories.officer_with_case_beside(commune_a)
    client = factories.token_client(officer)
    answers: list[tuple[int, str]] = []

    def transfer() -> None:
        response = _transfer(client, ticket, centre.pk, "Thuộc một cửa")
        answers.append((response.status_code, response.json().get("status", "")))

    table = connection.ops.quote_name(Ticket._meta.db_table)
    race_while_held(
        transfer,
        hold=f"SELECT 1 FROM {table} WHERE id = %s FOR UPDATE",  # noqa: S608 - a model's own table
        params=[ticket.pk],
    )
    assert answers == [(200, S.TRANSFERRED), (200, S.TRANSFERRED)]
    assert _moves(ticket) == [S.TRANSFERRED]


@pytest.mark.django_db
def test_a_transfer_is_answered_as_done_only_for_a_while(
    personas: Personas, ticket: Ticket, centre: int
) -> None:
    moved = lifecycle.ticket_transfer(
        ticket=ticket,
        by=personas.officer_a,
        department=Department.objects.get(pk=centre),
        reason="Thuộc một cửa",
    )
    event = moved.events.get(kind=TicketEvent.Kind.STATUS)
    late = event.created_at + lifecycle.TRANSFER_RETRY_WINDOW

    def made(*, now: datetime, number: str = ticket.number) -> Ticket | None:
        return lifecycle.transfer_already_made(
            number=number,
            by=personas.officer_a,
            department_id=centre,
            reason="Thuộc một cửa",
            now=now,
        )

    assert made(now=late) == moved
    assert made(now=late + timedelta(seconds=1)) is None
    assert made(now=late, number="TN-0000-99999") is None
