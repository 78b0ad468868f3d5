"""The public map page: which commune is this point in?"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.names import localized
from geo.forms import PointForm
from geo.selectors import commune_at_point


@require_GET
def map_page(request: HttpRequest) -> HttpResponse:
    """Show the map; with ?lat=&lon= also show the commune there, rendered server-side."""
    form = PointForm(request.GET or None)
    match = None
    looked_up = False
    if form.is_valid():
        looked_up = True
        match = commune_at_point(lat=form.cleaned_data["lat"], lon=form.cleaned_data["lon"])
    names = None
    if match is not None:
        names = {
            "commune": localized(match.commune.full_name, match.commune.full_name_en),
            "province": localized(match.province.full_name, match.province.full_name_en),
        }
    context = {
        "form": form,
        "match": match,
        "names": names,
        "looked_up": looked_up,
    }
    return render(request, "geo/map.html", context)
