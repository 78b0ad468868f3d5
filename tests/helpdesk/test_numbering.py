"""Case numbers: one yearly sequence per province, never shared, one statement each."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from geo.models import AdminUnit
from helpdesk.models import TicketCounter
from helpdesk.numbering import case_number_next
from tests.races import race_while_held

THAI_NGUYEN = AdminUnit(name="Thái Nguyên")
LANG_SON = AdminUnit(name="Lạng Sơn")
TABLE = connection.ops.quote_name(TicketCounter._meta.db_table)


def _at(year: int) -> datetime:
    return datetime(year, 6, 1, 9, tzinfo=timezone.get_default_timezone())


@pytest.mark.django_db
def test_each_province_and_year_counts_from_one_in_one_statement(
    django_assert_num_queries: Any,
) -> None:
    with django_assert_num_queries(1):
        first = case_number_next(province=THAI_NGUYEN, at=_at(2026))
    with django_assert_num_queries(1):
        second = case_number_next(province=THAI_NGUYEN, at=_at(2026))
    assert (first, second) == ("TN-2026-00001", "TN-2026-00002")
    assert case_number_next(province=LANG_SON, at=_at(2026)) == "LS-2026-00001"
    assert case_number_next(province=THAI_NGUYEN, at=_at(2027)) == "TN-2027-00001"
    assert case_number_next(province=None, at=_at(2026)) == "VN-2026-00001"
    assert case_number_next(province=THAI_NGUYEN, at=_at(2026)) == "TN-2026-00003"
    assert TicketCounter.objects.get(prefix="TN", year=2026).last == 3


@pytest.mark.usefixtures("committed_reference_data")
def test_filings_racing_for_the_counter_each_get_their_own_number() -> None:
    """Three filings wait on the counter's row lock, then take it in turn."""
    case_number_next(province=THAI_NGUYEN, at=_at(2026))  # the row exists, at 1
    counter = TicketCounter.objects.get(prefix="TN", year=2026)
    numbers = _three_racing(
        2026,
        hold=f"SELECT 1 FROM {TABLE} WHERE id = %s FOR UPDATE",  # noqa: S608 - a model's own table
        params=[counter.pk],
    )
    assert sorted(numbers) == ["TN-2026-00002", "TN-2026-00003", "TN-2026-00004"]


@pytest.mark.usefixtures("committed_reference_data")
@pytest.mark.parametrize(
    ("release", "expected"),
    [("COMMIT", ["00002", "00003", "00004"]), ("ROLLBACK", ["00001", "00002", "00003"])],
)
def test_the_first_filings_of_a_year_racing_to_create_its_counter(
    release: str, expected: list[str]
) -> None:
    """The year's counter row does not exist yet: another filing is creating it
    (uncommitted) while three more arrive. They wait for it, then count on from
    what it left: after its 1 if it commits, from 1 if it rolls back."""
    numbers = _three_racing(
        2031,
        hold=f"INSERT INTO {TABLE} (prefix, year, last) VALUES (%s, %s, 1)",  # noqa: S608 - a model's own table
        params=["TN", 2031],
        release=release,
    )
    assert sorted(numbers) == [f"TN-2031-{n}" for n in expected]


def _three_racing(
    year: int, *, hold: str, params: list[int | str], release: str = "COMMIT"
) -> list[str]:
    """The numbers three filings of ``year`` take while ``hold`` keeps them waiting."""
    numbers: list[str] = []

    def take() -> None:
        with transaction.atomic():
            numbers.append(case_number_next(province=THAI_NGUYEN, at=_at(year)))

    race_while_held(take, hold=hold, params=params, release=release, racers=3)
    return numbers
