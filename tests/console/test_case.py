"""The case page and its actions: who sees and changes which case, what each action does."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from accounts.phones import phone_display
from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.models import Department, DepartmentType, Ticket, TicketEvent
from tests import factories
from tests.conftest import Personas
from tests.console.pages import (
    ALLOWED,
    PERSONAS,
    S,
    assert_refused,
    case_in,
    client_as,
)
from tests.races import race_while_held


@pytest.mark.django_db
@pytest.mark.parametrize("name", PERSONAS)
def test_ticket_page_shows_case_and_reporter_only_to_staff_in_scope(
    personas: Personas, ticket_a: Ticket, name: str
) -> None:
    lifecycle.ticket_reply(
        ticket=ticket_a, by=personas.officer_a, body="Ghi chú nội bộ", internal=True
    )
    url = reverse("console:ticket-detail", args=[ticket_a.number])
    response = client_as(personas, name).get(url)
    content = response.content.decode()
    if name in ALLOWED:
        assert response.status_code == 200
        assert personas.resident.phone in content  # the tel: link
        # Written as people write it, as the queue's search says it (a walk).
        assert f">{phone_display(personas.resident.phone)}</a>" in content
        assert "Ghi chú nội bộ" in content
        assert ticket_a.description in content
    else:
        assert_refused(response, name, case=True)
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
    url = reverse("console:ticket-live", args=[ticket_a.number])
    response = client_as(personas, name).get(url)
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
        assert_refused(response, name, case=True)
        assert personas.resident.phone not in content
        assert "Ghi chú nội bộ" not in content


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
        return {"duplicate-original": case_in(commune_a, personas.resident).number}
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
    url = reverse("console:ticket-action", args=[ticket_a.number, action])
    response = client_as(personas, name).post(url, data)
    ticket_a.refresh_from_db()
    if name in ALLOWED:
        assert response.status_code == 302, response.content.decode()
        # Back to the case at the act's result, unless the act took it out of
        # their scope (officer A handles the economy department, not the one
        # it was sent to).
        left = (action, name) == ("transfer", "officer_a")
        back = (
            reverse("console:queue")
            if left
            else reverse("console:ticket-detail", args=[ticket_a.number]) + "#messages"
        )
        assert response["Location"] == back
        status, kind = EXPECTED[action]
        assert ticket_a.status == status
        assert ticket_a.events.count() == before + 1
        assert ticket_a.events.order_by("-id")[0].kind == kind
    else:
        assert_refused(response, name, case=True)
        assert personas.resident.phone not in response.content.decode()
        assert ticket_a.status == status_before
        assert ticket_a.events.count() == before


@pytest.mark.django_db
def test_action_shows_success_message_after_redirect(personas: Personas, ticket_a: Ticket) -> None:
    client = client_as(personas, "officer_a")
    url = reverse("console:ticket-action", args=[ticket_a.number, "accept"])
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
    url = reverse("console:ticket-action", args=[ticket_a.number, "start"])
    response = client_as(personas, "officer_a").post(url)
    assert response.status_code == 409
    assert "This step cannot be done: the case is now “New”." in response.content.decode()
    ticket_a.refresh_from_db()
    assert ticket_a.status == S.NEW


@pytest.mark.django_db
def test_missing_reason_returns_422_and_keeps_case(personas: Personas, ticket_a: Ticket) -> None:
    url = reverse("console:ticket-action", args=[ticket_a.number, "reject"])
    response = client_as(personas, "officer_a").post(url, {"reject-reason": ""})
    assert response.status_code == 422
    ticket_a.refresh_from_db()
    assert ticket_a.status == S.NEW


@pytest.mark.django_db
def test_duplicate_of_case_out_of_scope_is_refused(
    personas: Personas, ticket_a: Ticket, commune_b: AdminUnit
) -> None:
    other = case_in(commune_b, personas.resident, service="vneid_account")
    url = reverse("console:ticket-action", args=[ticket_a.number, "duplicate"])
    response = client_as(personas, "officer_a").post(url, {"duplicate-original": other.number})
    assert response.status_code == 404  # the other case is not the officer's to know of
    ticket_a.refresh_from_db()
    assert ticket_a.status == S.NEW


@pytest.mark.django_db
def test_ticket_page_offers_only_moves_allowed_from_current_state(
    personas: Personas, ticket_a: Ticket
) -> None:
    client = client_as(personas, "officer_a")
    url = reverse("console:ticket-detail", args=[ticket_a.number])
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
    client = client_as(personas, "officer_a")
    response = client.get(reverse("console:ticket-detail", args=[ticket_a.number]))
    transfer = next(f for a, f in response.context["actions"] if a.name == "transfer")
    offered = set(transfer.fields["department"].queryset)
    assert Department.objects.get(commune=commune_b, department_type="public_service_centre") in (
        offered
    )
    assert inactive not in offered
    assert ticket_a.department not in offered
    assert elsewhere not in offered


@pytest.mark.django_db
def test_reply_form_leaves_out_lists_with_nothing_to_choose(
    personas: Personas, ticket_a: Ticket
) -> None:
    """A road case's department had no prepared answers and no article matched:
    both lists showed only "- Chọn -" (found by a helper walking the console)."""
    from helpdesk.models import CannedResponse

    client = client_as(personas, "officer_a")
    url = reverse("console:ticket-detail", args=[ticket_a.number])
    reply = next(f for a, f in client.get(url).context["actions"] if a.name == "reply")
    assert "canned" not in reply.fields
    assert "article" not in reply.fields
    assert ticket_a.department is not None
    CannedResponse.objects.create(department=ticket_a.department, title="Đã nhận", body="Đã nhận.")
    reply = next(f for a, f in client.get(url).context["actions"] if a.name == "reply")
    assert "canned" in reply.fields


@pytest.mark.django_db
def test_reply_form_reads_each_list_once(personas: Personas, ticket_a: Ticket) -> None:
    """Whether a list is shown and what it shows come from one read: the page
    asked exists() and then read the rows, two queries a list."""
    from django.test.utils import CaptureQueriesContext

    from helpdesk.models import CannedResponse
    from knowledge.models import Article

    assert ticket_a.department is not None
    CannedResponse.objects.create(department=ticket_a.department, title="Đã nhận", body="Đã nhận.")
    article = Article.objects.filter(is_published=True).first()
    assert article is not None
    Article.objects.filter(pk=article.pk).update(topic_code=ticket_a.service.code)
    client = client_as(personas, "officer_a")
    url = reverse("console:ticket-detail", args=[ticket_a.number])
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url)
    html = page.content.decode()
    assert "Đã nhận" in html
    assert escape(article.title_en or article.title_vi) in html  # an English page
    for table in (CannedResponse._meta.db_table, Article._meta.db_table):
        reads = [q["sql"] for q in queries if f'FROM "{table}"' in q["sql"]]
        assert len(reads) == 1, (table, reads)


@pytest.mark.django_db
def test_reply_form_speaks_the_officers_language(personas: Personas, ticket_a: Ticket) -> None:
    """English pages listed the articles' Vietnamese titles, and an empty reply
    was told to "choose a prepared answer" from a list the page did not show
    (a helper's walk)."""
    from knowledge.models import Article

    article = Article.objects.filter(is_published=True).exclude(title_en="").first()
    assert article is not None
    Article.objects.filter(pk=article.pk).update(topic_code=ticket_a.service.code)
    client = client_as(personas, "officer_a")
    page = client.get(reverse("console:ticket-detail", args=[ticket_a.number])).content.decode()
    assert f">{escape(article.title_en)}</option>" in page
    assert f">{escape(article.title_vi)}</option>" not in page
    empty = client.post(
        reverse("console:ticket-action", args=[ticket_a.number, "reply"]),
        {"reply-body": " "},
    )
    assert empty.status_code == 422
    html = empty.content.decode()
    assert "Write a reply, or add a picture or a voice answer." in html
    assert "prepared answer" not in html


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
    client = client_as(personas, "officer_a")
    url = reverse("console:ticket-action", args=[ticket_a.number, "reply"])
    response = client.post(
        url, {"reply-body": "", "reply-canned": canned.pk, "reply-article": article.pk}
    )
    assert response.status_code == 302
    reply = ticket_a.events.get(kind="reply")
    assert reply.body.startswith("Chúng tôi đã nhận phản ánh")
    assert f"/help/articles/{article.slug}/" in reply.body
    empty = client.post(url, {"reply-body": " "})
    assert empty.status_code == 422


@pytest.mark.django_db
def test_accept_pressed_twice_says_accepted_twice_and_accepts_once(
    personas: Personas, ticket_a: Ticket
) -> None:
    # The second press of a double tap used to come back as a 409 page
    # saying the case could not be accepted, right after it was.
    client = client_as(personas, "officer_a")
    url = reverse("console:ticket-action", args=[ticket_a.number, "accept"])
    for _ in range(2):
        response = client.post(url, follow=True)
        assert response.status_code == 200
        assert [str(m) for m in response.context["messages"]] == [
            "Case accepted and assigned to you."
        ]
    assert ticket_a.events.filter(kind=TicketEvent.Kind.STATUS).count() == 1


@pytest.mark.django_db
def test_a_transfer_with_no_department_chosen_sends_the_case_nowhere(
    personas: Personas, commune_a: AdminUnit, ticket_a: Ticket
) -> None:
    """The list holds the whole province and nothing is chosen at first: its first
    department (another commune's) used to be preselected, so typing a reason
    and tapping Transfer sent the case there (found by a helper on a phone)."""
    client = client_as(personas, "officer_a")
    page = client.get(reverse("console:ticket-detail", args=[ticket_a.number]))
    transfer = next(f for a, f in page.context["actions"] if a.name == "transfer")
    html = str(transfer["department"])
    assert '<option value="" selected>' in html
    data = _action_data("transfer", ticket_a, personas, commune_a)
    url = reverse("console:ticket-action", args=[ticket_a.number, "transfer"])
    answer = client.post(
        url, {**data, "transfer-department": ""}, headers={"accept-language": "en"}
    )
    assert answer.status_code == 422  # the page again, with the form's error
    assert "Choose the department to send the case to." in answer.content.decode()
    ticket_a.refresh_from_db()
    assert ticket_a.status != S.TRANSFERRED
    assert not ticket_a.events.filter(to_status=S.TRANSFERRED).exists()


@pytest.mark.django_db
def test_the_resident_is_told_where_a_transferred_case_went(
    personas: Personas, commune_a: AdminUnit, ticket_a: Ticket
) -> None:
    """A transfer told the resident nothing: its words sat in a branch of
    helpdesk/notify.py that no status change reached (a helper's walk)."""
    from notifications.models import Notification

    data = _action_data("transfer", ticket_a, personas, commune_a)
    target = Department.objects.get(pk=data["transfer-department"])
    before = set(
        Notification.objects.filter(recipient=personas.resident).values_list("pk", flat=True)
    )
    client = client_as(personas, "officer_a")
    url = reverse("console:ticket-action", args=[ticket_a.number, "transfer"])
    assert client.post(url, data).status_code == 302
    told = Notification.objects.filter(recipient=personas.resident).exclude(pk__in=before)
    assert [n.title for n in told] == [f"Hồ sơ #{ticket_a.number} đã được chuyển xử lý"]
    assert target.name in told.get().body
    # With its commune: every commune has the same five departments, so the
    # name alone read as if nothing had changed (a helper's walk).
    assert f"{target.name}, {target.commune.full_name}" in told.get().body


@pytest.mark.django_db
def test_a_transfer_out_of_scope_lands_on_the_queue_and_its_retry_is_done(
    personas: Personas, commune_a: AdminUnit, ticket_a: Ticket
) -> None:
    """The case page of a case sent away is "not found" for the sender: the
    success message used to appear on that error page, and a second tap
    answered "not found" as if the transfer had failed."""
    data = _action_data("transfer", ticket_a, personas, commune_a)
    target = Department.objects.get(pk=data["transfer-department"])
    client = client_as(personas, "officer_a")
    url = reverse("console:ticket-action", args=[ticket_a.number, "transfer"])
    # The second with the reason typed with spaces around, as the form strips it.
    for sent in (data, {**data, "transfer-reason": f"  {data['transfer-reason']} "}):
        page = client.post(url, sent, follow=True)
        assert page.status_code == 200
        assert page.redirect_chain == [(reverse("console:queue"), 302)]
        assert [str(m) for m in page.context["messages"]] == [
            f"Case {ticket_a.number} was transferred to {commune_a.name_en} — "
            f"{target.name}. It is no longer in your queue."
        ]
    assert ticket_a.events.filter(to_status=S.TRANSFERRED).count() == 1
    # Another reason is not the same transfer: the case is not theirs.
    other = client.post(url, {**data, "transfer-reason": "Lý do khác"})
    assert other.status_code == 404
    assert client.post(url, {**data, "transfer-department": "x"}).status_code == 404
    # Only a transfer is answered so: another act carrying the same fields is not.
    accept = reverse("console:ticket-action", args=[ticket_a.number, "accept"])
    assert client.post(accept, data).status_code == 404
    assert ticket_a.events.filter(to_status=S.TRANSFERRED).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["officer_a", "leader_a"])
