"""What Open311 refuses, each with a stable code and a sentence in the reader's language.

GeoReport v2 answers errors as a list of ``{code, description}`` whose code
is the HTTP status (400, 403, 404); open311/render.py writes them, and
``open311_status`` maps every domain error, the case core's included, to that
status once, as ``open311_description`` gives the sentence (the case core's,
or Open311's own where the core's speaks of a form an Open311 client has not).
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied
from helpdesk.filing_errors import PhotoRequired


class MissingParameter(DomainError):
    code = "missing_parameter"
    http_status = 400

    def __init__(self, name: str) -> None:
        super().__init__(
            _("The parameter %(name)s is required.") % {"name": name}, details={"name": name}
        )


class InvalidParameter(DomainError):
    code = "invalid_parameter"
    http_status = 400

    def __init__(self, name: str) -> None:
        super().__init__(
            _("The parameter %(name)s is not valid.") % {"name": name}, details={"name": name}
        )


class ParameterRepeated(DomainError):
    code = "parameter_repeated"
    http_status = 400

    def __init__(self, name: str) -> None:
        super().__init__(
            _("The parameter %(name)s was sent more than once with different values. Send it once.")
            % {"name": name},
            details={"name": name},
        )


class InvalidDate(DomainError):
    code = "invalid_date"
    http_status = 400
    template = _(
        "%(name)s must be an ISO 8601 date and time with its time zone: "
        "YYYY-MM-DDThh:mm, then optionally :ss and a fraction of a second, then Z or "
        "an offset +hh:mm, +hhmm or +hh, e.g. 2026-12-04T08:00:00+07:00, "
        "2026-12-04T01:00:00.0000000Z or 2026-12-04T08:00+07."
    )

    def __init__(self, name: str) -> None:
        super().__init__(self.template % {"name": name}, details={"name": name})


class DateOutOfRange(InvalidDate):
    """A date whose 90-day window would pass year 1 or year 9999 (Python's calendar)."""

    code = "date_out_of_range"
    template = _("%(name)s is too far in the past or in the future.")


class TimeZoneOutOfRange(InvalidDate):
    """An offset no time zone uses: Python reads up to ±23:59, PostgreSQL only ±15:59."""

    code = "time_zone_out_of_range"
    template = _(
        "The time zone of %(name)s is not one any place uses: offsets go from -12:00 to +14:00."
    )


class DateRangeTooLong(DomainError):
    code = "date_range_too_long"
    http_status = 400
    default_message = _("start_date and end_date may not be more than 90 days apart.")


class DateRangeReversed(DomainError):
    code = "date_range_reversed"
    http_status = 400
    default_message = _("start_date must be before end_date.")


class InvalidStatus(DomainError):
    code = "invalid_status"
    http_status = 400
    default_message = _("status must be open or closed, or both separated by a comma.")


class InvalidPageSize(DomainError):
    code = "invalid_page_size"
    http_status = 400
    default_message = _("page_size must be a whole number from 1 to 1000.")


class PageOutOfRange(DomainError):
    """A page starting past core.api_fields.MAX_OFFSET (a million rows), as in the JSON API."""

    code = "page_out_of_range"
    http_status = 400
    default_message = _(
        "page may not start after the first million rows: "
        "narrow the dates or the other filters instead."
    )


class LocationMissing(DomainError):
    code = "location_missing"
    http_status = 400
    default_message = _("Send the place as lat and long, or as address_string.")


class OutsideJurisdiction(InvalidInput):
    code = "outside_jurisdiction"
    default_message = _("This place is not in the province named by jurisdiction_id.")


class InvalidAttribute(InvalidInput):
    code = "invalid_attribute"

    def __init__(self, code: str) -> None:
        super().__init__(
            _("The answer to attribute[%(code)s] is missing or not valid.") % {"code": code},
            details={"attribute": code},
        )


class ApiKeyMissing(PermissionDenied):
    code = "api_key_missing"
    default_message = _("An api_key is required to submit a request.")


class ApiKeyInvalid(PermissionDenied):
    code = "api_key_invalid"
    default_message = _("This api_key is not valid.")


class ApiKeyRevoked(PermissionDenied):
    code = "api_key_revoked"
    default_message = _("This api_key has been revoked.")


class UnknownJurisdiction(NotFound):
    code = "unknown_jurisdiction"
    default_message = _("There is no jurisdiction with this jurisdiction_id.")


class ServiceNotFound(NotFound):
    """An unknown service_code, in a service definition's path or a POST (the
    spec's 404 "service_code ... was not found" for both)."""

    code = "service_not_found"
    default_message = _(
        "There is no service with this service_code: services.json lists the service codes."
    )


class RequestNotFound(NotFound):
    code = "request_not_found"
    default_message = _("There is no service request with this id.")


class TokenNotFound(NotFound):
    code = "token_not_found"
    default_message = _("There is no service request with this token.")


class PathNotFound(NotFound):
    code = "path_not_found"
    default_message = _(
        "There is nothing at this address. GeoReport v2 resources end in .json or .xml, "
        "e.g. /open311/v2/services.json."
    )


class MethodNotAllowed(DomainError):
    code = "method_not_allowed"
    http_status = 405
    default_message = _("This method is not allowed here.")


class NotFormEncoded(DomainError):
    """A POST whose body is not a form (JSON, XML, text): its fields cannot be
    read, and answering for the first missing one ("api_key required") sent
    a client that did send its key looking for the wrong mistake."""

    code = "not_form_encoded"
    http_status = 415
    default_message = _(
        "GeoReport v2 requests are sent as a form: Content-Type "
        "application/x-www-form-urlencoded, or multipart/form-data to upload photos."
    )


class KeyReused(Conflict):
    """An Idempotency-Key sent again with another content. The case core's
    sentence names the first case by its case number, which its own resident
    may read; Open311 never shows case numbers, so the first request is named
    by its service_request_id (a key is one application's own: open311/filing.py)."""

    code = "idempotency_key_reused"

    def __init__(self, *, service_request_id: str) -> None:
        super().__init__(
            _(
                "This Idempotency-Key was already used for service request %(id)s, "
                "with a different content. Send a new key to file another request."
            )
            % {"id": service_request_id},
            details={"service_request_id": service_request_id},
        )


# The case core's refusals whose sentence is written for its own forms
# ("add a photo" beside a photo button): an Open311 client is told how to do
# it with GeoReport's fields. Other channels keep the core's sentence.
_CORE_SENTENCES: dict[str, Promise] = {
    PhotoRequired.code: _(
        "This service needs at least one photo of the problem: upload it as the field "
        "media of a multipart/form-data POST. A media_url alone does not count: "
        "it is kept as a link and never fetched."
    ),
}


def open311_status(error: DomainError) -> int:
    """The HTTP status of an error in Open311: the spec knows 400, not 422."""
    return 400 if error.http_status == 422 else error.http_status


def open311_description(error: DomainError) -> str:
    """The sentence an Open311 client reads for ``error``, in the active language.

    By code, so that several refusals answered together (core.errors.Refusals,
    which answers as its first) read the same as that one alone."""
    return str(_CORE_SENTENCES.get(error.code, error.message))
