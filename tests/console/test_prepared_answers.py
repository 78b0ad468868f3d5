"""Prepared answers in the console (helpdesk/prepared_answers.py): officers
read their departments' answers whole before choosing one; a commune's
leader and the province administrator write them; everyone else is turned
away; every change is on the audit trail."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from audit.models import AuditAction, AuditEntry
from geo.models import AdminUnit
from helpdesk.models import CannedResponse, Department, DepartmentType
from tests import factories
from tests.conftest import Personas
from tests.console.pages import case_in, client_as

URL = reverse("console:answers")


def _department_a(commune_a: AdminUnit) -> Department:
    return factories.department_create(commune=commune_a)


def _answer(department: Department, title: str = "Đã chuyển đội vệ sinh") -> CannedResponse:
    return CannedResponse.objects.create(
        department=department, title=title, body="Chúng tôi đã báo đội vệ sinh.\nXin cảm ơn."
    )


@pytest.mark.django_db
def test_an_officer_reads_their_departments_answers_whole_and_cannot_write_them(
    personas: Personas, commune_a: AdminUnit
) -> None:
    answer = _answer(_department_a(commune_a))
    client = client_as(personas, "officer_a")
    page = client.get(URL)
    assert page.status_code == 200
    body = page.content.decode()
    assert answer.title in body
    assert "Chúng tôi đã báo đội vệ sinh.<br>Xin cảm ơn." in body
    assert page.context["form"] is None
    assert reverse("console:answer-edit", args=[answer.pk]) not in body
    refused = client.post(f"{URL}?department={answer.department_id}", {"title": "x", "body": "y"})
    assert refused.status_code == 403
    assert client.post(reverse("console:answer-delete", args=[answer.pk])).status_code == 404
    assert CannedResponse.objects.filter(pk=answer.pk).exists()


@pytest.mark.django_db
def test_an_officer_is_not_shown_another_communes_answers(
    personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit
) -> None:
    other = _answer(factories.department_create(commune=commune_b), title="Của xã khác")
    page = client_as(personas, "officer_a").get(f"{URL}?department={other.department_id}")
    assert page.status_code == 200
    assert "Của xã khác" not in page.content.decode()
    assert page.context["department"] == _department_a(commune_a)


@pytest.mark.django_db
def test_a_leader_adds_changes_and_deletes_an_answer_and_the_trail_says_so(
    personas: Personas, commune_a: AdminUnit
) -> None:
    department = _department_a(commune_a)
    client = client_as(personas, "leader_a")
    added = client.post(
        f"{URL}?department={department.pk}",
        {"title": "Hẹn lịch kiểm tra", "body": "Cán bộ sẽ đến kiểm tra trong tuần."},
    )
    assert added.status_code == 302
    answer = CannedResponse.objects.get(department=department, title="Hẹn lịch kiểm tra")
    # A resend of the same form (a double tap) adds nothing.
    again = client.post(
        f"{URL}?department={department.pk}",
        {"title": "Hẹn lịch kiểm tra", "body": "Cán bộ sẽ đến kiểm tra trong tuần."},
        headers={"accept-language": "en"},
    )
    assert again.status_code == 422
    assert "already has an answer with this title" in again.content.decode()
    assert CannedResponse.objects.filter(department=department).count() == 1

    edit = reverse("console:answer-edit", args=[answer.pk])
    assert client.get(edit).status_code == 200
    changed = client.post(edit, {"title": "Hẹn lịch kiểm tra", "body": "Trong 3 ngày."})
    assert changed.status_code == 302
    answer.refresh_from_db()
    assert answer.body == "Trong 3 ngày."

    deleted = client.post(reverse("console:answer-delete", args=[answer.pk]))
    assert deleted.status_code == 302
    assert not CannedResponse.objects.filter(pk=answer.pk).exists()

    trail = AuditEntry.objects.filter(action__startswith="answer.").order_by("id")
    assert [entry.action for entry in trail] == [
        AuditAction.ANSWER_ADD,
        AuditAction.ANSWER_CHANGE,
        AuditAction.ANSWER_DELETE,
    ]
    assert {entry.province_id for entry in trail} == {commune_a.parent_id}
    assert all(entry.actor_id == personas.leader_a.pk for entry in trail)
    # Which field changed, not the words; whose answer it was, even once deleted.
    assert trail[1].changes == {"department": department.pk, "fields": {"body": ["•••", "•••"]}}
    assert trail[2].changes == {"department": department.pk}
    page = client_as(personas, "province_admin").get(reverse("console:audit"))
    lines = {line for row in page.context["rows"] for line in row["changes"]}
    commune = commune_a.name_en or commune_a.name
    assert f"Department: {commune} — {department.name}" in lines
    assert "Text: (hidden) → (hidden)" in lines


@pytest.mark.django_db
def test_a_leader_cannot_write_another_communes_answers(
    personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit
) -> None:
    other = _answer(factories.department_create(commune=commune_b))
    client = client_as(personas, "leader_a")
    # An answer posted for another commune's department is refused, not saved
    # into the leader's own first department (a walk saw "saved").
    for asked in (f"?department={other.department_id}", "?department=abc", ""):
        refused = client.post(f"{URL}{asked}", {"title": "Lạc chỗ", "body": "x"})
        assert refused.status_code == 404, asked
    assert not CannedResponse.objects.filter(title="Lạc chỗ").exists()
    assert client.get(reverse("console:answer-edit", args=[other.pk])).status_code == 404
    assert client.post(reverse("console:answer-delete", args=[other.pk])).status_code == 404
    refused = client.post(
        reverse("console:answer-edit", args=[other.pk]), {"title": "x", "body": "y"}
    )
    assert refused.status_code == 404
    other.refresh_from_db()
    assert other.title == "Đã chuyển đội vệ sinh"


@pytest.mark.django_db
def test_the_province_administrator_writes_any_communes_answers_of_the_province(
    personas: Personas, commune_b: AdminUnit
) -> None:
    department = factories.department_create(commune=commune_b)
    client = client_as(personas, "province_admin")
    page = client.get(f"{URL}?department={department.pk}")
    assert page.context["form"] is not None
    added = client.post(
        f"{URL}?department={department.pk}", {"title": "Đã tiếp nhận", "body": "Xin chờ."}
    )
    assert added.status_code == 302
    assert CannedResponse.objects.filter(department=department, title="Đã tiếp nhận").exists()


@pytest.mark.django_db
def test_a_refused_answer_says_what_to_write_in_vietnamese(
    personas: Personas, commune_a: AdminUnit
) -> None:
    department = _department_a(commune_a)
    client = Client(headers={"accept-language": "vi"})
    client.force_login(personas.leader_a)
    page = client.post(f"{URL}?department={department.pk}", {"title": " ", "body": ""})
    assert page.status_code == 422
    body = page.content.decode()
    assert "error-summary" in body
    assert not CannedResponse.objects.filter(department=department).exists()
    for sentence in ("Hãy đặt một tiêu đề ngắn cho câu trả lời.", "Hãy viết nội dung câu trả lời."):
        assert sentence in body


@pytest.mark.django_db
def test_residents_are_turned_away(personas: Personas) -> None:
    assert client_as(personas, "resident").get(URL).status_code == 403


@pytest.mark.django_db
def test_the_reply_form_links_to_the_answers_it_offers(
    personas: Personas, commune_a: AdminUnit
) -> None:
    answer = _answer(_department_a(commune_a))
    ticket = case_in(commune_a, personas.resident)
    assert ticket.department_id == answer.department_id
    page = client_as(personas, "officer_a").get(
        reverse("console:ticket-detail", args=[ticket.number])
    )
    # In a new tab: the reply being typed stays where it is.
    assert (
        f'href="{URL}?department={answer.department_id}" target="_blank" rel="noopener"'
        in page.content.decode()
    )


@pytest.mark.django_db
def test_a_reply_says_what_went_wrong_with_its_prepared_answer(
    personas: Personas, commune_a: AdminUnit
) -> None:
    """Two refusals a walk met: an answer deleted while the page was open
    ("select a valid choice"), and a reply too long once the answer counts
    ("at most 4000 characters", of words that were 1,500)."""
    answer = CannedResponse.objects.create(
        department=_department_a(commune_a), title="Dài", body="x" * 3000
    )
    other = _answer(_department_a(commune_a), title="Khác")
    ticket = case_in(commune_a, personas.resident)
    client = client_as(personas, "officer_a")
    url = reverse("console:ticket-action", args=[ticket.number, "reply"])
    long = client.post(url, {"reply-body": "y" * 1500, "reply-canned": answer.pk})
    assert long.status_code == 422
    assert "shorten your words by 502 characters" in long.content.decode()
    deleted = other.pk
    other.delete()
    gone = client.post(url, {"reply-body": "Đã xem", "reply-canned": deleted})
    assert gone.status_code == 422
    assert "This prepared answer was just changed or deleted." in gone.content.decode()
    assert not ticket.events.filter(kind="reply").exists()


@pytest.mark.django_db
def test_leaders_reach_the_answers_from_the_dashboard(personas: Personas) -> None:
    page = client_as(personas, "leader_a").get(reverse("console:dashboard"))
    assert f'href="{URL}"' in page.content.decode()


@pytest.mark.django_db
def test_delete_is_a_second_step_on_the_edit_page(personas: Personas, commune_a: AdminUnit) -> None:
    """A Delete button beside Edit removed an answer at one slip of the thumb
    (a second read): the list offers Edit only, the edit page deletes."""
    answer = _answer(_department_a(commune_a))
    client = client_as(personas, "leader_a")
    listed = client.get(f"{URL}?department={answer.department_id}").content.decode()
    delete = reverse("console:answer-delete", args=[answer.pk])
    assert delete not in listed
    # The form to add one posts to this department's list.
    assert f'action="?department={answer.department_id}"' in listed
    assert reverse("console:answer-edit", args=[answer.pk]) in listed
    assert (
        f'action="{delete}"'
        in client.get(reverse("console:answer-edit", args=[answer.pk])).content.decode()
    )


@pytest.mark.django_db
def test_the_departments_are_read_once_when_none_is_chosen(
    personas: Personas, commune_a: AdminUnit
) -> None:
    _answer(_department_a(commune_a))
    client = client_as(personas, "province_admin")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    # The list of departments: the one query of them that is not a lookup of one.
    listing = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT "helpdesk_department"') and "LIMIT" not in q["sql"]
    ]
    assert len(listing) == 1, listing


@pytest.mark.django_db
def test_a_leader_lands_on_the_department_that_has_answers(
    personas: Personas, commune_a: AdminUnit
) -> None:
    """A leader works in no department: the page opened on the first by name
    (the police liaison), and a walk's answers went there unnoticed."""
    factories.department_create(commune=commune_a, department_type=DepartmentType.POLICE_LIAISON)
    answered = _answer(_department_a(commune_a))
    page = client_as(personas, "leader_a").get(URL)
    assert page.context["department"].pk == answered.department_id