def test_a_transfer_to_another_commune_says_where_the_case_went_on_the_queue(
    personas: Personas, commune_b: AdminUnit, ticket_a: Ticket, name: str
) -> None:
    """Sent to another commune's department, the case is no longer the
    sender's: the queue says where it went and that it left their queue (the
    case page is "not found" for them now; "Case transferred." alone left
    them looking for it in the queue)."""
    target = factories.department_create(
        commune=commune_b, department_type=DepartmentType.PUBLIC_SERVICE_CENTRE
    )
    url = reverse("console:ticket-action", args=[ticket_a.number, "transfer"])
    data = {"transfer-department": str(target.pk), "transfer-reason": "Thuộc Đại Từ"}
    client = Client(headers={"accept-language": "vi"})
    client.force_login(getattr(personas, name))
    page = client.post(url, data, follow=True)
    assert page.redirect_chain == [(reverse("console:queue"), 302)]
    said = [str(m) for m in page.context["messages"]]
    assert said == [
        f"Đã chuyển hồ sơ {ticket_a.number} cho {commune_b.name} — {target.name}. "
        "Hồ sơ không còn trong danh sách của bạn."
    ]
    assert escape(said[0]) in page.content.decode()
    ticket_a.refresh_from_db()
    assert (ticket_a.status, ticket_a.department_id) == (S.TRANSFERRED, target.pk)


