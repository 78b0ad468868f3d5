"""Readable case numbers: <province initials>-<year>-<sequence>, e.g. TN-2026-00123."""

from __future__ import annotations

import unicodedata
from datetime import datetime

from django.db.models import F

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

    The counter row is incremented with UPDATE … RETURNING under its row lock,
    so concurrent filings never share a number and numbers have no gaps except
    for rolled-back filings.
    """
    prefix = province_prefix(province=province)
    TicketCounter.objects.get_or_create(prefix=prefix, year=at.year)
    updated = (
        TicketCounter.objects.filter(prefix=prefix, year=at.year)
        .select_for_update()
        .update(last=F("last") + 1)
    )
    assert updated == 1
    last = TicketCounter.objects.values_list("last", flat=True).get(prefix=prefix, year=at.year)
    return f"{prefix}-{at.year}-{last:05d}"
