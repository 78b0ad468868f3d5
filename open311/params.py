"""Reading GeoReport v2 parameters the way the specification writes them.

Rules from the spec, in one place: an empty parameter is a missing one
(``status=`` filters nothing); lists are comma separated (``status=open,closed``);
dates are ISO 8601 with a time zone (``Z`` or ``+07:00``), and one without a
zone is refused rather than guessed: a server in Vietnam and a client in UTC
would read it seven hours apart.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from open311.errors import (
    DateRangeReversed,
    DateRangeTooLong,
    InvalidDate,
    InvalidPageSize,
    InvalidParameter,
    InvalidStatus,
)

MAX_RANGE = timedelta(days=90)
MAX_ROWS = 1000
# The date and the time are both required; seconds and fractions are not.
_ISO_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$", re.IGNORECASE
)
STATUSES = ("open", "closed")


def text(params: Mapping[str, str], name: str) -> str | None:
    """The parameter, stripped; None when it is missing or empty."""
    value = params.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def words(params: Mapping[str, str], name: str) -> list[str]:
    """A comma-separated list, without empty items (``a,,b`` is ``a,b``)."""
    value = text(params, name)
    if value is None:
        return []
    return [item.strip() for item in value.split(",") if item.strip()]


def moment(params: Mapping[str, str], name: str) -> datetime | None:
    value = text(params, name)
    if value is None:
        return None
    if not _ISO_DATETIME.match(value):
        raise InvalidDate(name)
    try:
        parsed = datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidDate(name) from None
    if parsed.tzinfo is None:  # pragma: no cover - the pattern requires a zone
        raise InvalidDate(name)
    return parsed


def number(params: Mapping[str, str], name: str, *, low: float, high: float) -> float | None:
    value = text(params, name)
    if value is None:
        return None
    try:
        parsed = float(value)
    except ValueError:
        raise InvalidParameter(name) from None
    if not low <= parsed <= high:
        raise InvalidParameter(name)
    return parsed


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
        return Window(start, start + MAX_RANGE)
    if end is not None:
        return Window(end - MAX_RANGE, end)
    end = now or timezone.now()
    return Window(end - MAX_RANGE, end)


@dataclass(frozen=True)
class Page:
    number: int
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def page(params: Mapping[str, str]) -> Page:
    """The paging extension: ``page`` from 1, ``page_size`` up to the spec's 1,000 rows."""
    try:
        size = int(text(params, "page_size") or MAX_ROWS)
    except ValueError:
        raise InvalidPageSize() from None
    if not 1 <= size <= MAX_ROWS:
        raise InvalidPageSize()
    try:
        number_ = int(text(params, "page") or 1)
    except ValueError:
        raise InvalidParameter("page") from None
    if number_ < 1:
        raise InvalidParameter("page")
    return Page(number_, size)
