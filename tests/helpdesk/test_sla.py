"""The SLA clock: working-hour arithmetic, the calendar, and the status shown."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils.translation import override
from pytest_django import DjangoAssertNumQueries

from geo.models import AdminUnit
from helpdesk.models import Holiday
from helpdesk.sla import (
    OFFICE_TZ,
    SlaState,
    WorkingCalendar,
    sla_status,
    working_deadline,
    working_time_between,
)

PLAIN = WorkingCalendar()
# Tết Bính Ngọ 2026: off Saturday 14/2 to Sunday 22/2.
TET_2026 = WorkingCalendar(holidays=[dt.date(2026, 2, day) for day in range(16, 21)])
# New Year 2026: Friday 2/1 off, made up on Saturday 10/1.
NEW_YEAR_2026 = WorkingCalendar(
    holidays=[dt.date(2026, 1, 1), dt.date(2026, 1, 2)], working_days=[dt.date(2026, 1, 10)]
)


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=OFFICE_TZ)


# --- working_deadline ---------------------------------------------------------


def test_friday_afternoon_case_is_due_monday_morning() -> None:
    # 16:30 Friday + 2 h: 30 min on Friday, 1 h 30 from 07:30 on Monday.
    due = working_deadline(start=vn(2026, 3, 6, 16, 30), working_hours=2, calendar=PLAIN)
    assert due == vn(2026, 3, 9, 9, 0)


def test_deadline_skips_the_lunch_break() -> None:
    due = working_deadline(start=vn(2026, 3, 10, 10, 30), working_hours=2, calendar=PLAIN)
    assert due == vn(2026, 3, 10, 14, 30)


def test_case_filed_during_lunch_starts_counting_at_1330() -> None:
    due = working_deadline(start=vn(2026, 3, 10, 12, 15), working_hours=1, calendar=PLAIN)
    assert due == vn(2026, 3, 10, 14, 30)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (vn(2026, 3, 10, 22, 0), vn(2026, 3, 11, 8, 30)),
        (vn(2026, 3, 11, 5, 0), vn(2026, 3, 11, 8, 30)),
        (vn(2026, 3, 11, 17, 0), vn(2026, 3, 12, 8, 30)),
        (vn(2026, 3, 14, 9, 0), vn(2026, 3, 16, 8, 30)),
    ],
    ids=["night", "before-opening", "at-closing", "saturday"],
)
def test_case_filed_outside_office_hours_starts_at_next_opening(
    start: dt.datetime, expected: dt.datetime
) -> None:
    assert working_deadline(start=start, working_hours=1, calendar=PLAIN) == expected


def test_case_filed_on_a_holiday_starts_on_the_next_working_day() -> None:
    calendar = WorkingCalendar(holidays=[dt.date(2026, 4, 30), dt.date(2026, 5, 1)])
    due = working_deadline(start=vn(2026, 4, 30, 9, 0), working_hours=1, calendar=calendar)
    assert due == vn(2026, 5, 4, 8, 30)


def test_deadline_jumps_over_the_nine_days_of_tet() -> None:
    due = working_deadline(start=vn(2026, 2, 13, 16, 0), working_hours=2, calendar=TET_2026)
    assert due == vn(2026, 2, 23, 8, 30)


def test_make_up_saturday_is_worked() -> None:
    due = working_deadline(start=vn(2026, 1, 9, 16, 0), working_hours=2, calendar=NEW_YEAR_2026)
    assert due == vn(2026, 1, 10, 8, 30)
    # The same Saturday, ordinary in another calendar, is skipped.
    assert working_deadline(start=vn(2026, 1, 9, 16, 0), working_hours=2, calendar=PLAIN) == vn(
        2026, 1, 12, 8, 30
    )


def test_deadline_ending_at_a_closing_time_is_that_closing_time() -> None:
    due = working_deadline(start=vn(2026, 3, 10, 10, 30), working_hours=1, calendar=PLAIN)
    assert due == vn(2026, 3, 10, 11, 30)


def test_long_sla_counts_whole_weeks() -> None:
    # 200 h = 26 days of 7.5 h (five weeks and a Monday) + 5 h on the Tuesday.
    due = working_deadline(start=vn(2026, 3, 2, 7, 30), working_hours=200, calendar=PLAIN)
    assert due == vn(2026, 4, 7, 14, 30)


def test_fractional_hours_are_exact() -> None:
    due = working_deadline(
        start=vn(2026, 3, 10, 8, 0), working_hours=Decimal("1.25"), calendar=PLAIN
    )
    assert due == vn(2026, 3, 10, 9, 15)
    assert working_deadline(start=vn(2026, 3, 10, 8, 0), working_hours=0.1, calendar=PLAIN) == vn(
        2026, 3, 10, 8, 6
    )


def test_start_in_another_zone_is_read_as_vietnam_time() -> None:
    # 09:30 UTC is 16:30 in Hà Nội.
    start = dt.datetime(2026, 3, 6, 9, 30, tzinfo=dt.UTC)
    due = working_deadline(start=start, working_hours=2, calendar=PLAIN)
    assert due == vn(2026, 3, 9, 9, 0)
    assert due.utcoffset() == dt.timedelta(hours=7)


def test_naive_start_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        working_deadline(start=dt.datetime(2026, 3, 6, 9, 0), working_hours=1, calendar=PLAIN)


@pytest.mark.parametrize("hours", [-1, float("nan"), float("inf")])
def test_negative_or_non_finite_hours_are_refused(hours: float) -> None:
    with pytest.raises(ValueError, match="working_hours"):
        working_deadline(start=vn(2026, 3, 6, 9, 0), working_hours=hours, calendar=PLAIN)


# --- working_time_between -----------------------------------------------------


def test_time_between_counts_only_office_hours() -> None:
    # Friday 16:00 to Monday 08:00: 1 h on Friday, 30 min on Monday.
    elapsed = working_time_between(
        start=vn(2026, 3, 6, 16, 0), end=vn(2026, 3, 9, 8, 0), calendar=PLAIN
    )
    assert elapsed == dt.timedelta(hours=1, minutes=30)


def test_time_between_inside_lunch_is_zero() -> None:
    elapsed = working_time_between(
        start=vn(2026, 3, 10, 11, 45), end=vn(2026, 3, 10, 13, 15), calendar=PLAIN
    )
    assert elapsed == dt.timedelta()


def test_time_between_reversed_is_negative() -> None:
    elapsed = working_time_between(
        start=vn(2026, 3, 10, 10, 0), end=vn(2026, 3, 10, 9, 0), calendar=PLAIN
    )
    assert elapsed == -dt.timedelta(hours=1)


def test_time_between_over_tet_counts_nothing_for_the_holiday() -> None:
    elapsed = working_time_between(
        start=vn(2026, 2, 13, 7, 30), end=vn(2026, 2, 23, 17, 0), calendar=TET_2026
    )
    assert elapsed == dt.timedelta(hours=15)


def test_time_between_undoes_deadline_for_random_starts_and_durations() -> None:
    rng = random.Random(20260214)
    calendar = WorkingCalendar(
        holidays=[
            *(dt.date(2026, 2, day) for day in range(16, 21)),
            dt.date(2026, 1, 1),
            dt.date(2026, 1, 2),
            dt.date(2026, 4, 30),
            dt.date(2026, 5, 1),
            dt.date(2026, 9, 1),
            dt.date(2026, 9, 2),
        ],
        working_days=[dt.date(2026, 1, 10), dt.date(2026, 8, 22)],
    )
    year_start = vn(2026, 1, 1)
    for _ in range(2000):
        start = year_start + dt.timedelta(seconds=rng.randrange(366 * 24 * 3600))
        start += dt.timedelta(microseconds=rng.randrange(1_000_000))
        hours = Decimal(rng.randrange(0, 300 * 100)) / 100
        due = working_deadline(start=start, working_hours=hours, calendar=calendar)
        assert due >= start
        elapsed = working_time_between(start=start, end=due, calendar=calendar)
        assert elapsed == dt.timedelta(seconds=int(hours * 3600)), (start, hours)


# --- WorkingCalendar ----------------------------------------------------------


def test_calendar_refuses_a_date_both_off_and_worked() -> None:
    with pytest.raises(ValueError, match="both off and worked"):
        WorkingCalendar(holidays=[dt.date(2026, 1, 10)], working_days=[dt.date(2026, 1, 10)])


def test_make_up_day_on_a_weekday_is_refused() -> None:
    holiday = Holiday(date=dt.date(2026, 1, 9), kind=Holiday.Kind.WORKING_DAY, name="Làm bù")
    with pytest.raises(ValidationError):
        holiday.clean()


def province_create(*, code: str) -> AdminUnit:
    return AdminUnit.objects.create(
        code=code,
        level=AdminUnit.Level.PROVINCE,
        unit_type=AdminUnit.UnitType.PROVINCE,
        name=f"Test {code}",
        full_name=f"Tỉnh Test {code}",
    )


@pytest.mark.django_db
def test_province_calendar_has_national_and_own_days_but_not_other_provinces(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    # Provinces of our own, so the test does not depend on imported boundaries.
    ours, theirs = province_create(code="98"), province_create(code="99")
    national, own, other = dt.date(2030, 3, 4), dt.date(2030, 3, 5), dt.date(2030, 3, 6)
    Holiday.objects.create(date=national, name="Quốc gia")
    Holiday.objects.create(date=own, name="Tỉnh ta", province=ours)
    Holiday.objects.create(date=other, name="Tỉnh khác", province=theirs)

    with django_assert_num_queries(1):
        calendar = WorkingCalendar.for_province(ours.pk)

    assert not calendar.is_working_day(national)
    assert not calendar.is_working_day(own)
    assert calendar.is_working_day(other)
    nationwide = WorkingCalendar.for_province(None)
    assert not nationwide.is_working_day(national)
    assert nationwide.is_working_day(own)


@pytest.mark.django_db
def test_province_row_overrides_the_national_one_for_the_same_date() -> None:
    province = province_create(code="98")
    saturday = dt.date(2030, 3, 9)
    monday = dt.date(2030, 3, 11)
    Holiday.objects.create(date=monday, name="Quốc gia")
    Holiday.objects.create(
        date=monday, name="Tỉnh vẫn làm", province=province, kind=Holiday.Kind.WORKING_DAY
    )
    Holiday.objects.create(
        date=saturday, name="Làm bù", kind=Holiday.Kind.WORKING_DAY, province=province
    )

    calendar = WorkingCalendar.for_province(province.pk)

    assert calendar.is_working_day(monday)
    assert calendar.is_working_day(saturday)
    assert not WorkingCalendar.for_province(None).is_working_day(monday)


@pytest.mark.django_db
def test_two_nationwide_rows_for_one_date_are_refused() -> None:
    Holiday.objects.create(date=dt.date(2030, 3, 4), name="Một")
    with pytest.raises(IntegrityError):
        Holiday.objects.create(date=dt.date(2030, 3, 4), name="Hai")


@pytest.mark.django_db
def test_seeded_calendar_closes_for_tet_and_works_the_make_up_saturdays() -> None:
    calendar = WorkingCalendar.for_province(None)

    due = working_deadline(start=vn(2026, 2, 13, 16, 0), working_hours=2, calendar=calendar)

    assert due == vn(2026, 2, 23, 8, 30)
    assert calendar.is_working_day(dt.date(2026, 1, 10))
    assert calendar.is_working_day(dt.date(2026, 8, 22))
    assert not calendar.is_working_day(dt.date(2026, 4, 27))
    assert not calendar.is_working_day(dt.date(2026, 8, 31))
    assert not calendar.is_working_day(dt.date(2027, 2, 8))


# --- sla_status ---------------------------------------------------------------

DUE = vn(2026, 3, 13, 15, 0)  # a Friday afternoon


@pytest.mark.parametrize(
    ("now", "state", "remaining", "text"),
    [
        (
            vn(2026, 3, 10, 15, 0),
            SlaState.ON_TIME,
            dt.timedelta(hours=22, minutes=30),
            "3 working days left",
        ),
        (
            vn(2026, 3, 13, 10, 30),
            SlaState.ON_TIME,
            dt.timedelta(hours=2, minutes=30),
            "2 working hours left",
        ),
        (
            vn(2026, 3, 13, 13, 0),
            SlaState.DUE_SOON,
            dt.timedelta(hours=1, minutes=30),
            "1 working hour left",
        ),
        (
            vn(2026, 3, 13, 14, 20),
            SlaState.DUE_SOON,
            dt.timedelta(minutes=40),
            "40 working minutes left",
        ),
        (DUE, SlaState.DUE_SOON, dt.timedelta(), "0 working minutes left"),
    ],
)
def test_open_case_before_due_shows_working_time_left(
    now: dt.datetime, state: SlaState, remaining: dt.timedelta, text: str
) -> None:
    with override("en"):
        status = sla_status(due_at=DUE, now=now, calendar=PLAIN)
    assert (status.state, status.remaining, status.late_by, status.text) == (
        state,
        remaining,
        dt.timedelta(),
        text,
    )


@pytest.mark.parametrize(
    ("now", "late_by", "text"),
    [
        (DUE + dt.timedelta(seconds=20), dt.timedelta(seconds=20), "Overdue by 1 minute"),
        (vn(2026, 3, 13, 18, 0), dt.timedelta(hours=3), "Overdue by 3 hours"),
        # The weekend counts: the resident has waited two days.
        (vn(2026, 3, 15, 16, 0), dt.timedelta(days=2, hours=1), "Overdue by 2 days"),
    ],
)
def test_open_case_past_due_shows_calendar_time_late(
    now: dt.datetime, late_by: dt.timedelta, text: str
) -> None:
    with override("en"):
        status = sla_status(due_at=DUE, now=now, calendar=PLAIN)
    assert (status.state, status.remaining, status.late_by, status.text) == (
        SlaState.OVERDUE,
        dt.timedelta(),
        late_by,
        text,
    )


def test_case_resolved_by_due_time_met_the_sla_whatever_now_is() -> None:
    with override("en"):
        status = sla_status(due_at=DUE, now=vn(2026, 4, 1, 9, 0), resolved_at=DUE, calendar=PLAIN)
    assert (status.state, status.text) == (SlaState.MET, "Resolved on time")


def test_case_resolved_after_due_time_missed_the_sla() -> None:
    with override("en"):
        status = sla_status(
            due_at=DUE, now=vn(2026, 4, 1, 9, 0), resolved_at=vn(2026, 3, 14, 15, 0), calendar=PLAIN
        )
    assert (status.state, status.late_by, status.text) == (
        SlaState.MISSED,
        dt.timedelta(days=1),
        "Resolved 1 day late",
    )


@pytest.mark.parametrize(
    ("now", "resolved_at", "text"),
    [
        (vn(2026, 3, 13, 12, 0), None, "Còn 1 giờ làm việc"),
        (vn(2026, 3, 10, 15, 0), None, "Còn 3 ngày làm việc"),
        (vn(2026, 3, 15, 16, 0), None, "Quá hạn 2 ngày"),
        (DUE, DUE, "Đã giải quyết đúng hạn"),
        (DUE, vn(2026, 3, 13, 18, 0), "Giải quyết trễ 3 giờ"),
    ],
)
def test_status_text_in_vietnamese(
    now: dt.datetime, resolved_at: dt.datetime | None, text: str
) -> None:
    with override("vi"):
        status = sla_status(due_at=DUE, now=now, resolved_at=resolved_at, calendar=PLAIN)
    assert status.text == text
