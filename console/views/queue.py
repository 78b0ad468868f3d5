"""The queue: its page, the rows a live push names, and the same queue on a map."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.phones import phone_display
from console import selectors
from console.forms import QueueFilterForm
from console.views.access import can_see_dashboard, staff_required
from console.views.deadline import case_deadline
from core.db_routing import replica_reads
from core.names import localized
from core.pagination import COUNT_CAP as PAGER_CAP
from core.pagination import CappedPaginator
from core.row_links import links_to
from helpdesk.map_clusters import POINTS_ZOOM
from helpdesk.models import Ticket, TicketStatus
from helpdesk.names import status_labels
from helpdesk.permissions import Scope
from helpdesk.selectors import (
    BBox,
    queue_counts,
    queue_filter_numbered,
    services_active,
    tickets_on_map,
    tickets_queue,
)
from helpdesk.sla import SlaStatus
from helpdesk.templatetags.case_status import case_status

PAGE_SIZE = 25
ROWS_LIMIT = 50
# The columns a queue row shows (console/_queue_rows.html) and its time left
# needs (case_deadline, calendars_for). Four related rows' every column, the
# case's text and its point (a GEOS geometry built per row) cost 1.1 ms of a
# page's 4.3 ms list read at 1,000,000 cases (bench/queue_scale.py).
ROW_FIELDS = (
    "number",
    "status",
    "due_at",
    "resolved_at",
    "province",
    # Both names: the row shows the one of the reader's language
    # (helpdesk/templatetags/unit_names.py); a name left out here would be
    # fetched by a query per row.
    "service__name",
    "service__name_en",
    "commune__name",
    "commune__name_en",
    "department__name",
    "department__name_en",
    "assignee__full_name",
)


class QueueRow(NamedTuple):
    """A row of console/_queue_rows.html."""

    ticket: Ticket
    sla: SlaStatus | None
    url: str
    # The status badge, {% case_status %}'s markup.
    badge: SafeString


def _rows_with_sla(tickets: list[Ticket]) -> list[QueueRow]:
    """Queue rows: each ticket with its time left, its page's address and its
    status badge, one calendar read per province, one reverse() for all the
    rows and one badge per status (a badge per row, icon and translated label,
    was ~1 ms of a page)."""
    calendars = selectors.calendars_for(province_ids={t.province_id for t in tickets})
    now = timezone.now()
    detail_url = links_to("console:ticket-detail")
    badges: dict[str, SafeString] = {}
    rows = []
    for t in tickets:
        if t.status not in badges:
            badges[t.status] = case_status(t.status)
        deadline = case_deadline(t, calendars[t.province_id], now)
        rows.append(QueueRow(t, deadline, detail_url(t.number), badges[t.status]))
    return rows


def _page_tickets(tickets: QuerySet[Ticket], offset: int) -> QuerySet[Ticket]:
    """The page of ``tickets`` that starts at ``offset``, in the same order.

    Past the first page, a deferred join: the page's ids come from the ticket
    table alone (an index-only walk), and only those 25 rows are joined to
    their service, units and assignee. Joining every skipped row before the
    OFFSET read 2,339 buffers for a province admin's page 40 at 1,000,000
    cases (6.2 ms), the deferred join 384 (0.3 ms). The first page skips
    nothing, and its plain query reads fewer buffers (39 against 354 for an
    officer). The outer query keeps the scope and filters of ``tickets``.
    """
    if offset == 0:
        return tickets[:PAGE_SIZE]
    return tickets.filter(pk__in=tickets.values("pk")[offset : offset + PAGE_SIZE])


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
# Inside staff_required: who asks and their scope come from the primary, so a
# revoked role or account never lives on in a replica's copy.
@replica_reads
def queue(request: HttpRequest, scope: Scope) -> HttpResponse:
    with_communes = can_see_dashboard(scope)
    form = _queue_filter_form(request, scope, with_communes=with_communes)
    # A case number of their queue opens its case; one that is not theirs
    # finds what its words find, as one that does not exist (queue_filter_numbered).
    numbered = queue_filter_numbered(scope=scope, filters=form.queue_filter())
    if numbered.opens is not None:
        return redirect("console:ticket-detail", number=numbered.opens)
    filters = numbered.filters
    search = filters.search
    tickets = tickets_queue(scope=scope, filters=filters).only(*ROW_FIELDS)
    # Exact, from the running tallies, and with them the number of cases the
    # filters match when the tallies can tell; otherwise the pager counts the
    # filtered cases, stopping at PAGER_CAP (core/pagination.py).
    counts = queue_counts(scope=scope, filters=filters)
    if search is None:
        pager = CappedPaginator(tickets, PAGE_SIZE, cap=PAGER_CAP, known_count=counts.matching)

        def listed(offset: int) -> Iterable[Ticket]:
            return _page_tickets(tickets, offset)

    else:
        # A search: the ids of what it found, in the queue's order, up to the
        # pager's cap, read once. Its count and its page are then taken from
        # them, where the count and the page each looked the words up in the
        # trigram index again (two reads of 50-65 ms for three common words in
        # a province's 400,000 cases, bench/queue_scale.py).
        found = list(tickets.values_list("pk", flat=True)[: PAGER_CAP + 1])
        pager = CappedPaginator(found, PAGE_SIZE, cap=PAGER_CAP, known_count=len(found))

        def listed(offset: int) -> Iterable[Ticket]:
            return tickets.filter(pk__in=found[offset : offset + PAGE_SIZE])

    page = pager.get_page(request.GET.get("page"))
    rows = _rows_with_sla(list(listed((page.number - 1) * PAGE_SIZE)))
    status_counts = [
        (value, label, counts.by_status.get(value, 0)) for value, label in TicketStatus.choices
    ]
    return render(
        request,
        "console/queue.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "status_counts": status_counts,
            "pages_cap": PAGER_CAP // PAGE_SIZE,
            "show_dashboard": with_communes,
            "search": search,
            "search_phone": phone_display(search.phone) if search and search.phone else "",
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
    # The number looked up as for the page, so that a list of a number's
    # cases gets no row of a case that only writes that number.
    filters = queue_filter_numbered(scope=scope, filters=form.queue_filter()).filters
    tickets = tickets_queue(scope=scope, filters=filters, among=numbers).only(*ROW_FIELDS)
    return render(request, "console/_queue_rows.html", {"rows": _rows_with_sla(list(tickets))})


# West, south, east, north of the country, where a queue without located cases opens.
VIETNAM = (102.1, 8.4, 109.5, 23.4)


def _bbox(text: str) -> BBox | None:
    """``west,south,east,north`` in degrees from the map's view; anything else
    (absent, malformed, upside down, off the globe) means the whole queue."""
    try:
        west, south, east, north = (float(part) for part in text.split(","))
    except ValueError:
        return None
    inside = -180 <= west < east <= 180 and -90 <= south < north <= 90
    return (west, south, east, north) if inside else None


@require_GET
@staff_required
# Inside staff_required: who asks and their scope come from the primary, so a
# revoked role or account never lives on in a replica's copy.
@replica_reads
def queue_map(request: HttpRequest, scope: Scope) -> HttpResponse:
    """The queue on a map, with the same filters, inside the map's view (``bbox``).

    The list: at most QUEUE_MAP_LIMIT cases, the most urgent first, and how
    many more there are ("zoom in or narrow the filters"); it is the page's
    real content and works when map tiles or JavaScript do not. The map asks
    the API for what its view holds, counted on the server
    (helpdesk/map_clusters.py): the page itself sends no points.
    """
    with_communes = can_see_dashboard(scope)
    form = _queue_filter_form(request, scope, with_communes=with_communes)
    bbox = _bbox(request.GET.get("bbox", ""))
    no_commune = str(_("No commune"))
    labels = status_labels()
    detail_url = links_to("console:ticket-detail")
    found = tickets_on_map(
        scope=scope,
        filters=form.queue_filter(),
        bbox=bbox,
        limit=settings.QUEUE_MAP_LIMIT,
        cap=PAGER_CAP,
    )
    items = [
        {
            "number": row["number"],
            "service": localized(row["service__name"], row["service__name_en"]),
            "status": labels.get(row["status"], row["status"]),
            "commune": localized(row["commune__full_name"] or "", row["commune__full_name_en"])
            or no_commune,
            # Formatted here, not with |floatformat: 400 of those were a third
            # of the page's rendering time.
            "place": f"{row['lat']:.5f}, {row['lon']:.5f}" if row["lat"] is not None else "",
            "url": detail_url(row["number"]),
        }
        for row in found.rows
    ]
    located = [(row["lon"], row["lat"]) for row in found.rows if row["lat"] is not None]
    # Where the map opens: around the listed cases (the most urgent), else
    # all of Vietnam. What it draws it asks the API for (static/console/queue-map.js).
    home = (
        (
            min(lon for lon, _lat in located),
            min(lat for _lon, lat in located),
            max(lon for lon, _lat in located),
            max(lat for _lon, lat in located),
        )
        if located
        else VIETNAM
    )
    return render(
        request,
        "console/queue_map.html",
        {
            "form": form,
            "items": items,
            "home": home,
            "points_zoom": POINTS_ZOOM,
            "total": found.total,
            "more": max(0, found.total - len(items)),
            "capped": found.total > PAGER_CAP,
            "count_cap": PAGER_CAP,
            "no_location": _("no location"),
            "bbox": bbox,
            "show_dashboard": with_communes,
        },
    )
