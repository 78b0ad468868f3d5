"""GeoReport v2 under /open311/v2/: each resource as ``.json`` or ``.xml``."""

from __future__ import annotations

from django.urls import path, re_path, register_converter

from open311 import views


class FormatConverter:
    regex = "json|xml"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class IdConverter:
    """Service codes, public ids and tokens: letters, digits, ``-`` and ``_``."""

    regex = r"[\w-]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "fmt")
register_converter(IdConverter, "o311id")

app_name = "open311"
urlpatterns = [
    path("", views.discovery, {"fmt": "json"}, name="root"),
    path("discovery.<fmt:fmt>", views.discovery, name="discovery"),
    path("services.<fmt:fmt>", views.services_list, name="service-list"),
    path("services/<o311id:code>.<fmt:fmt>", views.service_definition, name="service-detail"),
    path("requests.<fmt:fmt>", views.requests_collection, name="request-list"),
    path(
        "requests/<o311id:service_request_id>.<fmt:fmt>",
        views.request_detail,
        name="request-detail",
    ),
    path("tokens/<o311id:token>.<fmt:fmt>", views.token_detail, name="token-detail"),
    path("servicerequestupdates.<fmt:fmt>", views.updates, name="update-list"),
    # Last: every other path is GeoReport's 404, not Django's HTML page.
    re_path(r"", views.not_found, name="not-found"),
]
