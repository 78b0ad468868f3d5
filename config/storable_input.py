"""Refuse a NUL character in any query or form value, for every path.

PostgreSQL cannot store a NUL in text, and a lookup with one fails as a
DataError: a 500. The API refused it in its queries and forms (a parser of
its own, now gone: this is the one rule) and in JSON bodies (core.api_fields
JsonBody), but a probe of make run found it everywhere else: an
Open311 filter or field (``service_code=%00``), a page's query (``/report/
communes/?province=%00``, ``/console/rows/?cases=%00``) and form values read
before the form is checked (the report form's service and province). One rule
here, after BodyLimitsMiddleware has read the form, covers every view, those
to come included (Django's form fields refuse it too, but only in ``clean``),
but the one marked core.nul_input.takes_nul: the SMS gateway's webhook, whose
service maps a GSM "@" sent as NUL. The answer is 422 ``invalid_characters``
in the shape the path's clients read; a query of more fields than Django
takes is a 413 here, as a form's is in BodyLimitsMiddleware.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict

from config.body_limits import TOO_BIG, answer_in_path_shape, too_large
from core.api_fields import unstorable_refuse
from core.errors import InvalidCharacters
from core.nul_input import MARK

NUL = "\x00"


class InvalidCharactersInPath(InvalidCharacters):
    # An address, not a value someone typed: 400, as for any request the
    # server cannot read (the API's answer since the fuzzer found it).
    http_status = 400


def _holds_nul(values: QueryDict) -> bool:
    # The check every JSON body meets too (core.api_fields.JsonBody).
    try:
        unstorable_refuse(list(values.lists()))
    except InvalidCharacters:
        return True
    return False


class StorableInputMiddleware:
    """Placed right after BodyLimitsMiddleware, which reads the form first.

    The check is made in process_view, once the view is known, so that a view
    marked with core.nul_input.takes_nul (the SMS gateway's webhook) is left
    to map the character itself.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if getattr(view, MARK, False):
            return None
        if NUL in request.path:
            # A case number, a slug: it would reach a lookup.
            return answer_in_path_shape(request, InvalidCharactersInPath())
        try:
            # Read here first: past DATA_UPLOAD_MAX_NUMBER_FIELDS, Django
            # raises while building the query, and outside a view that was
            # its bare HTML 400, on every path.
            query_holds_nul = _holds_nul(request.GET)
        except TOO_BIG as error:
            return answer_in_path_shape(request, too_large(error))
        # request.POST is already read (or refused) by BodyLimitsMiddleware;
        # for a JSON body it is empty (JSON bodies: core.api_fields.JsonBody).
        if query_holds_nul or (request.method == "POST" and _holds_nul(request.POST)):
            return answer_in_path_shape(request, InvalidCharacters())
        return None
