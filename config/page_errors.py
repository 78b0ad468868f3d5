"""A page with a sentence for the 405 Django answers with an empty body.

``require_POST`` and its kin (and a class-based view's
``http_method_not_allowed``) answer a method a page does not take with a
bare 405: a person who followed an old link or bookmarked the address a form
posts to saw a blank screen. Here that answer gets a page in the request's
language with a way back, and keeps its status and ``Allow`` header.

The other answers Django makes without the site's look are templates:
templates/404.html (Django's ``page_not_found`` renders it with the request)
and templates/403_csrf.html (its ``csrf_failure``: a form kept open past its
cookie). The API and Open311 keep their own shapes: /api/ is
config/api_middleware.py's, /open311/ has its error list (open311/views.py).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.template.loader import render_to_string
from django.views import defaults

from config.body_limits import API_PREFIX, OPEN311_PREFIX

# Paths whose clients read a machine shape, never a page.
MACHINE_PREFIXES = (API_PREFIX, OPEN311_PREFIX)

METHOD_NOT_ALLOWED_TEMPLATE = "405.html"


class MethodNotAllowedPageMiddleware:
    """Fill an empty 405 outside the API and Open311 with a page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code != 405
            or request.path.startswith(MACHINE_PREFIXES)
            or response.streaming
            or response.content
        ):
            return response
        # The body is filled in place, so Allow and every other header the
        # view or a middleware set stay as they were.
        response.content = render_to_string(METHOD_NOT_ALLOWED_TEMPLATE, request=request)
        response["Content-Type"] = "text/html; charset=utf-8"
        return response


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 404 (templates/404.html), but not for the API's paths.

    Under /api/ config/api_middleware.py answers the JSON 404; the page drawn
    first only to be replaced read the user and the unread count for nothing.
    """
    if request.path.startswith(API_PREFIX):
        return HttpResponseNotFound()
    return defaults.page_not_found(request, exception)