@pytest.mark.django_db
def test_a_transfer_that_stays_in_scope_opens_the_case_at_its_result(
    personas: Personas, commune_b: AdminUnit, ticket_a: Ticket
) -> None:
    """The province administrator still manages a case sent to another commune."""
    target = factories.department_create(
        commune=commune_b, department_type=DepartmentType.PUBLIC_SERVICE_CENTRE
    )
    url = reverse("console:ticket-action", args=[ticket_a.number, "transfer"])
    data = {"transfer-department": str(target.pk), "transfer-reason": "Thuộc Đại Từ"}
    page = client_as(personas, "province_admin").post(url, data, follow=True)
    case_page = reverse("console:ticket-detail", args=[ticket_a.number]) + "#messages"
    assert page.redirect_chain == [(case_page, 302)]
    assert [str(m) for m in page.context["messages"]] == ["Case transferred."]


def _officer_of_economy(commune: AdminUnit) -> tuple[Client, Ticket, Department]:
    """Committed: factories.officer_with_case_beside, the officer signed in."""
    officer, ticket, centre = factories.officer_with_case_beside(commune)
    client = Client(headers={"accept-language": "en"})
    client.force_login(officer)
    return client, ticket, centre


@pytest.mark.usefixtures("committed_reference_data")
def test_two_transfers_racing_out_of_scope_both_land_on_the_queue(commune_a: AdminUnit) -> None:
    client, ticket, centre = _officer_of_economy(commune_a)
    url = reverse("console:ticket-action", args=[ticket.number, "transfer"])
    answers: list[str] = []

    def transfer() -> None:
        data = {"transfer-department": str(centre.pk), "transfer-reason": "Thuộc một cửa"}
        answers.append(client.post(url, data)["Location"])

    table = connection.ops.quote_name(Ticket._meta.db_table)
    race_while_held(
        transfer,
        hold=f"SELECT 1 FROM {table} WHERE id = %s FOR UPDATE",  # noqa: S608 - a model's own table
        params=[ticket.pk],
    )
    assert answers == [reverse("console:queue")] * 2
    assert ticket.events.filter(to_status=S.TRANSFERRED).count() == 1


