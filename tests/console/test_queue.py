"""The queue and its map: who sees which cases, filters, counts, pages, bounded queries."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries, Settings

from console.selectors import queue_choices, queue_choices_read
from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.models import Ticket
from helpdesk.permissions import scope_for
from helpdesk.selectors import QueueFilter, queue_counts
from tests.conftest import Personas
from tests.console.pages import (
    ALLOWED,
    PERSONAS,
    S,
    assert_refused,
    case_in,
    client_as,
)
from tests.factories import user_create


@pytest.mark.django_db
@pytest.mark.parametrize("name", PERSONAS)
def test_queue_is_for_staff_only(personas: Personas, ticket_a: Ticket, name: str) -> None:
    response = client_as(personas, name).get(reverse("console:queue"))
    if name in (*ALLOWED, "officer_b"):
        assert response.status_code == 200
        # Officer B's queue is commune B's; commune A's case is not in it.
        assert (ticket_a.number in response.content.decode()) == (name != "officer_b")
    else:
        assert_refused(response, name)
        assert ticket_a.number.encode() not in response.content


def _queue_numbers(client: Client, **params: str) -> set[str]:
    response = client.get(reverse("console:queue"), params)
    assert response.status_code == 200
    return {row.ticket.number for row in response.context["rows"]}


@pytest.mark.django_db
def test_queue_filters_overdue_unrouted_and_mine(
    personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit
) -> None:
    mine = case_in(commune_a, personas.resident)
    late = case_in(commune_a, personas.resident)
    unrouted = case_in(commune_b, personas.resident)  # commune B has no economy department
    assert unrouted.department is None
    lifecycle.ticket_accept(ticket=mine, by=personas.officer_a)
    Ticket.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=3))

    officer = client_as(personas, "officer_a")
    assert _queue_numbers(officer) == {mine.number, late.number}
    assert _queue_numbers(officer, mine="on") == {mine.number}
    assert _queue_numbers(officer, overdue="on") == {late.number}
    assert _queue_numbers(officer, status=S.ACCEPTED) == {mine.number}

    admin = client_as(personas, "province_admin")
    assert _queue_numbers(admin) == {mine.number, late.number, unrouted.number}
    assert _queue_numbers(admin, unrouted="on") == {unrouted.number}
    assert commune_b.code
    assert _queue_numbers(admin, commune=commune_b.code) == {unrouted.number}
    assert "Overdue by" in admin.get(reverse("console:queue"), {"overdue": "on"}).content.decode()


@pytest.mark.django_db
def test_queue_counts_cases_per_status(personas: Personas, commune_a: AdminUnit) -> None:
    accepted = case_in(commune_a, personas.resident)
    case_in(commune_a, personas.resident)
    lifecycle.ticket_accept(ticket=accepted, by=personas.officer_a)
    response = client_as(personas, "officer_a").get(reverse("console:queue"))
    counts = {value: n for value, _label, n in response.context["status_counts"]}
    assert (counts[S.NEW], counts[S.ACCEPTED], counts[S.CLOSED]) == (1, 1, 0)


def _filters(page: str) -> tuple[bool, str]:
    """Whether the queue's filters are open, and their summary."""
    found = re.search(r'<details class="filters"( open)?>\s*<summary>([^<]*)</summary>', page)
    assert found, page
    return bool(found[1]), found[2]


@pytest.mark.django_db
def test_the_filters_open_and_count_the_ones_chosen(
    personas: Personas, commune_a: AdminUnit
) -> None:
    """Folded, the filters leave a phone's first screen to the cases; chosen,
    they show open, and their summary says how many are on (the search and the
    page are not filters, nor is a filter left at "All")."""
    case_in(commune_a, personas.resident)
    client = client_as(personas, "officer_a")
    queue = reverse("console:queue")
    assert _filters(client.get(queue, {"q": "lan", "page": "1"}).content.decode()) == (
        False,
        "Filters",
    )
    chosen = client.get(queue, {"status": S.NEW, "overdue": "on", "q": "lan", "service": ""})
    assert _filters(chosen.content.decode()) == (True, "Filters: 2 on")
    vietnamese = Client()
    vietnamese.force_login(personas.officer_a)
    one = vietnamese.get(queue, {"mine": "on"}).content.decode()
    assert _filters(one) == (True, "Bộ lọc: đang dùng 1")
    # A status chip tapped: the chip shows it, the panel stays folded (it
    # pushed the list off a phone's screen) and still counts it.
    assert _filters(client.get(queue, {"status": S.NEW}).content.decode()) == (
        False,
        "Filters: 1 on",
    )


