import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F

from helpdesk.models import CaseSupport, Service, Ticket, TicketEvent, TicketStatus
from helpdesk.search_text import search_text_refresh
from helpdesk.synthetic import Plan, cases_build, service_weights

pytestmark = pytest.mark.django_db


def test_service_mix_covers_the_catalogue_and_sums_to_one() -> None:
    weights = service_weights(list(Service.objects.all()))
    assert set(weights) == set(Service.objects.values_list("code", flat=True))
    assert sum(weights.values()) == pytest.approx(1.0)
    # The LA sample's biggest request types (bulky items, graffiti) lead the field reports.
    assert max(weights, key=weights.__getitem__) == "trash_uncollected"


def test_generated_cases_follow_the_lifecycle_rules() -> None:
    built = cases_build(Plan(cases=600, provinces=["19"], years=10), log=lambda _m: None)

    tickets = Ticket.objects.all()
    assert built.tickets == tickets.count() == 600
    assert tickets.filter(province__code="19").count() == 600
    assert not tickets.exclude(commune__parent__code="19").exists()
    assert set(tickets.values_list("status", flat=True)) >= {"closed", "new", "in_progress"}
    # Routed cases sit in a department of their own commune; unrouted ones are new or rejected.
    assert not tickets.exclude(department=None).exclude(department__commune=F("commune")).exists()
    assert not tickets.filter(department=None).exclude(status__in=["new", "rejected"]).exists()
    assert not tickets.filter(status=TicketStatus.DUPLICATE, duplicate_of=None).exists()
    assert not tickets.filter(status="new").exclude(assignee=None).exists()
    assert not tickets.filter(resolved_at__lt=F("created_at")).exists()
    # Every case has its "created" event; events never precede the case.
    per_ticket = TicketEvent.objects.filter(kind="created").values("ticket").annotate(n=Count("id"))
    assert len(per_ticket) == 600
    assert {row["n"] for row in per_ticket} == {1}
    assert built.events == TicketEvent.objects.count() > 600
    assert built.supports == CaseSupport.objects.count()
    # Ten years of dates, numbers unique (the database says so too).
    years = {t.year for t in tickets.values_list("created_at", flat=True)}
    assert len(years) >= 8
    # Text to search, of the kind residents write, with the search text filing
    # would write for it (a refresh by the filing rule changes nothing).
    assert tickets.exclude(description="").count() == 600
    assert tickets.exclude(address_text="").exists()
    assert tickets.filter(search_text__contains=" +849").exists()
    assert not tickets.filter(reporter__full_name__startswith="Người dân").exists()
    assert search_text_refresh() == 0
    # The id sequence moved past the copied ids, so the next real case gets a new one.
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('helpdesk_ticket', 'id'))")
        assert cursor.fetchone()[0] == 601


def test_command_refuses_a_database_with_cases_and_dry_runs_by_default() -> None:
    out = io.StringIO()
    call_command("generate_cases", "--cases", "50", "--province", "19", stdout=out)
    assert "Dry run" in out.getvalue()
    assert not Ticket.objects.exists()
    call_command("generate_cases", "--cases", "50", "--province", "19", "--commit", stdout=out)
    assert Ticket.objects.count() == 50
    with pytest.raises(CommandError, match="has cases already"):
        call_command("generate_cases", "--cases", "50", "--province", "19", "--commit", stdout=out)
