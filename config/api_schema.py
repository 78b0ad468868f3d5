"""The error answers every API operation can give, written into its OpenAPI entry.

Every error leaves the API through config/api.py as ``{"code", "message",
"details"?}``, so clients need to know which statuses to expect. Listing them
by hand on each operation is how they went missing (a fuzzer met 58 answers
the schema did not mention); here they are added to every operation from what
the operation is: 401 where it needs a login, 404 where its path names
something, 413 and 415 where it takes a body. A status the operation
documents itself (with its own shape) is left as it is.
"""

from __future__ import annotations

from typing import Any

from core.api_fields import Error

# The one error class (core/api_fields.Error): the entry listed here is the
# one an operation documenting an error status itself refers to by name.
ERROR_SCHEMA_NAME = Error.__name__
ERROR_SCHEMA: dict[str, Any] = Error.model_json_schema()

# Status -> what it means, for every operation.
_ALWAYS = {
    400: "The request could not be read (not JSON, or not the declared encoding).",
    403: (
        "The person may not do this; `csrf_failed`: a page's script sent the session "
        "cookie without the page's current CSRF token (reload the page)."
    ),
    409: "The request clashes with the current state (an illegal move, a reused key).",
    # nginx's answer (scripts/nginx-refusals.conf), code uri_too_long: no query this
    # API takes comes near it, but a client building one from user input may.
    414: "The address with its query is over 8 KB.",
    422: "A value is missing or not valid; `details.fields` names them.",
    429: "Too many requests; wait the seconds of the Retry-After header.",
    503: (
        "A service the request needs is down for a moment (`database_unavailable`, "
        "`media_unavailable` for the bucket of photos and voice notes, `unavailable`); "
        "nothing was saved: send it again after the Retry-After header's seconds. "
        "`save_unconfirmed`: the connection broke during the save and it may have "
        "been saved; send it again with the same Idempotency-Key, which gives back "
        "a saved case or message instead of saving it twice."
    ),
}
_WITH_LOGIN = {401: "Not logged in: send a bearer token or the session cookie."}
_WITH_PATH_PARAMETER = {404: "No such thing, or not one the person may see."}
_WITH_BODY = {
    413: "The request body is too large.",
    415: "The body is not of a type this operation takes.",
}


# The abuse limits (core/rate_limits.py), the one-time-code limits and an
# outage of the database or the media bucket (config/db_outage.py) say how
# long to wait in a header too,
# for clients that do not read the body.
_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "minimum": 1},
    }
}


def _error_response(status: int, description: str) -> dict[str, Any]:
    ref = {"$ref": f"#/components/schemas/{ERROR_SCHEMA_NAME}"}
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": ref}},
    }
    if status in (429, 503):
        response["headers"] = _RETRY_AFTER
    return response


def error_responses_add(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the error answers to every operation of ``schema`` (in place; returned)."""
    schema.setdefault("components", {}).setdefault("schemas", {})[ERROR_SCHEMA_NAME] = ERROR_SCHEMA
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            errors = dict(_ALWAYS)
            if operation.get("security"):
                errors |= _WITH_LOGIN
            if "{" in path:
                errors |= _WITH_PATH_PARAMETER
            if "requestBody" in operation:
                errors |= _WITH_BODY
            responses = operation["responses"]
            for status, description in errors.items():
                # ninja keys the statuses it writes by int; JSON turns both into strings.
                if status not in responses and str(status) not in responses:
                    responses[status] = _error_response(status, description)
    return schema
