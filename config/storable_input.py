"""Refuse a NUL character in any query or form value, for every path.

PostgreSQL cannot store a NUL in text, and a lookup with one fails as a
DataError: a 500. The API refused it in its queries and forms (a parser of
its own, now gone: this is the one rule) and in JSON bodies (core.api_fields
JsonBody), but a probe of make run found it everywhere else: an
Open311 filter or field (``service_code=%00``), a page's query (``/report/
communes/?province=%00``, ``/console/rows/?cases=%00``) and form values read
before the form is checked (the report form's service and province). One rule
here, after BodyLimitsMiddleware has read the form, covers every view, those
to come included; Django's form fields refuse it too, but only in ``clean``.
The answer is 422 ``invalid_characters`` in the shape the path's clients read.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, QueryDict

from config.body_limits import answer_in_path_shape
from core.errors import InvalidCharacters

NUL = "\x00"


class InvalidCharactersInPath(InvalidCharacters):
    # An address, not a value someone typed: 400, as for any request the
    # server cannot read (the API's answer since the fuzzer found it).
    http_status = 400


def _holds_nul(values: QueryDict) -> bool:
    return any(NUL in key or any(NUL in value for value in items) for key, items in values.lists())


class StorableInputMiddleware:
    """Placed right after BodyLimitsMiddleware, which reads the form first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if NUL in request.path:
            # A case number, a slug: it would reach a lookup.
            return answer_in_path_shape(request, InvalidCharactersInPath())
        if _holds_nul(request.GET):
            return answer_in_path_shape(request, InvalidCharacters())
        # request.POST is already read (or refused) by BodyLimitsMiddleware;
        # for a JSON body it is empty, and the API's parser checks the JSON.
        if request.method == "POST" and _holds_nul(request.POST):
            return answer_in_path_shape(request, InvalidCharacters())
        return self.get_response(request)
