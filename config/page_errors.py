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

Under /console/ these answers are the console's own error page
(console/views/access.py error_page) in its layout, where they were drawn in
the residents' one (their menu, their stylesheet, "back to the start"; a
walk of the console): the header an officer works with, and the way back to
the queue. The residents' pages keep theirs.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views import defaults

from config.body_limits import API_PREFIX, OPEN311_PREFIX
from console.views.access import error_page

# Paths whose clients read a machine shape, never a page.
MACHINE_PREFIXES = (API_PREFIX, OPEN311_PREFIX)

METHOD_NOT_ALLOWED_TEMPLATE = "405.html"
# The headings of templates/404.html and 405.html, on the console's page.
NOT_FOUND = _("We could not find this page.")
NOT_ALLOWED = _("This page does not take this kind of request.")


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
        if in_console(request):
            page = error_page(request, "", 405, title=NOT_ALLOWED)
            response.content = page.content
        else:
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
    if in_console(request):
        # The exception's words are left out, as templates/404.html leaves them.
        return error_page(request, _("The link may be old or mistyped."), 404, title=NOT_FOUND)
    return defaults.page_not_found(request, exception)


def page_error(request: HttpRequest, message: str | Promise, status: int) -> HttpResponse:
    """An error answered before any view (config/body_limits.py: a form over a
    limit, one that cannot be read) as a page of the part of the site it was
    sent to."""
    if in_console(request):
        return error_page(request, message, status, title=_("Something went wrong"))
    return render(request, "reports/error.html", {"message": message}, status=status)


def in_console(request: HttpRequest) -> bool:
    """Whether ``request`` is for a page of the officer console (config/urls.py)."""
    return request.path.startswith(reverse("console:queue"))