@pytest.mark.django_db
def test_queue_paginates_by_25(personas: Personas, commune_a: AdminUnit) -> None:
    for _ in range(26):
        case_in(commune_a, personas.resident)
    client = client_as(personas, "officer_a")
    assert len(client.get(reverse("console:queue")).context["rows"]) == 25
    assert len(client.get(reverse("console:queue"), {"page": "2"}).context["rows"]) == 1


@pytest.mark.django_db
def test_later_pages_keep_the_queue_order_and_scope(
    personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit
) -> None:
    cases = [case_in(commune_a, personas.resident) for _ in range(27)]
    case_in(commune_b, personas.resident)  # not officer A's
    # Due times out of filing order, so the order comes from the query.
    now = timezone.now()
    for i, case in enumerate(cases):
        Ticket.objects.filter(pk=case.pk).update(due_at=now + timedelta(hours=(i * 7) % 27))
    client = client_as(personas, "officer_a")
    pages = [client.get(reverse("console:queue"), {"page": n}).context["rows"] for n in "12"]
    expected = Ticket.objects.filter(pk__in=[case.pk for case in cases]).order_by("due_at", "id")
    assert [row.ticket.number for page in pages for row in page] == [
        case.number for case in expected
    ]


@pytest.mark.django_db
def test_queue_queries_do_not_grow_with_the_number_of_cases(
    personas: Personas, commune_a: AdminUnit, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    client = client_as(personas, "province_admin")
    client.get(reverse("console:queue"))  # warm the session

    def queries_for_queue() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("console:queue")).status_code == 200
        return len(captured)

    for _ in range(3):
        lifecycle.ticket_accept(ticket=case_in(commune_a, personas.resident), by=personas.officer_a)
    with_three = queries_for_queue()
    for _ in range(27):
        lifecycle.ticket_accept(ticket=case_in(commune_a, personas.resident), by=personas.officer_a)
    assert queries_for_queue() == with_three
    with django_assert_max_num_queries(12):
        client.get(reverse("console:queue"))


@pytest.mark.django_db
def test_pages_render_in_vietnamese_by_default_with_attribution(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.officer_a)
    content = client.get(reverse("console:queue")).content.decode()
    assert '<html lang="vi">' in content
    assert "Danh sách hồ sơ" in content
    assert (
        "Ranh giới hành chính: sapnhap.bando.com.vn, qua "
        "thanglequoc/vietnamese-provinces-database (MIT)."
    ) in content


@pytest.mark.django_db
def test_queue_map_lists_cases_in_scope_even_without_tiles(
    personas: Personas, ticket_a: Ticket
) -> None:
    officer = client_as(personas, "officer_a")
    page = officer.get(reverse("console:queue-map"))
    assert page.status_code == 200
    content = page.content.decode()
    # The list is the content; the map only decorates it when Leaflet loads.
    assert f'href="/console/cases/{ticket_a.number}/"' in content
    # The map asks the API for its view (tests/helpdesk/test_map_clusters.py);
    # it opens around the listed cases.
    assert 'data-api="/api/v1/helpdesk/map"' in content
    assert ticket_a.location is not None
    x, y = ticket_a.location.x, ticket_a.location.y
    # West, south, east, north around its one case; the list gives "lat, lon".
    assert page.context["home"] == (x, y, x, y)
    assert f'<span translate="no">{y:.5f}, {x:.5f}</span>' in content
    other = client_as(personas, "officer_b").get(reverse("console:queue-map"))
    assert ticket_a.number not in other.content.decode()
    assert client_as(personas, "resident").get(reverse("console:queue-map")).status_code == 403


