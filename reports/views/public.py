"""Public pages: the resident home and the map of reports."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from alerts.selectors import alerts_news_where_filed
from core.db_routing import replica_reads
from core.errors import DomainError
from core.row_links import links_to
from helpdesk.models import OPEN_STATUSES
from helpdesk.names import service_name, unit_name
from helpdesk.public_view import public_point, public_time
from reports.presenters import public_case_detail, public_photo_urls
from reports.selectors import report_get_public, reports_public
from reports.views.common import error_page

# The list under the map, newest first, a page at a time: the map itself
# asks the API for its view (counts per commune or grid cell), so the list
# only has to be readable without it. 300 rows a page cost 250-380 ms to
# render (bench/queue_scale.py, the public map page) and a long scroll on a
# small phone. Pages past the last are empty; deep pages are refused: the
# map and the public API hold every report.
PUBLIC_PAGE_SIZE = 50
PUBLIC_MAX_PAGE = 40


def _page_number(raw: str | None) -> int:
    try:
        number = int(raw or "1")
    except ValueError:
        return 1
    return min(max(number, 1), PUBLIC_MAX_PAGE)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    # The warnings of the place a signed-in person last reported from; one query.
    user = request.user
    news = alerts_news_where_filed(user_id=user.pk) if user.is_authenticated else None
    return render(request, "reports/home.html", {"alerts_news": news})


@replica_reads
@require_GET
def public_map(request: HttpRequest) -> HttpResponse:
    """Field reports as a plain list that always works, and markers when the map loads.

    The selector leaves out every reporter detail and keeps only photos officers
    approved (prefetched as ``attachments``); places are the public grid cell.
    """
    page = _page_number(request.GET.get("page"))
    # One more than a page: whether there is a next page, without a count.
    found = list(reports_public(limit=PUBLIC_PAGE_SIZE + 1, offset=(page - 1) * PUBLIC_PAGE_SIZE))
    rows = []
    case_url = links_to("reports:public-case")
    for t in found[:PUBLIC_PAGE_SIZE]:
        point = public_point(service=t.service, point=t.location)
        rows.append(
            {
                "public_id": t.public_id,
                "url": case_url(t.public_id),
                "service": service_name(t.service),
                "icon": t.service.icon,  # a symbol of static/icons.svg
                "status": t.get_status_display(),
                "status_code": t.status,
                "commune": unit_name(t.commune) if t.commune else "",
                "created_at": public_time(t.created_at),
                "lat": point.y if point else None,
                "lon": point.x if point else None,
                "photos": public_photo_urls(t.attachments.all()),
            }
        )
    more = len(found) > PUBLIC_PAGE_SIZE and page < PUBLIC_MAX_PAGE
    context = {"rows": rows, "page": page, "next_page": page + 1 if more else None}
    return render(request, "reports/public_map.html", context)


@require_GET
def public_case(request: HttpRequest, public_id: str) -> HttpResponse:
    """One report as anyone sees it (no login): what the map shows, its public
    timeline, and "I have this problem too" while it is open."""
    try:
        ticket = report_get_public(public_id=public_id)
    except DomainError as exc:
        return error_page(request, exc.message, exc.http_status)
    context = {**public_case_detail(ticket), "can_support": ticket.status in OPEN_STATUSES}
    return render(request, "reports/public_case.html", context)
