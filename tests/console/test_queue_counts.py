"""The queue's pager counts from the running tallies when they can tell, and
then agrees with counting the cases, in every scope and with every filter."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from core.pagination import CappedPaginator
from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.models import Ticket
from helpdesk.permissions import scope_for
from helpdesk.selectors import QueueFilter, queue_counts, tickets_queue
from tests.conftest import Personas
from tests.console.pages import ALLOWED, S, case_in, client_as

TICKET_COUNT = 'SELECT COUNT(*) FROM (SELECT "helpdesk_ticket"'


@pytest.fixture
def cases(personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit) -> list[Ticket]:
    made = [
        case_in(commune_a, personas.resident),
        case_in(commune_a, personas.resident),
        case_in(commune_a, personas.resident, service="trash_uncollected"),
        case_in(commune_b, personas.resident),  # commune B's service centre
        case_in(commune_b, personas.resident, service="trash_uncollected"),
    ]
    lifecycle.ticket_accept(ticket=made[0], by=personas.officer_a)
    Ticket.objects.filter(pk=made[1].pk).update(due_at=timezone.now() - timedelta(hours=2))
    return made


def _filters(personas: Personas, commune_b: AdminUnit) -> list[dict[str, str]]:
    department_a = personas.officer_a.department_memberships.get().department_id
    unrouted = Ticket.objects.filter(department=None).values_list("commune__code", flat=True)
    assert commune_b.code
    return [
        {},
        {"status": S.NEW},
        {"status": S.ACCEPTED},
        {"status": S.CLOSED},
        {"service": "trash_uncollected"},
        {"service": "trash_uncollected", "status": S.NEW},
        {"department": str(department_a)},
        {"commune": commune_b.code},
        {"commune": commune_b.code, "service": "streetlight_out"},
        {"unrouted": "on", **({"commune": unrouted[0]} if unrouted else {})},
        {"mine": "on"},
        {"overdue": "on"},
        {"overdue": "on", "status": S.NEW},
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("name", [*ALLOWED, "officer_b"])
def test_the_pager_count_is_the_number_of_cases_listed_in_every_scope(
    personas: Personas, commune_b: AdminUnit, cases: list[Ticket], name: str
) -> None:
    client = client_as(personas, name)
    for params in _filters(personas, commune_b):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("console:queue"), params)
        assert response.status_code == 200, params
        listed = Ticket.objects.filter(
            pk__in=[row.ticket.pk for row in response.context["rows"]]
        ).count()
        form = response.context["form"]
        scope = scope_for(user=getattr(personas, name))
        expected = tickets_queue(scope=scope, filters=form.queue_filter()).count()
        assert response.context["page"].paginator.count == expected == listed, (name, params)
        # The tallies answer unless a filter needs the case itself.
        needs_cases = "mine" in params or "overdue" in params
        count_queries = sum(TICKET_COUNT in q["sql"] for q in captured.captured_queries)
        assert count_queries == (1 if needs_cases else 0), (name, params)


@pytest.mark.django_db
def test_queue_counts_keep_to_the_scope(personas: Personas, cases: list[Ticket]) -> None:
    officer_a = scope_for(user=personas.officer_a)
    admin = scope_for(user=personas.province_admin)
    trash = QueueFilter(service="trash_uncollected")
    assert queue_counts(scope=officer_a, filters=trash).matching == 1
    assert queue_counts(scope=admin, filters=trash).matching == 2
    assert queue_counts(scope=officer_a, filters=QueueFilter()).matching == 3
    assert queue_counts(scope=officer_a, filters=QueueFilter(overdue=True)).matching is None
    assert queue_counts(scope=officer_a, filters=QueueFilter(assigned_to_me=True)).matching is None
    resident = scope_for(user=personas.resident)
    assert queue_counts(scope=resident, filters=QueueFilter()) == queue_counts(
        scope=resident, filters=trash
    )
    assert queue_counts(scope=resident, filters=trash).matching == 0


@pytest.mark.django_db
def test_a_known_count_is_capped_like_a_counted_one(
    cases: list[Ticket], django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    tickets = Ticket.objects.order_by("due_at", "id")
    with django_assert_num_queries(0):
        capped = CappedPaginator(tickets, 2, cap=3, known_count=5)
        assert (capped.count, capped.capped, capped.num_pages) == (4, True, 2)
        exact = CappedPaginator(tickets, 2, cap=10, known_count=5)
        assert (exact.count, exact.capped, exact.num_pages) == (5, False, 3)


@dataclasses.dataclass(frozen=True)
class _FilterWithPriority(QueueFilter):
    """A filter field the tallies have no column for, as a later one may be."""

    priority: str | None = None


@pytest.mark.django_db
def test_a_filter_the_tallies_do_not_know_is_counted_on_the_cases(
    personas: Personas, cases: list[Ticket]
) -> None:
    officer_a = scope_for(user=personas.officer_a)
    assert queue_counts(scope=officer_a, filters=_FilterWithPriority()).matching == 3
    unknown = _FilterWithPriority(priority="high")
    assert queue_counts(scope=officer_a, filters=unknown).matching is None
    assert (
        queue_counts(scope=officer_a, filters=unknown).by_status
        == queue_counts(scope=officer_a, filters=QueueFilter()).by_status
    )


@pytest.mark.django_db
def test_the_status_counts_say_they_are_of_the_whole_queue_under_a_search(
    personas: Personas, cases: list[Ticket]
) -> None:
    """The counts come from the tallies, which know no search or overdue
    filter: a walk read "Mới 667" above a list of two, with nothing saying why."""
    client = client_as(personas, "officer_a")
    said = "The numbers below count your whole queue, not this search or these filters."
    assert said not in client.get(reverse("console:queue")).content.decode()
    for params in ({"q": "ổ gà"}, {"overdue": "on"}):
        page = client.get(reverse("console:queue"), params).content.decode()
        assert said in page, params
        assert 'aria-describedby="counts-whole"' in page, params