# --- Choosing the department: its province, then its commune ---------------------


def _departments_in_every_commune() -> None:
    """Five departments in each of the test provinces' 157 communes: 785, as
    the country's 3,321 communes hold 16,600."""
    communes = AdminUnit.objects.filter(level=AdminUnit.Level.COMMUNE)
    Department.objects.bulk_create(
        [
            Department(commune=commune, department_type=kind, name=f"{kind.label} {commune.name}")
            for commune in communes
            for kind in DepartmentType
        ],
        ignore_conflicts=True,
    )


def _lang_son_department() -> Department:
    commune = AdminUnit.objects.filter(level=AdminUnit.Level.COMMUNE, parent__code="20").first()
    assert commune is not None
    return factories.department_create(commune=commune)


def _options(content: bytes) -> int:
    return content.decode().count("<option")


def _queries(client: Client, url: str = URL) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


@pytest.mark.django_db
def test_a_superuser_chooses_a_province_and_a_commune_not_among_every_department(
    personas: Personas, superuser: User
) -> None:
    """The list held every department the superuser may read, 16,600 in the
    country (a usability walk): now the province's communes and the commune's
    departments, in as many queries however many there are."""
    answered = _answer(_lang_son_department(), title="Đã nhận")
    client = Client(headers={"accept-language": "en"})
    client.force_login(superuser)
    before = _queries(client)
    _departments_in_every_commune()
    assert Department.objects.count() > 780
    assert _queries(client) == before

    page = client.get(URL)
    # 2 provinces, Lạng Sơn's 65 communes, 5 departments: not 785.
    assert _options(page.content) == 2 + 65 + 5
    # The department with answers, chosen in its province (Lạng Sơn) and commune.
    assert page.context["department"] == answered.department
    chooser = page.context["chooser"]
    assert chooser["province"].value() == "20"
    assert chooser["commune"].value() == answered.department.commune.code
    assert [code for code, _name in chooser.fields["province"].choices] == ["20", "19"]
    lang_son = AdminUnit.objects.filter(level=AdminUnit.Level.COMMUNE, parent__code="20")
    communes = {code for code, _name in chooser.fields["commune"].choices}
    assert communes == set(lang_son.values_list("code", flat=True))
    assert len(chooser.fields["department"].choices) == 5
    assert answered.title in page.content.decode()


