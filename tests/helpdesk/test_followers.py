"""Everyone who follows a case hears about it: supporters and proxy residents too."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.errors import InvalidAssignee
from helpdesk.filing import CaseDraft, case_submit
from helpdesk.followers import case_followers
from helpdesk.models import DepartmentMembership, Ticket, TicketEvent
from helpdesk.proxy_filing import ProxyDetails
from helpdesk.support import case_support_add
from notifications.models import Channel, Delivery, Notification
from tests.conftest import Personas
from tests.factories import (
    case_file,
    case_filed_for_a_resident,
    point_inside,
    role_grant,
    user_create,
)


@pytest.mark.django_db
def test_resident_filed_for_by_a_team_member_gets_updates_by_sms_and_can_look_it_up(
    personas: Personas, commune_a: AdminUnit
) -> None:
    ticket = case_filed_for_a_resident(
        team_member=personas.digital_team, commune=commune_a, phone="0987 111 222"
    )
    resident = ticket.proxy.resident
    assert resident is not None
    assert resident.phone == "+84987111222"
    assert not resident.has_usable_password()  # logs in by one-time code only
    lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    told = Notification.objects.filter(recipient=resident)
    assert told.exists()
    assert Delivery.objects.filter(notification__in=told, channel=Channel.SMS).exists()
    # The team member who filed hears too, as the reporter.
    assert Notification.objects.filter(recipient=personas.digital_team).exists()
    client = Client()
    client.force_login(resident)
    assert client.get(f"/api/v1/helpdesk/cases/{ticket.number}").status_code == 200


@pytest.mark.django_db
def test_me_too_supporters_are_told_like_the_reporter(
    personas: Personas, commune_a: AdminUnit
) -> None:
    lat, lon = point_inside(commune_a)
    ticket = case_submit(
        reporter=personas.resident,
        draft=CaseDraft(service_code="streetlight_out", lat=lat, lon=lon),
    ).ticket
    case_support_add(ticket=ticket, user=personas.digital_team)
    lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    assert Notification.objects.filter(recipient=personas.digital_team).exists()
    assert Notification.objects.filter(recipient=personas.resident).exists()


@pytest.mark.django_db
def test_an_existing_account_is_reused_for_the_proxy_resident(
    personas: Personas, commune_b: AdminUnit
) -> None:
    ticket = case_submit(
        reporter=personas.digital_team,
        draft=CaseDraft(
            service_code="help_other",
            description="Hỏi về thủ tục",
            commune_code=commune_b.code,
            proxy=ProxyDetails(
                resident_name="Nguyễn Thị Lan",
                consent="signed_paper",
                resident_phone=personas.resident.phone,
            ),
        ),
    ).ticket
    assert ticket.proxy.resident == personas.resident


@pytest.mark.django_db
def test_notification_links_open_a_page_each_person_may_see(
    personas: Personas, commune_a: AdminUnit
) -> None:
    lat, lon = point_inside(commune_a)
    ticket = case_submit(
        reporter=personas.resident,
        draft=CaseDraft(service_code="streetlight_out", lat=lat, lon=lon),
    ).ticket
    lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    resident_link = Notification.objects.filter(recipient=personas.resident).first()
    assert resident_link is not None
    assert resident_link.link == f"/cases/{ticket.number}/"
    lifecycle.ticket_reply(ticket=ticket, by=personas.resident, body="Cảm ơn")
    officer_link = Notification.objects.filter(recipient=personas.officer_a).first()
    assert officer_link is not None
    assert officer_link.link == f"/console/cases/{ticket.number}/"


@pytest.mark.django_db
def test_supporters_are_told_the_answer_with_numbers_masked(
    personas: Personas, commune_a: AdminUnit
) -> None:
    """An answer may quote the reporter's phone: the reporter reads it, a "me too"
    supporter reads the public view of it, as on the case page."""
    lat, lon = point_inside(commune_a)
    ticket = case_submit(
        reporter=personas.resident,
        draft=CaseDraft(service_code="streetlight_out", lat=lat, lon=lon),
    ).ticket
    case_support_add(ticket=ticket, user=personas.digital_team)
    lifecycle.ticket_reply(
        ticket=ticket, by=personas.officer_a, body="Đã gọi cho chị theo số 0981 234 567."
    )
    reporter_note = Notification.objects.filter(recipient=personas.resident).latest("id")
    supporter_note = Notification.objects.filter(recipient=personas.digital_team).latest("id")
    assert "0981 234 567" in reporter_note.body
    assert "0981 234 567" not in supporter_note.body
    assert "Đã gọi cho chị theo số" in supporter_note.body


@pytest.mark.django_db
def test_supporters_are_told_by_the_public_id_and_sent_to_the_public_page(
    personas: Personas, commune_a: AdminUnit
) -> None:
    """A "me too" follower's inbox said "#TN-2026-00638" and linked /cases/TN-…:
    numbers run in sequence and tell a province's volume, which the public view
    never shows (a probe of make run). The reporter keeps the number."""
    lat, lon = point_inside(commune_a)
    ticket = case_submit(
        reporter=personas.resident,
        draft=CaseDraft(service_code="streetlight_out", lat=lat, lon=lon),
    ).ticket
    case_support_add(ticket=ticket, user=personas.digital_team)
    lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    lifecycle.ticket_reply(ticket=ticket, by=personas.officer_a, body="Sẽ sửa trong tuần")
    told = list(Notification.objects.filter(recipient=personas.digital_team))
    assert len(told) == 2
    for note in told:
        assert ticket.number not in f"{note.title} {note.body} {note.link}"
        assert note.link == f"/reports/{ticket.public_id}/"
        assert ticket.public_id in note.title
    own = Notification.objects.filter(recipient=personas.resident).latest("id")
    assert ticket.number in own.title
    assert own.link == f"/cases/{ticket.number}/"


@pytest.mark.django_db
def test_a_follower_of_a_declined_or_merged_case_gets_no_dead_link_and_no_number(
    personas: Personas, commune_a: AdminUnit
) -> None:
    """The public page of a declined case is gone (404), so a link there was
    dead; a merge named the original by its case number (a second read)."""
    lat, lon = point_inside(commune_a)

    def filed() -> Ticket:
        draft = CaseDraft(service_code="streetlight_out", lat=lat, lon=lon)
        ticket = case_submit(reporter=personas.resident, draft=draft).ticket
        case_support_add(ticket=ticket, user=personas.digital_team)
        return ticket

    declined, merged, original = filed(), filed(), filed()
    lifecycle.ticket_reject(ticket=declined, by=personas.officer_a, reason="Không thuộc xã")
    lifecycle.ticket_mark_duplicate(ticket=merged, by=personas.officer_a, original=original)
    notes = Notification.objects.filter(recipient=personas.digital_team).order_by("id")
    told_declined, told_merged = notes.filter(link__in=["", f"/reports/{original.public_id}/"])
    assert told_declined.link == ""
    assert declined.public_id in told_declined.title
    assert told_merged.link == f"/reports/{original.public_id}/"
    assert original.public_id in told_merged.body
    for note in notes:
        for case in (declined, merged, original):
            assert case.number not in f"{note.title} {note.body} {note.link}"


@pytest.mark.django_db
def test_who_follows_a_case_comes_in_three_parts_from_two_queries(
    personas: Personas, commune_a: AdminUnit, django_assert_num_queries: Any
) -> None:
    """Staff read internal notes, owners the whole case, supporters its public view:
    each person is told what their part may read (helpdesk/notify.py)."""
    ticket = case_filed_for_a_resident(
        team_member=personas.digital_team, commune=commune_a, phone="0987 111 333"
    )
    filed_for = ticket.proxy.resident
    assert filed_for is not None
    case_support_add(ticket=ticket, user=personas.resident)
    lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    ticket.refresh_from_db()
    officers = set(
        DepartmentMembership.objects.filter(department=ticket.department).values_list(
            "user_id", flat=True
        )
    )
    assert personas.officer_a.pk in officers
    with django_assert_num_queries(2):
        followers = case_followers(ticket)
    assert followers.staff == officers
    assert followers.owners == {personas.digital_team.pk, filed_for.pk}
    assert followers.supporters == {personas.resident.pk}
    assert followers.everyone == officers | {
        personas.digital_team.pk,
        filed_for.pk,
        personas.resident.pk,
    }
    # An internal note: only the staff, in one query.
    with django_assert_num_queries(1):
        staff_only = case_followers(ticket, residents=False)
    assert staff_only.staff == officers
    assert staff_only.everyone == officers
    # What only the staff and the owners are told (a photo lost): no supporters read.
    with CaptureQueriesContext(connection) as read:
        no_supporters = case_followers(ticket, supporters=False)
    assert len(read.captured_queries) == 2
    assert not [q for q in read.captured_queries if "helpdesk_casesupport" in q["sql"]]
    assert no_supporters.owners == followers.owners
    assert no_supporters.supporters == frozenset()


@pytest.mark.django_db
def test_an_assignee_follows_while_their_roles_let_them_manage_the_case(
    personas: Personas, commune_a: AdminUnit
) -> None:
    ticket = case_file(
        reporter=personas.resident, commune=commune_a, service_code="streetlight_out"
    )
    assert ticket.department is not None
    gone = user_create(full_name="Lê Văn Cũ", is_active=False)
    role_grant(user=gone, role=Role.OFFICER, unit=commune_a, departments=(ticket.department,))
    # Assigned from the province office: its administrator manages the case.
    ticket.assignee = personas.province_admin
    followers = case_followers(ticket)
    assert gone.pk not in followers.everyone
    assert personas.province_admin.pk in followers.staff
    assert followers.owners == {personas.resident.pk}
    assert followers.supporters == frozenset()
    # Someone with no role at all is told nothing as staff, assignee or not.
    outsider = user_create(full_name="Phạm Thị Hoa")
    ticket.assignee = outsider
    assert outsider.pk not in case_followers(ticket).everyone


@pytest.mark.django_db
def test_an_officer_whose_role_was_taken_away_is_told_nothing_more(
    personas: Personas, commune_a: AdminUnit
) -> None:
    """Found by probing make run: with the officer's role deleted and the seat
    (and the assignment) left, internal notes and the resident's unmasked
    replies still reached their inbox; and they could still be given cases."""
    ticket = case_file(
        reporter=personas.resident, commune=commune_a, service_code="streetlight_out"
    )
    assert ticket.department is not None
    former = user_create(full_name="Đỗ Văn Cựu")
    role = role_grant(
        user=former, role=Role.OFFICER, unit=commune_a, departments=(ticket.department,)
    )
    lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a, assignee=former)
    ticket.refresh_from_db()
    assert ticket.assignee_id == former.pk
    assert former.pk in case_followers(ticket).staff
    role.delete()  # the seat stays, and so does the assignment
    assert former.pk not in case_followers(ticket).everyone
    note = lifecycle.ticket_reply(
        ticket=ticket, by=personas.officer_a, body="Người báo tin đã gọi lại.", internal=True
    )
    assert former.pk not in _told_of(note)
    assert personas.officer_a.pk not in _told_of(note)  # not the writer either
    # Neither can the case be handed to them, by a seat alone.
    with pytest.raises(InvalidAssignee):
        lifecycle.ticket_assign(ticket=ticket, by=personas.officer_a, assignee=former)
    other = case_file(reporter=personas.resident, commune=commune_a, service_code="streetlight_out")
    with pytest.raises(InvalidAssignee):
        lifecycle.ticket_accept(ticket=other, by=personas.officer_a, assignee=former)


@pytest.mark.django_db
def test_an_internal_note_reaches_the_staff_and_no_resident(
    personas: Personas, commune_a: AdminUnit
) -> None:
    ticket = case_filed_for_a_resident(
        team_member=personas.digital_team, commune=commune_a, phone="0987 111 444"
    )
    filed_for = ticket.proxy.resident
    assert filed_for is not None
    case_support_add(ticket=ticket, user=personas.resident)
    assert ticket.department is not None
    colleague = user_create(full_name="Vũ Thị Nga")
    role_grant(user=colleague, role=Role.OFFICER, unit=commune_a, departments=(ticket.department,))
    with CaptureQueriesContext(connection) as read:
        note = lifecycle.ticket_reply(
            ticket=ticket, by=personas.officer_a, body="Gọi lại sau 5 giờ chiều.", internal=True
        )
    # Who the residents are is not even read.
    for table in ("helpdesk_casesupport", "helpdesk_proxyfiling"):
        assert not [q for q in read.captured_queries if table in q["sql"]], table
    told = _told_of(note)
    assert told == {colleague.pk}  # not the officer who wrote it, and no resident
    # The same case's public reply reaches all three residents.
    reply = lifecycle.ticket_reply(ticket=ticket, by=personas.officer_a, body="Đã tiếp nhận.")
    told = _told_of(reply)
    assert told - {colleague.pk} == {personas.digital_team.pk, filed_for.pk, personas.resident.pk}


def _told_of(event: TicketEvent) -> set[int]:
    """Who got an inbox row for ``event``."""
    rows = Notification.objects.filter(dedupe_key=f"case-event:{event.pk}")
    return set(rows.values_list("recipient_id", flat=True))


@pytest.mark.django_db
def test_a_case_transferred_meanwhile_is_not_given_to_an_officer_of_the_old_department(
    personas: Personas, commune_a: AdminUnit
) -> None:
    """From a second read: accept checked the assignee's department on the case
    as the caller had read it, before the lock; a transfer committed in between
    left the case with an officer of the department it had left."""
    ticket = case_file(
        reporter=personas.resident, commune=commune_a, service_code="streetlight_out"
    )
    stale = Ticket.objects.get(pk=ticket.pk)  # as the accepting request read it
    target = lifecycle.transfer_targets(ticket=ticket).exclude(commune=commune_a).first()
    assert target is not None
    lifecycle.ticket_transfer(
        ticket=ticket, by=personas.officer_a, department=target, reason="Không đúng địa bàn"
    )
    with pytest.raises(InvalidAssignee):
        lifecycle.ticket_accept(
            ticket=stale, by=personas.province_admin, assignee=personas.officer_a
        )
    ticket.refresh_from_db()
    assert ticket.assignee_id is None
    assert ticket.department_id == target.pk
