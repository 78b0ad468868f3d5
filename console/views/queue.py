"""The queue: its page, the rows a live push names, and the same queue on a map."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from console import selectors
from console.forms import QueueFilterForm
from console.views.access import can_see_dashboard, staff_required
from console.views.deadline import case_deadline
from helpdesk.models import Ticket, TicketStatus
from helpdesk.names import service_name
from helpdesk.permissions import Scope
from helpdesk.selectors import services_active, tickets_count_by_status, tickets_queue
from helpdesk.sla import SlaStatus

PAGE_SIZE = 25
ROWS_LIMIT = 50
MAP_LIMIT = 500
# Status counts stop here ("10000+"): exact counts of a province's years of
# closed cases cost more than the rest of the page.
COUNT_CAP = 10_000


def _rows_with_sla(tickets: list[Ticket]) -> list[tuple[Ticket, SlaStatus | None]]:
    """Queue rows: each ticket with its time left, one calendar read per province."""
    calendars = selectors.calendars_for(province_ids={t.province_id for t in tickets})
    now = timezone.now()
    return [(t, case_deadline(t, calendars[t.province_id], now)) for t in tickets]


def _queue_filter_form(
    request: HttpRequest, scope: Scope, *, with_communes: bool
) -> QueueFilterForm:
    """The queue's filters, shared by the list and the map of the same queue."""
    return QueueFilterForm(
        request.GET or None,
        choices=selectors.queue_choices(scope=scope),
        services=list(services_active().order_by("name")),
        with_communes=with_communes,
    )


@require_GET
@staff_required
def queue(request: HttpRequest, scope: Scope) -> HttpResponse:
    with_communes = can_see_dashboard(scope)
    form = _queue_filter_form(request, scope, with_communes=with_communes)
    tickets = tickets_queue(scope=scope, filters=form.queue_filter())
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = _rows_with_sla(list(page.object_list))
    counts = tickets_count_by_status(scope=scope, cap=COUNT_CAP)
    status_counts = [(value, label, counts.get(value, 0)) for value, label in TicketStatus.choices]
    return render(
        request,
        "console/queue.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "status_counts": status_counts,
            "count_cap": COUNT_CAP,
            "show_dashboard": with_communes,
        },
    )


@require_GET
@staff_required
def queue_rows(request: HttpRequest, scope: Scope) -> HttpResponse:
    """The queue's rows for the cases a live push named (``?cases=A,B`` plus the page's filters).

    The queue page asks for these when /ws/queue/ reports changed cases, and
    puts each row in place; a case it does not get back has left this queue
    (transferred, or no longer matching the filters). Same scope and filters
    as the page, same row template.
    """
    numbers = [n for n in request.GET.get("cases", "").split(",") if n][:ROWS_LIMIT]
    with_communes = can_see_dashboard(scope)
    form = _queue_filter_form(request, scope, with_communes=with_communes)
    tickets = tickets_queue(scope=scope, filters=form.queue_filter()).filter(number__in=numbers)
    return render(request, "console/_queue_rows.html", {"rows": _rows_with_sla(list(tickets))})


@require_GET
@staff_required
def queue_map(request: HttpRequest, scope: Scope) -> HttpResponse:
    """The queue on a map, with the same filters. The list under the map is the
    page's real content: it still works when map tiles or JavaScript do not."""
    with_communes = can_see_dashboard(scope)
    form = _queue_filter_form(request, scope, with_communes=with_communes)
    tickets = list(tickets_queue(scope=scope, filters=form.queue_filter())[:MAP_LIMIT])
    points = [
        {
            "number": t.number,
            "lat": t.location.y,
            "lon": t.location.x,
            "service": service_name(t.service),
            "status": str(t.get_status_display()),
            "url": reverse("console:ticket-detail", args=[t.number]),
        }
        for t in tickets
        if t.location is not None
    ]
    return render(
        request,
        "console/queue_map.html",
        {
            "form": form,
            "tickets": tickets,
            "points": points,
            "limit": MAP_LIMIT,
            "show_dashboard": with_communes,
        },
    )