@pytest.mark.django_db
def test_queue_filter_choices_are_the_units_that_hold_the_persons_cases(
    personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit
) -> None:
    # Units with cases in scope are offered; empty ones and other people's are not.
    # Commune B has no departments: its case is unrouted, yet the commune is offered.
    in_a = case_in(commune_a, personas.resident)
    in_b = case_in(commune_b, personas.resident)
    assert in_a.department_id
    assert in_b.department_id is None

    def choices(name: str) -> tuple[set[str], set[str]]:
        got = queue_choices(scope=scope_for(user=getattr(personas, name)))
        return {c.value for c in got.departments}, {c.value for c in got.communes}

    assert choices("officer_a") == ({str(in_a.department_id)}, {commune_a.code})
    assert choices("leader_a") == ({str(in_a.department_id)}, {commune_a.code})
    assert choices("province_admin") == (
        {str(in_a.department_id)},
        {commune_a.code, commune_b.code},
    )
    superuser = user_create(is_superuser=True, is_staff=True)
    everything = queue_choices(scope=scope_for(user=superuser))
    assert {c.value for c in everything.communes} == {commune_a.code, commune_b.code}
    assert [c.value for c in everything.departments] == [str(in_a.department_id)]


@pytest.mark.django_db
def test_filter_choices_are_reused_within_a_scope_and_never_across_scopes(
    personas: Personas,
    commune_a: AdminUnit,
    commune_b: AdminUnit,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    case_in(commune_a, personas.resident)
    case_in(commune_b, personas.resident)
    officer_a = scope_for(user=personas.officer_a)
    first = queue_choices(scope=officer_a)
    with django_assert_num_queries(0):
        assert queue_choices(scope=officer_a) == first
    for name in ("officer_b", "leader_a", "province_admin"):
        scope = scope_for(user=getattr(personas, name))
        assert queue_choices(scope=scope) == queue_choices_read(scope=scope), name
    assert queue_choices(scope=scope_for(user=personas.officer_b)) != first


@pytest.mark.django_db
def test_status_counts_are_exact_and_keep_to_the_scope(
    personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit
) -> None:
    for _ in range(3):
        case_in(commune_a, personas.resident)
    accepted = case_in(commune_a, personas.resident)
    lifecycle.ticket_accept(ticket=accepted, by=personas.officer_a)
    case_in(commune_b, personas.resident)

    admin = scope_for(user=personas.province_admin)
    assert queue_counts(scope=admin, filters=QueueFilter()).by_status == {S.NEW: 4, S.ACCEPTED: 1}
    officer_a = scope_for(user=personas.officer_a)
    assert queue_counts(scope=officer_a, filters=QueueFilter()).by_status == {
        S.NEW: 3,
        S.ACCEPTED: 1,
    }
    resident = scope_for(user=personas.resident)
    assert queue_counts(scope=resident, filters=QueueFilter()).by_status == {}


@pytest.mark.django_db
def test_queue_map_draws_at_most_the_limit_and_says_how_many_more(
    personas: Personas, commune_a: AdminUnit, settings: Settings
) -> None:
    cases = [case_in(commune_a, personas.resident) for _ in range(4)]
    settings.QUEUE_MAP_LIMIT = 3
    page = client_as(personas, "leader_a").get(reverse("console:queue-map"))
    assert len(page.context["items"]) == 3
    assert page.context["total"] == 4
    assert page.context["more"] == 1
    assert "1 more case: zoom in or narrow the filters" in page.content.decode()
    # The most urgent first: the same order as the queue.
    shown = {item["number"] for item in page.context["items"]}
    assert shown == {t.number for t in Ticket.objects.order_by("due_at", "id")[:3]}
    assert len(shown & {t.number for t in cases}) == 3


@pytest.mark.django_db
def test_queue_map_keeps_to_the_box_asked_for_and_to_the_scope(
    personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit
) -> None:
    in_a, in_b = case_in(commune_a, personas.resident), case_in(commune_b, personas.resident)
    assert in_a.location is not None
    assert in_b.location is not None
    x, y = in_a.location.x, in_a.location.y
    around_a = f"{x - 0.0001},{y - 0.0001},{x + 0.0001},{y + 0.0001}"
    admin = client_as(personas, "province_admin")
    whole = admin.get(reverse("console:queue-map"))
    assert {i["number"] for i in whole.context["items"]} == {in_a.number, in_b.number}
    boxed = admin.get(reverse("console:queue-map"), {"bbox": around_a})
    assert [i["number"] for i in boxed.context["items"]] == [in_a.number]
    # A box around commune B's case shows officer A nothing: the box never widens a scope.
    bx, by = in_b.location.x, in_b.location.y
    around_b = f"{bx - 0.0001},{by - 0.0001},{bx + 0.0001},{by + 0.0001}"
    officer_a = client_as(personas, "officer_a").get(
        reverse("console:queue-map"), {"bbox": around_b}
    )
    assert officer_a.context["items"] == []
    assert in_b.number not in officer_a.content.decode()
    # A malformed or upside-down box means the whole queue, not an error.
    for bad in ("1,2,3", "a,b,c,d", f"{x + 1},{y},{x},{y + 1}", "0,0,200,10"):
        page = admin.get(reverse("console:queue-map"), {"bbox": bad})
        assert page.status_code == 200
        assert page.context["bbox"] is None
        assert len(page.context["items"]) == 2


@pytest.mark.django_db
def test_the_pager_count_stops_at_its_cap(personas: Personas, commune_a: AdminUnit) -> None:
    from core.pagination import CappedPaginator, count_capped

    for _ in range(5):
        case_in(commune_a, personas.resident)
    tickets = Ticket.objects.order_by("due_at", "id")
    assert count_capped(tickets, cap=10) == 5
    assert count_capped(tickets, cap=3) == 4  # "more than 3"
    pager = CappedPaginator(tickets, 2, cap=3)
    assert pager.capped
    assert pager.count == 4
    assert pager.num_pages == 2
    exact = CappedPaginator(tickets, 2, cap=5)
    assert not exact.capped
    assert exact.count == 5
    assert exact.num_pages == 3
    assert [t.pk for t in pager.get_page(2).object_list] == [t.pk for t in tickets[2:4]]


@pytest.mark.django_db
def test_queue_map_says_more_cases_in_vietnamese(
    personas: Personas, commune_a: AdminUnit, settings: Settings
) -> None:
    for _ in range(2):
        case_in(commune_a, personas.resident)
    settings.QUEUE_MAP_LIMIT = 1
    client = Client()
    client.force_login(personas.leader_a)
    content = client.get(reverse("console:queue-map")).content.decode()
    assert "Còn 1 hồ sơ nữa: hãy phóng to bản đồ hoặc thu hẹp bộ lọc để xem." in content


def test_quick_select_writes_the_markup_django_would() -> None:
    import re

    from django import forms

    from console.forms import QuickSelect

    choices = [("", "All"), ("1", 'Phòng "A" & <b>'), ("2", "B")]
    for value in ("2", "", None, "9"):
        django_markup = forms.Select(choices=choices).render("department", value, {"id": "id_d"})
        ours = QuickSelect(choices=choices).render("department", value, {"id": "id_d"})
        assert re.sub(r">\s+<", "><", django_markup.strip()) == ours
    assert "&lt;b&gt;" in QuickSelect(choices=choices).render("d", "1")


def test_quick_choice_field_accepts_and_refuses_what_django_s_would() -> None:
    from django import forms

    from console.forms import QuickChoiceField

    choices = [("", "All"), ("1", "Phòng A"), ("05443", "Phan Đình Phùng")]

    class Ours(forms.Form):
        pick = QuickChoiceField(required=False)

    class Djangos(forms.Form):
        pick = forms.ChoiceField(required=False)

    def pick_field(form: forms.Form) -> forms.ChoiceField:
        field = form.fields["pick"]
        assert isinstance(field, forms.ChoiceField)
        return field

    for value in ("1", "05443", "", "5443", "9", " 1", "<b>", "1.0"):
        answers = []
        for form_class in (Ours, Djangos):
            form = form_class({"pick": value})
            pick_field(form).choices = choices
            answers.append((form.is_valid(), form.cleaned_data.get("pick"), list(form.errors)))
        assert answers[0] == answers[1], value
    # The choices a form sets are its own, not the class's or another form's
    # (two people's filters, built in the same process).
    first, second = Ours({"pick": "05443"}), Ours({"pick": "05443"})
    pick_field(first).choices = choices
    assert pick_field(second).choices == []
    pick_field(second).choices = [("", "All"), ("2", "B")]
    pick_field(first).choices = choices  # set last, as the other form is checked
    assert (first.is_valid(), second.is_valid()) == (True, False)
    assert 'value="05443"' in str(first["pick"])
    assert "05443" not in str(second["pick"])
