"""Field types the API's schemas share, so the OpenAPI schema says exactly what
the server accepts (a fuzzer found the schema promising more: any float for a
latitude, an unbounded offset that broke the database, times in a format the
server refused).

The apps' ``api.py`` modules import these; they sit in core because every app
below config may use them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import time
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from ninja.schema import DjangoGetter
from pydantic import ConfigDict, PlainSerializer, PlainValidator, WithJsonSchema, model_validator

from core.errors import InvalidCharacters, InvalidInput
from core.pagination import COUNT_CAP, count_capped

CLOCK_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"


def _clock_in(value: Any) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, str) and re.fullmatch(CLOCK_PATTERN, value):
        return time.fromisoformat(value)
    raise ValueError("a time of day as HH:MM or HH:MM:SS, e.g. 21:30")


# A time of day on a wall clock: "HH:MM" or "HH:MM:SS" in, "HH:MM:SS" out (as
# published). Not the schema's "time" format: RFC 3339 requires a UTC offset,
# and quiet hours are the person's own local time.
Clock = Annotated[
    time,
    PlainValidator(_clock_in),
    PlainSerializer(lambda value: value.strftime("%H:%M:%S"), return_type=str),
    WithJsonSchema({"type": "string", "pattern": CLOCK_PATTERN, "examples": ["21:30:00"]}),
]


# One class for the whole API. OpenAPI names a schema after its class, and two
# classes of one name overwrite each other in the published schema: accounts'
# and geo's own ``ErrorOut`` did (and a scam check's ``ArticleOut`` replaced the
# knowledge base's, so the article answer broke its published schema: a fuzzer
# against make run found it; tests/config/test_api_schema.py now refuses any clash).
# config/api_schema.py lists this on every operation; an operation that
# documents an error status itself (a lookup outside the country's 404) names
# this class. Its docstring is published.
class Error(Schema):
    """The body of every error answer."""

    code: str = Field(
        description="Stable: clients branch on it (e.g. case_not_found, invalid_input)."
    )
    message: str = Field(description="A sentence for the person, in the request's language.")
    details: dict[str, Any] = Field(
        default_factory=dict,
        description="More about the error where there is more: `fields` (which values are "
        "not valid), `retry_after` (seconds), `allowed` (the moves that are).",
    )


# An offset past any real list and a page size past any screen: both are
# refused with a 422, not sent to PostgreSQL (which fails past a bigint).
MAX_OFFSET = 1_000_000
MAX_LIMIT = 200
DEFAULT_LIMIT = 100


class BoundedLimitOffset(LimitOffsetPagination):
    """LimitOffsetPagination with upper bounds on limit and offset (in the schema too)."""

    class Input(LimitOffsetPagination.Input):
        limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)


class CappedLimitOffset(BoundedLimitOffset):
    """BoundedLimitOffset whose ``count`` stops at COUNT_CAP + 1 (core/pagination.py):
    a count of COUNT_CAP + 1 means "more than COUNT_CAP"; the items are exact.

    ``rows``: what turns the page's slice of the queryset into the answer's
    items (helpdesk.case_rows.case_rows reads them as plain values); without
    it the items are the model instances.
    """

    def __init__(
        self, *, rows: Callable[[QuerySet[Any]], list[dict[str, Any]]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.rows = rows

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        if self.rows is not None:
            page[self.items_attribute] = self.rows(page[self.items_attribute])
        return page

    async def apaginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        # ``rows`` reads the database synchronously; no async view uses it yet.
        if self.rows is not None:
            raise TypeError("CappedLimitOffset(rows=...) serves sync views only")
        return await super().apaginate_queryset(queryset, pagination, request, **params)

    def _items_count(self, queryset: Any) -> int:
        return count_capped(queryset, COUNT_CAP)


def unstorable_refuse(value: Any) -> None:
    """Raise InvalidCharacters if any text in ``value`` (nested) holds a NUL,
    which PostgreSQL cannot store (config/storable_input.py), or half of a UTF-16
    pair: JSON may escape one alone (``\\ud800``), and no UTF-8 text, in the
    database or in a socket's frame, can hold it (it was a 500 in the scam
    check's text)."""
    if isinstance(value, str):
        if "\x00" in value or (not value.isascii() and not _utf8_encodable(value)):
            raise InvalidCharacters()
    elif isinstance(value, dict):
        for key, item in value.items():
            unstorable_refuse(key)
            unstorable_refuse(item)
    elif isinstance(value, list | tuple):
        for item in value:
            unstorable_refuse(item)


def _utf8_encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class JsonBody(Schema):
    """A JSON request body: an object, and its booleans and numbers as JSON types.

    ninja's schemas read attributes from any object, so a body of a bare
    string met a schema whose fields all have defaults and was accepted as
    empty, and "true" passed for a boolean (found by a fuzzer). Bodies are
    JSON objects, and the schema says what their values are.
    """

    model_config = ConfigDict(strict=True)

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, value: Any) -> Any:
        # ninja hands the parsed body over wrapped in a DjangoGetter.
        parsed = value._obj if isinstance(value, DjangoGetter) else value
        if not isinstance(parsed, dict):
            raise ValueError("the body must be a JSON object")
        return value

    @model_validator(mode="after")
    def _storable_text(self) -> JsonBody:
        # The fields the operation reads, not keys it ignores. A DomainError
        # passes through pydantic to config/api.py: 422 invalid_characters.
        unstorable_refuse(self.model_dump())
        return self


class NotAFile(InvalidInput):
    """A field that takes files (photos) came as text."""

    code = "not_a_file"
    default_message = _("The photos did not arrive as files. Please choose them again and send.")


# What the person is asked to choose again, by field; photos by default.
_NOT_A_FILE = {
    "voice": _(
        "The voice note did not arrive as a file. Please record or choose it again and send."
    ),
}


def uploads_of(request: HttpRequest, name: str, files: list[Any] | None) -> list[Any]:
    """The files sent under ``name``; refuses the request if ``name`` came as text.

    A multipart part without a filename is a text field: ninja would leave the
    file list empty and the report would go without the photos the person
    meant to send (found by the fuzzer's stateful phase). Better refused,
    so the client says what went wrong and the draft keeps its photos.

    An empty one is a file input left empty: a browser sends it with an
    empty filename, which Django reads as text (a report posted without
    JavaScript and without a voice note was refused for its "voice").
    """
    if any(request.POST.getlist(name)):
        raise NotAFile(
            _NOT_A_FILE.get(name),
            details={"fields": [{"field": name, "problem": "not a file"}]},
        )
    return list(files or [])


# What a submission key may be: ASCII letters, digits, '-' and '_', 8 to 128 of
# them. helpdesk/idempotency.py key_check refuses anything else (422).
IDEMPOTENCY_KEY_PATTERN = "[A-Za-z0-9_-]{8,128}"

# The header the filing and reply operations read. Their views take it from the
# request themselves (ninja's signature has no header parameter for it), so the
# schema names it here; key_check enforces the pattern.
IDEMPOTENCY_KEY_HEADER: dict[str, Any] = {
    "parameters": [
        {
            "name": "Idempotency-Key",
            "in": "header",
            "required": False,
            "description": (
                "A key the client makes once per submission (8 to 128 letters, digits, "
                "'-' or '_') and sends again on every retry of it: a retry with the same "
                "content gets the first answer back instead of saving it twice; other "
                "content under a used key is refused with 409 `idempotency_key_reused`."
            ),
            "schema": {"type": "string", "pattern": f"^{IDEMPOTENCY_KEY_PATTERN}$"},
        }
    ]
}
