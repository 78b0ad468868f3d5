"""Public pages: the resident home and the map of reports."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from helpdesk.names import service_name
from reports.selectors import reports_public

PUBLIC_LIMIT = 300


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/home.html")


@require_GET
def public_map(request: HttpRequest) -> HttpResponse:
    """Field reports as a plain list that always works, and markers when the map loads.

    The selector leaves out every reporter detail and keeps only photos officers
    approved (prefetched as ``attachments``).
    """
    rows = [
        {
            "number": t.number,
            "service": service_name(t.service),
            "icon": t.service.icon,
            "status": t.get_status_display(),
            "status_code": t.status,
            "commune": t.commune.full_name if t.commune else "",
            "created_at": t.created_at,
            "lat": t.location.y if t.location else None,
            "lon": t.location.x if t.location else None,
            "photos": [default_storage.url(p.thumbnail) for p in t.attachments.all()],
        }
        for t in reports_public(limit=PUBLIC_LIMIT)
    ]
    return render(request, "reports/public_map.html", {"rows": rows})
