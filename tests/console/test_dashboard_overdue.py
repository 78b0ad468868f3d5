"""The dashboard's overdue count: open cases past their due time, in the
person's scope, each count one tap from the queue that lists the same cases."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from pytest_django import Settings

from console.selectors import dashboard_tables
from console.views.dashboard import _duration_text
from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.models import Department, Ticket
from helpdesk.permissions import scope_for
from tests.conftest import Personas
from tests.console.pages import case_in, client_as


def _late(*tickets: Ticket) -> None:
    Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(
        due_at=timezone.now() - timedelta(hours=3)
    )


def _queue_numbers(client: Client, href: str) -> set[str]:
    page = client.get(unescape(href))
    assert page.status_code == 200
    return {row.ticket.number for row in page.context["rows"]}


def _overdue_cell(content: str, heading: str) -> str:
    """The overdue cell (the fourth) of the row headed ``heading``."""
    row = content[content.index(heading) :]
    row = row[: row.index("</tr>")]
    return row.split("<td>")[3].split("</td>")[0]


@pytest.fixture
def cases(personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit) -> dict[str, Ticket]:
    """Commune A: two overdue cases (one in another department than officer A's),
    one open on time, one resolved late (closed work is not overdue); commune B:
    one overdue case nobody routed."""
    made = {
        "a_late": case_in(commune_a, personas.resident),
        "a_late_other": case_in(commune_a, personas.resident),
        "a_on_time": case_in(commune_a, personas.resident),
        "a_resolved": case_in(commune_a, personas.resident),
        "b_late": case_in(commune_b, personas.resident),
    }
    assert made["b_late"].department is None
    other = Department.objects.create(commune=commune_a, name="Văn phòng", name_en="Office")
    Ticket.objects.filter(pk=made["a_late_other"].pk).update(department=other)
    lifecycle.ticket_accept(ticket=made["a_resolved"], by=personas.officer_a)
    lifecycle.ticket_resolve(ticket=made["a_resolved"], by=personas.officer_a, note="Đã sửa")
    _late(made["a_late"], made["a_late_other"], made["a_resolved"], made["b_late"])
    return {key: Ticket.objects.get(pk=t.pk) for key, t in made.items()}


@pytest.mark.django_db
def test_each_scope_counts_only_its_own_overdue_cases(
    personas: Personas, cases: dict[str, Ticket], commune_a: AdminUnit
) -> None:
    leader = dashboard_tables(scope=scope_for(user=personas.leader_a))
    assert leader.overdue == 2
    assert [(r["commune__code"], r["open"], r["overdue"]) for r in leader.by_commune] == [
        (commune_a.code, 3, 2)
    ]
    assert {r["department"]: r["overdue"] for r in leader.by_department} == {
        cases["a_late"].department.name: 1,  # type: ignore[union-attr]
        "Văn phòng": 1,
    }
    admin = dashboard_tables(scope=scope_for(user=personas.province_admin))
    assert admin.overdue == 3
    assert sorted(r["overdue"] for r in admin.by_commune) == [1, 2]
    # An officer's count is their department's (the dashboard is not theirs,
    # but the rule is the queue's own, which serves them too).
    officer = dashboard_tables(scope=scope_for(user=personas.officer_a))
    assert officer.overdue == 1
    assert [r["overdue"] for r in officer.by_department] == [1]


@pytest.mark.django_db
def test_the_total_opens_the_queue_of_overdue_cases(
    personas: Personas, cases: dict[str, Ticket]
) -> None:
    client = client_as(personas, "leader_a")
    content = client.get(reverse("console:dashboard")).content.decode()
    href = f"{reverse('console:queue')}?overdue=on"
    assert f'<a class="sla-overdue" href="{href}">2 open cases are past their due time.</a>' in (
        content
    )
    assert _queue_numbers(client, href) == {cases["a_late"].number, cases["a_late_other"].number}


@pytest.mark.django_db
def test_each_rows_count_opens_the_queue_of_that_rows_overdue_cases(
    personas: Personas, cases: dict[str, Ticket], commune_a: AdminUnit, commune_b: AdminUnit
) -> None:
    client = client_as(personas, "province_admin")
    by_commune = client.get(reverse("console:dashboard")).content.decode()
    for commune, numbers in (
        (commune_a, {cases["a_late"].number, cases["a_late_other"].number}),
        (commune_b, {cases["b_late"].number}),
    ):
        cell = _overdue_cell(by_commune, f">{commune.name_en}</a></th>")
        href = cell.split('href="')[1].split('"')[0]
        assert _queue_numbers(client, href) == numbers
    assert commune_b.code
    departments = client.get(reverse("console:dashboard"), {"commune": commune_b.code})
    cell = _overdue_cell(departments.content.decode(), "Unrouted<small>")
    href = cell.split('href="')[1].split('"')[0]
    assert "unrouted=on" in href
    assert _queue_numbers(client, href) == {cases["b_late"].number}
    assert commune_a.code
    departments = client.get(reverse("console:dashboard"), {"commune": commune_a.code})
    cell = _overdue_cell(departments.content.decode(), "Office<small>")
    href = cell.split('href="')[1].split('"')[0]
    assert _queue_numbers(client, href) == {cases["a_late_other"].number}


@pytest.mark.django_db
def test_no_overdue_case_is_said_and_a_zero_links_nowhere(
    personas: Personas, commune_a: AdminUnit
) -> None:
    case_in(commune_a, personas.resident)
    content = client_as(personas, "leader_a").get(reverse("console:dashboard")).content.decode()
    assert "No open case is past its due time." in content
    assert _overdue_cell(content, f"{commune_a.name_en}</th>") == "0"


@pytest.mark.django_db
def test_the_overdue_count_reads_in_vietnamese(
    personas: Personas, cases: dict[str, Ticket]
) -> None:
    client = Client()  # no Accept-Language: the site's Vietnamese
    client.force_login(personas.leader_a)
    content = client.get(reverse("console:dashboard")).content.decode()
    assert "2 hồ sơ đang mở đã quá hạn xử lý." in content
    assert '<th scope="col">Quá hạn</th>' in content


def test_durations_group_thousands_as_the_page_s_whole_numbers(settings: Settings) -> None:
    """One writer per page (not number_format per row), grouping as the
    integer cells beside it do."""
    from console.views import dashboard  # _tenths_text is new: the others fail on their own

    settings.USE_THOUSAND_SEPARATOR = True
    with translation.override("vi"):
        assert _duration_text(timedelta(days=1234, hours=12)) == "1.234,5 ngày"
    tenths_text = dashboard._tenths_text
    tenths = tenths_text(decimal=",", grouped="")
    assert [tenths(2.5), tenths(4.0), tenths(1234.5)] == ["2,5", "4", "1234,5"]
    assert tenths_text(decimal=".", grouped=",")(1234.0) == "1,234"
