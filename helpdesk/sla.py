"""The SLA clock of a case, counted in the working hours of a commune office.

Offices work Monday to Friday, 07:30-11:30 and 13:30-17:00 Vietnam time,
except on public holidays, and on the odd Saturday made a working day to
bridge one. The arithmetic runs on naive wall-clock times in Asia/Ho_Chi_Minh:
Vietnam has no daylight saving, so a local day is always 24 hours long and
adding a timedelta to a wall-clock time is exact.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import cast
from zoneinfo import ZoneInfo

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from helpdesk.models.calendar import Holiday

# Working hours are a fact about Vietnamese offices, not a deployment choice,
# so they do not follow settings.TIME_ZONE.
OFFICE_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
WORKING_PERIODS: tuple[tuple[dt.time, dt.time], ...] = (
    (dt.time(7, 30), dt.time(11, 30)),
    (dt.time(13, 30), dt.time(17, 0)),
)
WORKING_DAY_LENGTH = sum(
    (
        dt.datetime.combine(dt.date.min, end) - dt.datetime.combine(dt.date.min, start)
        for start, end in WORKING_PERIODS
    ),
    dt.timedelta(),
)
_OPENING = WORKING_PERIODS[0][0]
_DAY = dt.timedelta(days=1)
_HOUR = dt.timedelta(hours=1)
_MINUTE = dt.timedelta(minutes=1)


class WorkingCalendar:
    """Which dates are worked: Monday-Friday, minus days off, plus make-up days."""

    __slots__ = ("_holidays", "_working_days")

    def __init__(
        self, *, holidays: Iterable[dt.date] = (), working_days: Iterable[dt.date] = ()
    ) -> None:
        """Build a calendar from weekday dates off and weekend dates worked."""
        self._holidays = frozenset(holidays)
        self._working_days = frozenset(working_days)
        if clash := self._holidays & self._working_days:
            raise ValueError(f"Dates both off and worked: {sorted(clash)}")

    @classmethod
    def for_province(cls, province_id: int | None) -> WorkingCalendar:
        """Load the nationwide days and those of one province, in one query."""
        return cls.for_provinces([province_id])[province_id]

    @classmethod
    def for_provinces(cls, province_ids: Iterable[int | None]) -> dict[int | None, WorkingCalendar]:
        """Load the calendars of several provinces (and the nationwide one) in one query.

        A province's own row for a date wins over the nationwide one, so a
        province can work on, or close on, a day the rest of the country does not.
        """
        ids = {pid for pid in province_ids if pid is not None}
        rows = Holiday.objects.filter(
            Q(province__isnull=True) | Q(province_id__in=ids)
        ).values_list("date", "kind", "province_id")
        nationwide: dict[dt.date, str] = {}
        local: dict[int, dict[dt.date, str]] = {pid: {} for pid in ids}
        for day, kind, province_id in rows:
            # The stubs type the nullable FK id as int; nationwide rows have None.
            province = cast("int | None", province_id)
            if province is None:
                nationwide[day] = kind
            else:
                local[province][day] = kind
        calendars: dict[int | None, WorkingCalendar] = {None: cls._of(nationwide)}
        for pid in ids:
            calendars[pid] = cls._of({**nationwide, **local[pid]})
        return calendars

    @classmethod
    def _of(cls, kinds: dict[dt.date, str]) -> WorkingCalendar:
        return cls(
            holidays=(day for day, kind in kinds.items() if kind == Holiday.Kind.HOLIDAY),
            working_days=(day for day, kind in kinds.items() if kind == Holiday.Kind.WORKING_DAY),
        )

    def is_working_day(self, day: dt.date) -> bool:
        if day in self._working_days:
            return True
        return day.weekday() < 5 and day not in self._holidays


def working_deadline(
    *, start: dt.datetime, working_hours: Decimal | float, calendar: WorkingCalendar
) -> dt.datetime:
    """Return the moment ``working_hours`` of office time after ``start``.

    A start outside office hours counts from the next working period. A deadline
    that falls exactly at the end of a period is that end, not the next opening.
    """
    remaining = _hours_to_timedelta(working_hours)
    cursor = _to_local(start, "start")
    day = cursor.date()
    # One pass per calendar day; a day is skipped or consumed whole in O(1).
    while True:
        if calendar.is_working_day(day):
            if cursor.time() <= _OPENING and remaining > WORKING_DAY_LENGTH:
                remaining -= WORKING_DAY_LENGTH
            else:
                for period_start, period_end in _periods_of(day):
                    opened = max(cursor, period_start)
                    if opened >= period_end:
                        continue
                    if remaining <= period_end - opened:
                        return (opened + remaining).replace(tzinfo=OFFICE_TZ)
                    remaining -= period_end - opened
        day += _DAY
        cursor = dt.datetime.combine(day, dt.time.min)


def working_time_between(
    *, start: dt.datetime, end: dt.datetime, calendar: WorkingCalendar
) -> dt.timedelta:
    """Return the office time from ``start`` to ``end``, negative if ``end`` comes first."""
    if end < start:
        return -working_time_between(start=end, end=start, calendar=calendar)
    local_start = _to_local(start, "start")
    local_end = _to_local(end, "end")
    total = dt.timedelta()
    day = local_start.date()
    while day <= local_end.date():
        if calendar.is_working_day(day):
            if local_start.date() < day < local_end.date():
                total += WORKING_DAY_LENGTH
            else:
                for period_start, period_end in _periods_of(day):
                    overlap = min(local_end, period_end) - max(local_start, period_start)
                    if overlap > dt.timedelta():
                        total += overlap
        day += _DAY
    return total


class SlaState(models.TextChoices):
    ON_TIME = "on_time", _("On time")
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")
    MET = "met", _("Resolved on time")
    MISSED = "missed", _("Resolved late")


@dataclass(frozen=True, slots=True)
class SlaStatus:
    """Where a case stands against its due time.

    ``remaining`` is office time left before the due time (zero once past it);
    ``late_by`` is wall-clock time past it (zero while on time), because a
    resident waiting over a weekend counts the weekend. ``text`` is rendered in
    the language active when the status was computed.
    """

    state: SlaState
    remaining: dt.timedelta
    late_by: dt.timedelta
    text: str


# Two working hours, about a quarter of a working day: time enough to act
# on a case once it turns due soon.
DUE_SOON_WITHIN = dt.timedelta(hours=2)


def sla_status(
    *,
    due_at: dt.datetime,
    now: dt.datetime,
    calendar: WorkingCalendar,
    resolved_at: dt.datetime | None = None,
    due_soon_within: dt.timedelta = DUE_SOON_WITHIN,
) -> SlaStatus:
    """Return the state of a case due at ``due_at``, seen at ``now``.

    A case resolved exactly at its due time is on time. ``now`` is ignored once
    the case is resolved.
    """
    moment = resolved_at if resolved_at is not None else now
    _require_aware(due_at, "due_at")
    _require_aware(moment, "resolved_at" if resolved_at is not None else "now")
    zero = dt.timedelta()
    if moment > due_at:
        late_by = moment - due_at
        if resolved_at is not None:
            text = gettext("Resolved %(duration)s late") % {"duration": _elapsed_text(late_by)}
            return SlaStatus(SlaState.MISSED, zero, late_by, text)
        text = gettext("Overdue by %(duration)s") % {"duration": _elapsed_text(late_by)}
        return SlaStatus(SlaState.OVERDUE, zero, late_by, text)
    remaining = working_time_between(start=moment, end=due_at, calendar=calendar)
    if resolved_at is not None:
        return SlaStatus(SlaState.MET, remaining, zero, gettext("Resolved on time"))
    state = SlaState.DUE_SOON if remaining <= due_soon_within else SlaState.ON_TIME
    text = gettext("%(duration)s left") % {"duration": _working_time_text(remaining)}
    return SlaStatus(state, remaining, zero, text)


def _working_time_text(amount: dt.timedelta) -> str:
    """Say an amount of office time in its largest whole unit, rounded down."""
    if amount >= WORKING_DAY_LENGTH:
        days = amount // WORKING_DAY_LENGTH
        return ngettext("%(count)d working day", "%(count)d working days", days) % {"count": days}
    if amount >= _HOUR:
        hours = amount // _HOUR
        return ngettext("%(count)d working hour", "%(count)d working hours", hours) % {
            "count": hours
        }
    minutes = amount // _MINUTE
    return ngettext("%(count)d working minute", "%(count)d working minutes", minutes) % {
        "count": minutes
    }


def _elapsed_text(amount: dt.timedelta) -> str:
    """Say a wall-clock duration in its largest whole unit, rounded down, at least 1 minute."""
    if amount >= _DAY:
        days = amount // _DAY
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    if amount >= _HOUR:
        hours = amount // _HOUR
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    # "Overdue by 0 minutes" would read as not overdue.
    minutes = max(1, amount // _MINUTE)
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def _periods_of(day: dt.date) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
    return tuple(
        (dt.datetime.combine(day, start), dt.datetime.combine(day, end))
        for start, end in WORKING_PERIODS
    )


def _require_aware(moment: dt.datetime, name: str) -> None:
    # A naive time would be read in the server's zone, silently shifting the clock.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")


def _to_local(moment: dt.datetime, name: str) -> dt.datetime:
    """Return ``moment`` as a naive wall-clock time in Vietnam."""
    _require_aware(moment, name)
    return moment.astimezone(OFFICE_TZ).replace(tzinfo=None)


def _hours_to_timedelta(hours: Decimal | float) -> dt.timedelta:
    # Through str so a float like 2.1 means 2.1, and to the microsecond so
    # working_time_between() gives back exactly what was added.
    amount = Decimal(str(hours))
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"working_hours must be a finite, non-negative number, not {hours!r}")
    microseconds = (amount * 3_600_000_000).to_integral_value()
    return dt.timedelta(microseconds=int(microseconds))
