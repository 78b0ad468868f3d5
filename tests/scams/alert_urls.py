"""The URL map as it will be once the alerts section exists: console:alert-new added."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, include, path

from config import urls as site
from console import urls as console_urls


def _alert_new(request: HttpRequest) -> HttpResponse:
    return HttpResponse("alert form")


console_patterns = [*console_urls.urlpatterns, path("alerts/new/", _alert_new, name="alert-new")]
urlpatterns: list[URLPattern | URLResolver] = [
    path("console/", include((console_patterns, "console"))),
    *(
        p
        for p in site.urlpatterns
        if isinstance(p, URLPattern | URLResolver) and str(p.pattern) != "console/"
    ),
]
