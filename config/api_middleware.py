"""Answers the API gives before or outside its operations, in its own shape.

config/api.py maps the errors raised inside an operation. Some answers are
made before one runs: a method the path does not take (ninja answers a plain
"Method not allowed"), a path no operation has (Django's HTML 404), a body
over the size limit (Django raises RequestDataTooBig while ninja reads it,
which Django would answer as a bare 400). Under /api/ these become the same
``{"code", "message"}`` JSON, in the request's language, so a client never
has to parse HTML.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from core.errors import RequestTooLarge

API_PREFIX = "/api/"


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message}, status=status)


class ApiEdgeErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or response.get("Content-Type", "").startswith(
            "application/json"
        ):
            return response
        if response.status_code == 405:
            answer = _error(
                405,
                "method_not_allowed",
                _("This address does not take this kind of request."),
            )
            answer["Allow"] = response.get("Allow", "")
            return answer
        if response.status_code == 404:
            return _error(404, "not_found", _("We could not find what you asked for."))
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        too_big = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)
        if request.path.startswith(API_PREFIX) and isinstance(exception, too_big):
            too_large = RequestTooLarge()
            return _error(too_large.http_status, too_large.code, str(too_large.message))
        return None