@pytest.mark.django_db
def test_a_province_chosen_anew_opens_on_one_of_its_communes(
    personas: Personas, superuser: User, commune_a: AdminUnit, commune_b: AdminUnit
) -> None:
    """Show sends every list: a province (or commune) chosen anew wins over
    the commune and department still chosen below it from the last one."""
    _departments_in_every_commune()
    elsewhere = _lang_son_department()
    answered = _answer(_department_a(commune_a))
    client = Client(headers={"accept-language": "en"})
    client.force_login(superuser)
    stale = f"commune={elsewhere.commune.code}&department={elsewhere.pk}"
    page = client.get(f"{URL}?province=19&{stale}")
    # Thái Nguyên's department with answers, in Phan Đình Phùng.
    assert page.context["department"] == answered.department
    page = client.get(f"{URL}?province=19&commune={commune_b.code}&department={answered.pk}")
    assert page.context["department"].commune == commune_b
    # A department asked for alone (the reply form's link, a saved answer's
    # return): its province and commune are chosen with it.
    page = client.get(f"{URL}?department={elsewhere.pk}")
    assert page.context["department"] == elsewhere
    assert page.context["chooser"]["province"].value() == "20"
    # A commune asked for alone: in its province.
    page = client.get(f"{URL}?commune={commune_b.code}")
    assert page.context["department"].commune == commune_b
    assert page.context["chooser"]["province"].value() == "19"


