"""Reading GeoReport v2 parameters the way the specification writes them.

Rules from the spec, in one place: an empty parameter is a missing one
(``status=`` filters nothing); lists are comma separated (``status=open,closed``),
and a list parameter sent more than once is read whole (``status=open&status=closed``
is both, where Django's ``QueryDict.get`` would keep the last); a single value
sent twice with different values is refused rather than one of them guessed;
dates are ISO 8601 with a time zone (``Z``, ``+07:00``, ``+0700`` or ``+07``),
and one without a zone is refused rather than guessed: a server in Vietnam and
a client in UTC would read it seven hours apart. Numbers are ASCII digits only: Python's
``int`` and ``float`` also take ``1_0``, ``+5``, other scripts' digits and
``nan``, which no GeoReport client means.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from core.api_fields import MAX_OFFSET
from open311.errors import (
    DateOutOfRange,
    DateRangeReversed,
    DateRangeTooLong,
    InvalidDate,
    InvalidPageSize,
    InvalidParameter,
    InvalidStatus,
    NotFormEncoded,
    PageOutOfRange,
    ParameterRepeated,
    TimeZoneOutOfRange,
)

MAX_RANGE = timedelta(days=90)
MAX_ROWS = 1000
# The date and the time are both required; seconds and fractions are not.
# A fraction may have any number of digits (.NET writes 7, Java up to 9) and
# ISO 8601's comma; an offset may be hours alone (+07).
_ISO_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}([.,]\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$", re.IGNORECASE
)
# A fraction's digits past the microseconds Python and PostgreSQL keep: dropped
# (truncated, not rounded, so that a time never moves into the next second).
_FRACTION = re.compile(r"[.,](\d{1,6})\d*")
# The offsets time zones use (Baker Island, Kiribati). Python takes up to
# ±23:59, PostgreSQL only ±15:59: past these a client has a bug to hear about.
OFFSETS = (timedelta(hours=-12), timedelta(hours=14))
WHOLE = re.compile(r"[0-9]+")
DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
STATUSES = ("open", "closed")


def _sent(params: Mapping[str, str], name: str) -> list[str]:
    """Every value sent for ``name``, stripped, empty ones left out."""
    values = params.getlist(name) if isinstance(params, MultiValueDict) else [params.get(name)]
    return [value.strip() for value in values if value is not None and value.strip()]


def text(params: Mapping[str, str], name: str) -> str | None:
    """The parameter, stripped; None when it is missing or empty.

    Sent twice with the same value, it is that value; with different values,
    ParameterRepeated: ``jurisdiction_id=19&jurisdiction_id=20`` means no one
    province, and taking the last would answer for one the client may not mean.
    """
    values = _sent(params, name)
    if not values:
        return None
    if any(value != values[0] for value in values[1:]):
        raise ParameterRepeated(name)
    return values[0]


def words(params: Mapping[str, str], name: str) -> list[str]:
    """A comma-separated list, without empty items (``a,,b`` is ``a,b``), from every
    time the parameter was sent; an item given twice is kept once."""
    items = (item.strip() for value in _sent(params, name) for item in value.split(","))
    return list(dict.fromkeys(item for item in items if item))


def moment(params: Mapping[str, str], name: str) -> datetime | None:
    value = text(params, name)
    if value is None:
        return None
    if not _ISO_DATETIME.match(value):
        raise InvalidDate(name)
    normal = _FRACTION.sub(lambda digits: "." + digits[1], value.upper().replace("Z", "+00:00"))
    try:
        parsed = datetime.fromisoformat(normal)
    except ValueError:
        raise InvalidDate(name) from None
    offset = parsed.utcoffset()
    if offset is None:  # pragma: no cover - the pattern requires a zone
        raise InvalidDate(name)
    if not OFFSETS[0] <= offset <= OFFSETS[1]:
        raise TimeZoneOutOfRange(name)
    return parsed


# The two encodings GeoReport v2 POSTs are sent in (Django parses only these).
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def form_of(request: HttpRequest) -> QueryDict:
    """The POST's fields, a copy to add to; NotFormEncoded for a body of another type.

    A body in JSON (or anything else) would read as no fields at all and be
    refused for the first one missing, the api_key, which the client did
    send. A POST with no body and no type is let through: its fields are all
    missing, and it is refused for those."""
    sent_body = request.META.get("CONTENT_LENGTH") not in (None, "", "0")
    if request.content_type not in FORM_TYPES and (request.content_type or sent_body):
        raise NotFormEncoded()
    return request.POST.copy()


def number(params: Mapping[str, str], name: str, *, low: float, high: float) -> float | None:
    """A decimal number (``-21.5``, ``105``) from ``low`` to ``high``; no exponent."""
    value = text(params, name)
    if value is None:
        return None
    if not DECIMAL.fullmatch(value):
        raise InvalidParameter(name)
    parsed = float(value)
    if not low <= parsed <= high:
        raise InvalidParameter(name)
    return parsed


def _whole(params: Mapping[str, str], name: str, *, default: int) -> int:
    """A whole number in ASCII digits, ``default`` when it is missing; ValueError otherwise."""
    value = text(params, name)
    if value is None:
        return default
    if not WHOLE.fullmatch(value):
        raise ValueError(value)
    return int(value)  # ValueError past Python's 4,300 digits too


def statuses(params: Mapping[str, str]) -> list[str]:
    wanted = [item.lower() for item in words(params, "status")]
    if any(item not in STATUSES for item in wanted):
        raise InvalidStatus()
    return wanted


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime


def window(params: Mapping[str, str], *, now: datetime | None = None) -> Window:
    """start_date/end_date: at most 90 days apart; the last 90 days when both are
    missing, the 90 days after start_date or before end_date when one is."""
    start, end = moment(params, "start_date"), moment(params, "end_date")
    if start is not None and end is not None:
        if start > end:
            raise DateRangeReversed()
        if end - start > MAX_RANGE:
            raise DateRangeTooLong()
        return Window(start, end)
    if start is not None:
        return Window(start, _shifted(start, MAX_RANGE, "start_date"))
    if end is not None:
        return Window(_shifted(end, -MAX_RANGE, "end_date"), end)
    end = now or timezone.now()
    return Window(end - MAX_RANGE, end)


def _shifted(edge: datetime, delta: timedelta, name: str) -> datetime:
    """``edge + delta``, refused when it passes Python's calendar (years 1 to 9999)."""
    try:
        return edge + delta
    except OverflowError:
        raise DateOutOfRange(name) from None


@dataclass(frozen=True)
class Page:
    number: int
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def page(params: Mapping[str, str]) -> Page:
    """The paging extension: ``page`` from 1, ``page_size`` up to the spec's 1,000 rows.

    A page may start at most MAX_OFFSET rows in, as in the JSON API: an
    offset past it lists nothing anyone reads, and past a bigint PostgreSQL
    fails."""
    try:
        size = _whole(params, "page_size", default=MAX_ROWS)
    except ValueError:
        raise InvalidPageSize() from None
    if not 1 <= size <= MAX_ROWS:
        raise InvalidPageSize()
    try:
        number_ = _whole(params, "page", default=1)
    except ValueError:
        raise InvalidParameter("page") from None
    if number_ < 1:
        raise InvalidParameter("page")
    result = Page(number_, size)
    if result.offset > MAX_OFFSET:
        raise PageOutOfRange()
    return result
