"""The case API: shapes, error codes, and the permission matrix per persona."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from geo.models import AdminUnit
from helpdesk.models import Ticket, TicketStatus
from tests.conftest import Personas
from tests.factories import point_inside

API = "/api/v1/helpdesk"


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def filed(personas: Personas, commune_a: AdminUnit) -> Ticket:
    lat, lon = point_inside(commune_a)
    response = _client(personas.resident).post(
        "/api/v1/reports/cases",
        {"service": "streetlight_out", "description": "Ổ gà", "lat": lat, "lon": lon},
    )
    assert response.status_code == 201, response.content
    return Ticket.objects.get(number=response.json()["case"]["number"])


@pytest.mark.django_db
def test_catalogue_is_public_and_in_the_request_language() -> None:
    vi = Client(headers={"accept-language": "vi"}).get(f"{API}/services").json()
    en = Client(headers={"accept-language": "en"}).get(f"{API}/services").json()
    assert {"Đường hư hỏng, ổ gà", "Road damage or pothole"} == {
        next(s["name"] for s in vi if s["code"] == "road_damage"),
        next(s["name"] for s in en if s["code"] == "road_damage"),
    }


@pytest.mark.django_db
def test_filing_answers_with_number_commune_department_and_due_time(
    filed: Ticket, personas: Personas
) -> None:
    body = _client(personas.resident).get(f"{API}/cases/{filed.number}").json()
    assert body["case"]["commune"]["code"] == "05443"
    assert body["case"]["department"]
    assert body["case"]["due_at"]
    assert [e["kind"] for e in body["events"]] == ["created"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("resident", 200),  # the reporter
        ("digital_team", 404),  # another resident must not learn the case exists
        ("officer_a", 200),
        ("officer_b", 404),  # nor an officer of another commune (numbers run in sequence)
        ("leader_a", 200),
        ("province_admin", 200),
    ],
)
def test_case_detail_permission_matrix(
    filed: Ticket, personas: Personas, who: str, status: int
) -> None:
    user = None if who == "anonymous" else getattr(personas, who)
    response = _client(user).get(f"{API}/cases/{filed.number}")
    assert response.status_code == status
    if status != 200:
        assert "Ổ gà" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("resident", 403),
        ("digital_team", 404),
        ("officer_a", 200),
        ("officer_b", 404),
        ("leader_a", 200),
        ("province_admin", 200),
    ],
)
def test_accept_permission_matrix(filed: Ticket, personas: Personas, who: str, status: int) -> None:
    user = None if who == "anonymous" else getattr(personas, who)
    response = _client(user).post(
        f"{API}/cases/{filed.number}/accept", {}, content_type="application/json"
    )
    assert response.status_code == status
    filed.refresh_from_db()
    expected = TicketStatus.ACCEPTED if status == 200 else TicketStatus.NEW
    assert filed.status == expected


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["accept", "assign"])
def test_a_number_with_no_account_is_refused_as_a_resident_s_number_is(
    filed: Ticket, personas: Personas, path: str
) -> None:
    """Found by probing make run: accept answered 422 for a resident's number but
    took a number with no account as "assign it to me" (200), which told the
    officer whether the number had an account, and took a mistyped number as
    theirs."""
    officer = _client(personas.officer_a)
    if path == "assign":
        officer.post(f"{API}/cases/{filed.number}/accept", {}, content_type="application/json")
    answers = [
        officer.post(
            f"{API}/cases/{filed.number}/{path}",
            {"assignee_phone": phone},
            content_type="application/json",
            headers={"Accept-Language": "en"},
        )
        for phone in (personas.resident.phone, "0987 123 123")
    ]
    assert [a.status_code for a in answers] == [422, 422]
    assert answers[0].json() == answers[1].json()
    assert answers[0].json()["code"] == "invalid_assignee"
    filed.refresh_from_db()
    assert filed.assignee_id == (personas.officer_a.pk if path == "assign" else None)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["accept", "assign"])
def test_who_may_be_given_a_case_is_told_only_to_its_staff(
    filed: Ticket, personas: Personas, path: str
) -> None:
    """A second read found the phone number looked up before the caller's right:
    a resident could tell an officer's number from another by the answer. Now
    every number gets the same refusal for anyone who may not give the case."""
    for who in ("resident", "officer_b"):
        client = _client(getattr(personas, who))
        answers = {
            client.post(
                f"{API}/cases/{filed.number}/{path}",
                {"assignee_phone": phone},
                content_type="application/json",
            ).status_code
            for phone in (personas.officer_a.phone, personas.leader_a.phone, "0987 123 123")
        }
        assert len(answers) == 1, (who, answers)
        assert answers <= {403, 404}
    filed.refresh_from_db()
    assert filed.assignee_id is None


@pytest.mark.django_db
def test_illegal_transition_is_409_with_the_allowed_moves(
    filed: Ticket, personas: Personas
) -> None:
    response = _client(personas.officer_a).post(
        f"{API}/cases/{filed.number}/resolve", {"body": "xong"}
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "illegal_transition"
    assert "accepted" in body["details"]["allowed"]


@pytest.mark.django_db
def test_internal_notes_never_reach_the_resident(filed: Ticket, personas: Personas) -> None:
    officer = _client(personas.officer_a)
    officer.post(f"{API}/cases/{filed.number}/note", {"body": "Bí mật nội bộ"})
    officer.post(f"{API}/cases/{filed.number}/reply", {"body": "Chúng tôi đã nhận"})
    resident_view = _client(personas.resident).get(f"{API}/cases/{filed.number}").json()
    officer_view = officer.get(f"{API}/cases/{filed.number}").json()
    assert "Bí mật nội bộ" not in str(resident_view)
    assert "Chúng tôi đã nhận" in str(resident_view)
    assert "Bí mật nội bộ" in str(officer_view)


@pytest.mark.django_db
def test_catch_up_returns_only_events_after_the_given_id(filed: Ticket, personas: Personas) -> None:
    officer = _client(personas.officer_a)
    first = officer.get(f"{API}/cases/{filed.number}").json()["events"][-1]["id"]
    officer.post(f"{API}/cases/{filed.number}/accept", {}, content_type="application/json")
    officer.post(f"{API}/cases/{filed.number}/start", {}, content_type="application/json")
    later = officer.get(f"{API}/cases/{filed.number}", {"after": first}).json()["events"]
    assert [e["to_status"] for e in later] == ["accepted", "in_progress"]


@pytest.mark.django_db
def test_queue_lists_only_cases_in_scope_with_bounded_queries(
    personas: Personas, commune_a: AdminUnit, django_assert_max_num_queries: object
) -> None:
    lat, lon = point_inside(commune_a)
    resident = _client(personas.resident)
    for _ in range(12):
        resident.post(
            "/api/v1/reports/cases", {"service": "streetlight_out", "lat": lat, "lon": lon}
        )
    officer = _client(personas.officer_a)
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        response = officer.get(f"{API}/cases", {"limit": 50})
    assert response.json()["count"] == 12
    other = _client(personas.officer_b).get(f"{API}/cases").json()
    assert other["count"] == 0
    mine = resident.get(f"{API}/cases").json()
    assert mine["count"] == 12