@pytest.mark.usefixtures("committed_reference_data")
def test_an_act_that_waited_while_the_case_left_shows_no_case_page(commune_a: AdminUnit) -> None:
    """An accept waits at the case's lock while the case is moved to another
    department: when it gets there, the case is not the officer's. Its page
    (words, reporter, place) was shown with the error all the same."""
    client, ticket, centre = _officer_of_economy(commune_a)
    url = reverse("console:ticket-action", args=[ticket.number, "accept"])
    answers = []
    table = connection.ops.quote_name(Ticket._meta.db_table)
    race_while_held(
        lambda: answers.append(client.post(url)),
        # The move, uncommitted while the accept starts and waits behind it.
        hold=f"UPDATE {table} SET department_id = %s WHERE id = %s",  # noqa: S608 - a model's own table
        params=[centre.pk, ticket.pk],
        racers=1,
    )
    (answer,) = answers
    assert answer.status_code == 404
    content = answer.content.decode()
    assert ticket.description not in content
    assert ticket.reporter.phone not in content
    assert not ticket.events.filter(to_status=S.ACCEPTED).exists()


@pytest.mark.django_db
def test_a_step_the_case_moved_past_meanwhile_says_so_and_is_not_offered_again(
    personas: Personas, commune_a: AdminUnit, ticket_a: Ticket
) -> None:
    """Two tabs on one case: the first rejects it, the second then presses
    Resolve. The second got "not possible in the current status" with the same
    Resolve button offered again, which failed again, and never learned the
    case was rejected (a helper's walk)."""
    data = _action_data("resolve", ticket_a, personas, commune_a)
    client = client_as(personas, "officer_a")
    client.get(reverse("console:ticket-detail", args=[ticket_a.number]))  # the second tab
    lifecycle.ticket_reject(ticket=ticket_a, by=personas.officer_a, reason="Không thuộc xã")
    url = reverse("console:ticket-action", args=[ticket_a.number, "resolve"])
    page = client.post(url, data)
    assert page.status_code == 409
    assert "This step cannot be done: the case is now “Rejected”." in page.content.decode()
    assert [action.name for action, _form in page.context["actions"]] == []
    assert page.context["ticket"].status == S.REJECTED