@pytest.mark.django_db
def test_the_lists_hold_only_the_places_the_person_reads(
    personas: Personas, commune_a: AdminUnit
) -> None:
    """The scope rules are those of helpdesk/prepared_answers.py: the lists
    only arrange them."""
    _departments_in_every_commune()
    elsewhere = _lang_son_department()
    thai_nguyen = AdminUnit.objects.filter(level=AdminUnit.Level.COMMUNE, parent__code="19")

    admin = client_as(personas, "province_admin")
    page = admin.get(f"{URL}?province=20&commune={elsewhere.commune.code}")
    chooser = page.context["chooser"]
    assert "province" not in chooser.fields  # one province: nothing to choose
    communes = {code for code, _name in chooser.fields["commune"].choices}
    assert communes == set(thai_nguyen.values_list("code", flat=True))
    assert page.context["department"].commune.parent.code == "19"
    assert _options(page.content) == 92 + 5

    for name in ("officer_a", "leader_a"):
        page = client_as(personas, name).get(f"{URL}?commune={elsewhere.commune.code}")
        chooser = page.context["chooser"]
        # One commune: its departments alone.
        assert set(chooser.fields) == {"department"}, name
        assert page.context["department"].commune == commune_a
    officer = client_as(personas, "officer_a").get(URL).context["chooser"]
    assert [pk for pk, _name in officer.fields["department"].choices] == [
        _department_a(commune_a).pk
    ]
    leader = client_as(personas, "leader_a").get(URL).context["chooser"]
    assert len(leader.fields["department"].choices) == 5


@pytest.mark.django_db
def test_a_superuser_adds_an_answer_to_the_department_chosen(
    personas: Personas, superuser: User
) -> None:
    _departments_in_every_commune()
    department = _lang_son_department()
    client = Client(headers={"accept-language": "en"})
    client.force_login(superuser)
    added = client.post(
        f"{URL}?department={department.pk}", {"title": "Đã tiếp nhận", "body": "Xin chờ."}
    )
    assert added.status_code == 302
    assert CannedResponse.objects.filter(department=department, title="Đã tiếp nhận").exists()
