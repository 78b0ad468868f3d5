"""Caps on what one request may send, answered with a 413 that says what to do.

nginx refuses a body over ``client_max_body_size`` (scripts/nginx.conf.in,
docker/nginx.conf) before it reaches Django; MAX_REQUEST_BODY_BYTES is the same
cap in Django, for a server run without nginx. Under it, Django's own limits
(settings.DATA_UPLOAD_MAX_*) and PhotoSizeUploadHandler stop a form with too
many files or fields, or one file over the photo limit, while it is read.

Django would answer those as a bare 400 page, raised while the form is first
read, often by the CSRF check before any view runs, so a view cannot catch
them. BodyLimitsMiddleware reads the form first, where the errors can still be
answered: JSON ``{"code": "request_too_large", ...}`` under /api/, GeoReport's
error list under /open311/, a page with a sentence elsewhere, in the
request's language.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.functional import Promise

from core.errors import DomainError, MalformedRequest, RequestTooLarge
from helpdesk.photo_errors import PhotoTooLarge
from helpdesk.photos import MAX_BYTES
from open311.render import JSON, XML, render_error

API_PREFIX = "/api/"
OPEN311_PREFIX = "/open311/"
TOO_BIG = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


class PhotoTooLargeUpload(RequestDataTooBig):
    """One file of a form is bigger than a photo may be (helpdesk.photos.MAX_BYTES)."""


class PhotoSizeUploadHandler(FileUploadHandler):
    """Stop reading a form as soon as one of its files passes the photo limit.

    Every file uploaded to XaDesk is a photo. Without this, a 50 MB file is
    written to a temporary file in full and only then refused by the photo
    pipeline; with it, the request ends at 15 MB with a 413.
    """

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > MAX_BYTES:
            raise PhotoTooLargeUpload(f"A file is over {MAX_BYTES} bytes.")
        return raw_data  # the next handler (memory or temporary file) keeps it

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler makes the file


def _message(error: Exception) -> str | Promise:
    if isinstance(error, PhotoTooLargeUpload):
        # Names the limit ("smaller than 15 MB"), as the photo pipeline does.
        return PhotoTooLarge(max_bytes=MAX_BYTES).message
    return RequestTooLarge.default_message


def too_large(error: Exception) -> RequestTooLarge:
    """The 413 of a body, form or query over one of Django's limits."""
    return RequestTooLarge(_message(error))


class BodyLimitsMiddleware:
    """Answer a body over a limit with 413, and an unreadable form with 400.

    Placed after AuthenticationMiddleware (the error page shows who is signed
    in) and before any view or process_view reads the form.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BODY_BYTES:
            # Not a byte of the body is read.
            return self._answer(request, RequestTooLarge(_message(RequestDataTooBig())))
        if request.method == "POST":
            try:
                # Reads a form (urlencoded or multipart) now; other bodies
                # (JSON) are left for the view, which checks their size itself.
                request.POST  # noqa: B018 - read for the side effect
                request.FILES  # noqa: B018
            except TOO_BIG as error:
                return self._answer(request, too_large(error))
            except (MultiPartParserError, BadRequest):
                # BadRequest: a urlencoded form in another charset than UTF-8
                # (Django refuses it). Left to Django, its 400 page read the
                # form again for the CSRF check, failed, and so did the 500
                # page: gunicorn's own error page went out.
                return self._answer(request, MalformedRequest())
        return self.get_response(request)

    @staticmethod
    def _answer(request: HttpRequest, error: DomainError) -> HttpResponse:
        return answer_in_path_shape(request, error)


def answer_in_path_shape(request: HttpRequest, error: DomainError) -> HttpResponse:
    """Answer ``error`` before any view, in the shape the path's clients read."""
    status = error.http_status
    if request.path.startswith(API_PREFIX):
        body = {"code": error.code, "message": str(error.message)}
        return JsonResponse(body, status=status)
    if request.path.startswith(OPEN311_PREFIX):
        # Open311 clients read the spec's error list, in the path's format.
        return render_error(error, fmt=XML if request.path.endswith(".xml") else JSON)
    # A page of the part of the site it was sent to: the console's under
    # /console/. Imported here: config/page_errors.py imports this module's prefixes.
    from config.page_errors import page_error

    return page_error(request, error.message, status)
