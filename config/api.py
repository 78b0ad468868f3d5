"""The one NinjaAPI of XaDesk, mounted at /api/v1/.

Every app contributes a Router from its own ``api.py``. Domain errors are mapped
to HTTP statuses here, in one place, as ``{"code", "message"}`` bodies whose
message is in the request's language (LocaleMiddleware has activated it).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema

from accounts.api import router as auth_router
from alerts.api import router as alerts_router
from config.api_schema import error_responses_add
from config.db_outage import media_outage_log
from core.errors import (
    DatabaseUnavailable,
    DomainError,
    MalformedRequest,
    MediaUnavailable,
    RequestTooLarge,
    TooManyRequests,
    Unavailable,
)
from core.media_outage import media_outage
from geo.api import router as geo_router
from helpdesk.api import router as helpdesk_router
from knowledge.api import router as kb_router
from notifications.api import router as notifications_router
from reports.api import router as reports_router
from scams.api import router as scams_router


def status_for(error: DomainError) -> int:
    """Return the HTTP status of a domain error (its family decides, see core.errors)."""
    return error.http_status


class XaDeskApi(NinjaAPI):
    """The NinjaAPI whose schema lists every operation's error answers (config/api_schema.py)."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        error_responses_add(schema)
        return schema


api = XaDeskApi(
    title="XaDesk API",
    version="1",
    description="Citizen field reports and public-service help requests, routed to communes.",
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    body: dict[str, Any] = {"code": exc.code, "message": str(exc.message)}
    details = dict(exc.details)
    refused = exc.field_refusals()
    if refused and "fields" not in details:
        # The shape a 422 of the schema's own checks has: a client marks the
        # field the same way whichever check refused it (core.errors.Refusals:
        # every input of a request at once).
        details["fields"] = [{"field": name, "problem": str(problem)} for name, problem in refused]
    if details:
        body["details"] = details
    response = api.create_response(request, body, status=status_for(exc))
    if isinstance(exc, (TooManyRequests, Unavailable)) and "retry_after" in exc.details:
        response["Retry-After"] = str(exc.details["retry_after"])
    return response


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def on_database_outage(request: HttpRequest, exc: Exception) -> HttpResponse:
    # The operation's transaction was rolled back: safe to send again
    # (config/db_outage.py says why this is a 503 and not a 500).
    return on_domain_error(request, DatabaseUnavailable())


@api.exception_handler(BotoCoreError)
@api.exception_handler(ClientError)
def on_media_outage(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Nothing was saved (core/media_outage.py says why): safe to send again.
    if not media_outage(exc):
        # A request the bucket refused as malformed is a mistake to fix: a 500.
        raise exc
    media_outage_log(request, exc)
    return on_domain_error(request, MediaUnavailable())


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields = [
        {
            "field": ".".join(str(part) for part in error.get("loc", ()) if part != "body"),
            "problem": error.get("msg", ""),
        }
        for error in exc.errors
    ]
    body = {
        "code": "invalid_input",
        "message": _("Some of the information sent is not valid. Please check it and try again."),
        "details": {"fields": fields},
    }
    return api.create_response(request, body, status=422)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    body = {"code": "not_authenticated", "message": _("Please log in first.")}
    return api.create_response(request, body, status=401)


@api.exception_handler(MultiPartParserError)
def on_unreadable_form(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    # A multipart body without its boundary, or cut off: the client's to fix.
    return on_domain_error(request, MalformedRequest())


@api.exception_handler(RequestDataTooBig)
def on_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return on_domain_error(request, RequestTooLarge())


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:
        # ninja's own words ("Cannot parse request body (Expecting value...)")
        # are for developers; the code says what it was.
        return on_domain_error(request, MalformedRequest())
    else:
        body = {"code": "http_error", "message": str(exc.message)}
    return api.create_response(request, body, status=exc.status_code)


api.add_router("/alerts/", alerts_router, tags=["alerts"])
api.add_router("/auth/", auth_router, tags=["auth"])
api.add_router("/geo/", geo_router, tags=["geo"])
api.add_router("/helpdesk/", helpdesk_router, tags=["helpdesk"])
api.add_router("/kb/", kb_router, tags=["knowledge base"])
api.add_router("/notifications/", notifications_router, tags=["notifications"])
api.add_router("/reports/", reports_router, tags=["reports"])
api.add_router("/scams/", scams_router, tags=["scam check"])
