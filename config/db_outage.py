"""When PostgreSQL or the media bucket is down, restarting or gives a request up:
a 503, never a 500.

A restart or failover of the database breaks the requests in flight and
refuses new connections for a few seconds. Their transactions are rolled back
(every service writes in one), so nothing half-saved is left and sending the
request again is safe: the answer says so, with Retry-After, in the shape of
every other error (``{"code", "message"}`` under /api/, a short page
elsewhere). Django's connection health check (``conn_health_checks`` in
config/settings.py) replaces a broken persistent connection on the next
request, so the app recovers by itself once the database is back.

Three places see the error, depending on where it is raised: the API's own
handler (config/api.py) inside an operation, ``DatabaseOutageMiddleware`` in a
page view, and ``server_error`` (Django's handler500) in a middleware (the
session is read and saved there).

The media bucket is the same story with ``MediaUnavailable``: a filing or a
reply stores its photos and voice note before its transaction, and deletes
them again when it fails (helpdesk/filing.py); which of botocore's errors
count is core/media_outage.py's to say.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views import defaults

from core.errors import DatabaseUnavailable, MediaUnavailable, Unavailable
from core.media_outage import media_outage

logger = logging.getLogger(__name__)

# OperationalError: connection refused or lost, a server shutting down, a
# statement cancelled, a deadlock. InterfaceError: a connection already closed.
OUTAGE_ERRORS = (OperationalError, InterfaceError)

API_PREFIX = "/api/"


def media_outage_log(request: HttpRequest, exc: BaseException) -> None:
    # A warning, not an error: it answers itself when the bucket is back,
    # and /healthz names the media meanwhile.
    logger.warning("Media bucket unavailable for %s %s: %r", request.method, request.path, exc)


def outage_error(exc: BaseException) -> Unavailable | None:
    """The 503's error for ``exc`` if it is an outage of the database or the bucket."""
    if isinstance(exc, OUTAGE_ERRORS):
        return DatabaseUnavailable()
    if media_outage(exc):
        return MediaUnavailable()
    return None


def outage_response(
    request: HttpRequest, exc: BaseException, error: Unavailable | None = None
) -> HttpResponse:
    """The 503 for ``request``: JSON under /api/, a page that needs no database elsewhere."""
    error = error or DatabaseUnavailable()
    if isinstance(error, MediaUnavailable):
        media_outage_log(request, exc)
    else:
        logger.warning(
            "Database unavailable for %s %s: %s",
            request.method,
            request.path,
            exc.__class__.__name__,
        )
    response: HttpResponse
    if request.path.startswith(API_PREFIX):
        response = JsonResponse(
            {"code": error.code, "message": str(error.message), "details": error.details},
            status=error.http_status,
        )
    else:
        # No request context: its processors would read the user and the
        # unread count from the database that is down.
        page = render_to_string(
            "503.html",
            {
                "message": error.message,
                "retry_after": error.details["retry_after"],
                "path": request.get_full_path(),
            },
        )
        response = HttpResponse(page, status=error.http_status)
    response["Retry-After"] = str(error.details["retry_after"])
    return response


class DatabaseOutageMiddleware:
    """Answers a page view that met a database or bucket outage with the 503."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        error = outage_error(exception)
        if error is not None:
            return outage_response(request, exception, error)
        return None


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the 503 for an outage met outside a view, Django's 500 for the rest.

    Django calls it while handling the exception, so ``sys.exc_info`` holds it.
    """
    exc = sys.exc_info()[1]
    error = outage_error(exc) if exc is not None else None
    if exc is not None and error is not None:
        return outage_response(request, exc, error)
    return defaults.server_error(request)
