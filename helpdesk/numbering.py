"""Readable case numbers: <province initials>-<year>-<sequence>, e.g. TN-2026-00123."""

from __future__ import annotations

import unicodedata
from datetime import datetime

from django.db import connection

from geo.models import AdminUnit
from helpdesk.models import TicketCounter

UNROUTED_PREFIX = "VN"


def province_prefix(*, province: AdminUnit | None) -> str:
    """Return the initials of a province's name (Thái Nguyên → TN)."""
    if province is None:
        return UNROUTED_PREFIX
    plain = unicodedata.normalize("NFD", province.name.replace("Đ", "D").replace("đ", "d"))
    letters = [word[0] for word in plain.split() if word and word[0].isalpha()]
    return "".join(letters).upper()[:4] or UNROUTED_PREFIX


def case_number_next(*, province: AdminUnit | None, at: datetime) -> str:
    """Take the next number of the province's yearly sequence (call inside a transaction).

    One statement: the year's counter row is created at 1 or incremented, and
    the new value returned. The upsert holds the row's lock until the
    transaction ends, so concurrent filings never share a number, and numbers
    have no gaps except for rolled-back filings. (Reading, incrementing and
    reading again cost every filing three round trips.)
    """
    prefix = province_prefix(province=province)
    table = connection.ops.quote_name(TicketCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (prefix, year, last) VALUES (%s, %s, 1) "  # noqa: S608 - the table name is the model's own
            f"ON CONFLICT (prefix, year) DO UPDATE SET last = {table}.last + 1 "
            "RETURNING last",
            [prefix, at.year],
        )
        (last,) = cursor.fetchone()
    return case_number_format(prefix=prefix, year=at.year, sequence=last)


def case_number_format(*, prefix: str, year: int, sequence: int) -> str:
    """A case number as filing writes it: "TN-2026-00633" (the sequence
    padded to five digits, longer past 99,999). The queue's search builds
    the numbers a bare "633" can be with it (helpdesk/selectors.py)."""
    return f"{prefix}-{year}-{sequence:05d}"
