"""Reads behind the officer console pages.

Which tickets a person reaches is still decided by helpdesk.permissions; these
functions only shape what the pages show, each in a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import (
    CharField,
    Count,
    DurationField,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import get_language

from core.names import SortKey, localized, sort_key
from geo.models import AdminUnit
from helpdesk.models import (
    OPEN_STATUSES,
    CannedResponse,
    Department,
    Ticket,
    TicketTally,
)
from helpdesk.names import departments_in_list, unit_name
from helpdesk.permissions import Scope, tallies_managed_by
from helpdesk.selectors import QueueFilter, tickets_queue
from helpdesk.sla import WorkingCalendar
from knowledge.models import Article
from knowledge.selectors import articles_published
from notifications.models import SmsUsage


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class QueueChoices:
    departments: tuple[Choice, ...]
    communes: tuple[Choice, ...]


# How long a scope's filter choices are reused. A unit that receives its first
# case is offered this much later, one renamed shows its old name as long; the
# queue itself is never cached. The read cost a province admin ~4.7 ms of a
# ~30 ms queue page at 1,000,000 cases (bench/queue_scale.py), every page.
QUEUE_CHOICES_SECONDS = 60


def queue_choices(*, scope: Scope) -> QueueChoices:
    """The queue's filter choices for ``scope``, reused for QUEUE_CHOICES_SECONDS.

    Cached per process (the default cache) under a key made of every part of
    the scope that the choices are read with, and the language their labels
    are in, so two people share an entry only when their choices are the
    same by construction.
    """
    parts = (
        scope.is_superuser,
        sorted(scope.department_ids),
        sorted(scope.leader_commune_ids),
        sorted(scope.admin_province_ids),
        # The labels are names in the reader's language.
        get_language(),
    )
    key = "console:queue-choices:" + hashlib.sha256(repr(parts).encode()).hexdigest()
    cached = cache.get(key)
    if isinstance(cached, QueueChoices):
        return cached
    choices = queue_choices_read(scope=scope)
    cache.set(key, choices, QUEUE_CHOICES_SECONDS)
    return choices


def queue_choices_read(*, scope: Scope) -> QueueChoices:
    """Departments and communes the person's tickets sit in, in one query.

    Read from the running tallies (helpdesk/models/tally.py), not the cases:
    a unit is offered when the tally rows of the person's scope hold a case
    there. Probing the ticket indexes once per candidate unit read 2,350
    buffers for a province admin at 1,000,000 cases. Candidates are the units
    the scope's roles name (their departments, communes and the communes of
    their provinces), so a case moved to a unit outside them is still listed
    but not offered as a filter.
    """
    held = tallies_managed_by(scope=scope).filter(total__gt=0).order_by()
    unit_q = Q(id__in=scope.leader_commune_ids) | Q(parent_id__in=scope.admin_province_ids)
    unit_q |= Q(departments__id__in=scope.department_ids)
    department_q = Q(id__in=scope.department_ids) | Q(commune_id__in=scope.leader_commune_ids)
    department_q |= Q(commune__parent_id__in=scope.admin_province_ids)
    if scope.is_superuser:
        unit_q = department_q = Q()
    departments = (
        Department.objects.filter(department_q)
        .filter(id__in=held.values("department_id"))
        .annotate(kind=Value("d"), key=Cast("id", CharField()))
        .values_list("kind", "key", "name", "name_en", "commune__name", "commune__name_en")
        .order_by()
    )
    communes = (
        AdminUnit.objects.filter(unit_q)
        .filter(level=AdminUnit.Level.COMMUNE)
        .filter(id__in=held.values("commune_id"))
        .annotate(kind=Value("c"), key=F("code"), none=Value("", output_field=CharField()))
        .values_list("kind", "key", "name", "name_en", "none", "none")
        .order_by()
    )
    department_rows: list[tuple[str, str, str]] = []
    commune_choices: dict[str, str] = {}
    rows = departments.union(communes).order_by()
    for kind, key, name, name_en, commune, commune_en in rows:
        if kind == "d":
            department_rows.append((key, localized(name, name_en), localized(commune, commune_en)))
        else:
            commune_choices[key] = localized(name, name_en)
    return QueueChoices(
        departments=tuple(Choice(k, v) for k, v in departments_in_list(department_rows)),
        communes=tuple(
            Choice(k, v) for k, v in sorted(_told_apart(commune_choices).items(), key=_by_label)
        ),
    )


def _by_label(item: tuple[str, str]) -> SortKey:
    return sort_key(item[1])


def calendars_for(*, province_ids: Iterable[int | None]) -> dict[int | None, WorkingCalendar]:
    """Working calendars of several provinces from one query."""
    return WorkingCalendar.for_provinces(province_ids)


def _sums(
    tallies: QuerySet[TicketTally], overdue: QuerySet[Ticket], key: str, *names: str
) -> list[dict[str, Any]]:
    """Sums per ``key`` (a unit's id; ``names`` are read beside it) from the
    running tallies (helpdesk/models/tally.py): thousands of rows for a
    province, where the cases are hundreds of thousands. And each key's
    ``overdue`` cases, which no tally can hold (a case falls overdue with
    time, not by a write): counted from the cases through the partial index
    of open cases (helpdesk/models/tickets.py), a province's ~14,000 as an
    index-only scan, grouped by the id alone (grouped by the names the count
    took 6.5 ms, not 2.7, at 1,000,000 cases; bench/queue_scale.py).

    Both in one UNION ALL: one query per table still, and one snapshot, so
    a row never shows more overdue cases than open ones."""
    # Aggregates are named apart from the tally's columns (Django refuses
    # Sum("total") AS total) and renamed by _stats to the page's names.
    sums = (
        tallies.order_by()
        .values(key, *names)
        .annotate(
            sum_total=Coalesce(Sum("total"), 0),
            sum_open=Coalesce(Sum("total", filter=Q(status__in=OPEN_STATUSES)), 0),
            sum_resolved=Coalesce(Sum("resolved"), 0),
            sum_on_time=Coalesce(Sum("on_time"), 0),
            sum_handling=Sum("handling"),
            sum_overdue=Value(0),
        )
        .filter(sum_total__gt=0)
    )
    # The same columns in the same places: a UNION pairs them by position.
    late = (
        overdue.order_by()
        .values(key)
        .annotate(
            **{f"no_{i}": Value(None, output_field=CharField()) for i in range(len(names))},
            sum_total=Value(0),
            sum_open=Value(0),
            sum_resolved=Value(0),
            sum_on_time=Value(0),
            sum_handling=Value(None, output_field=DurationField()),
            sum_overdue=Count("id"),
        )
    )
    rows: dict[Any, dict[str, Any]] = {}
    late_by_key: dict[Any, int] = {}
    for row in sums.union(late, all=True):
        # A tally row has cases (HAVING sum_total > 0); an overdue row none.
        if row["sum_total"]:
            rows[row[key]] = row
        else:
            late_by_key[row[key]] = row["sum_overdue"]
    for unit, row in rows.items():
        row["sum_overdue"] = late_by_key.get(unit, 0)
    return list(rows.values())


def _stats(rows: list[dict[str, Any]], *group: str) -> list[dict[str, Any]]:
    return [
        {
            **{name: row[name] for name in group},
            "total": row["sum_total"],
            "open": row["sum_open"],
            "resolved": row["sum_resolved"],
            "on_time": row["sum_on_time"],
            "overdue": row["sum_overdue"],
            "avg_handling": (
                row["sum_handling"] / row["sum_resolved"]
                if row["sum_handling"] is not None and row["sum_resolved"]
                else None
            ),
        }
        for row in rows
    ]


@dataclass(frozen=True)
class DashboardTables:
    # Rows of _stats, named in the reader's language (helpdesk/names.py) and
    # in its order (sort_key): per commune, "commune" (told apart from a
    # namesake by _told_apart; None for cases of no commune, last) and
    # "commune__code"; per department, "department" (None for unrouted
    # cases, last), "department_id" and "commune", the open commune's name.
    # Each row's "overdue": its open cases past their due time, by the
    # queue's own rule (the "overdue" filter of helpdesk.selectors.tickets_queue).
    by_department: list[dict[str, Any]]
    by_commune: list[dict[str, Any]]
    # The commune whose departments ``by_department`` holds, if any.
    commune_code: str | None
    # Its name, and whether the scope holds several communes to choose from.
    commune_name: str | None
    several: bool
    # Open cases past their due time in the whole scope (cases of no commune too).
    overdue: int


def dashboard_tables(*, scope: Scope, commune_code: str | None = None) -> DashboardTables:
    """Counts, on-time and handling time per commune of the scope, and per
    department of one commune: the one chosen (``commune_code``, taken only
    when it is one of the scope's rows), or the scope's only commune (a
    leader's, or a province's whose other cases have no commune). Without
    one, no department rows.

    A province administrator's every department at once was ~460 rows, a
    176 KB page and most of its time (p95 50.7 ms at 1,000,000 cases on a
    slow machine, bench/queue_scale.py); they compare the communes and open
    the one they look into.

    The overdue cases are those the queue lists under its "overdue" filter,
    read through the same function, so a count and the list its link opens
    agree (an officer's scope included).
    """
    tallies = tallies_managed_by(scope=scope)
    commune_group = ("commune_id", "commune__code", "commune__name", "commune__name_en")
    per_commune = _stats(
        _sums(
            tallies, tickets_queue(scope=scope, filters=QueueFilter(overdue=True)), *commune_group
        ),
        *commune_group,
    )
    names = _told_apart(
        {
            r["commune__code"]: localized(r["commune__name"], r["commune__name_en"])
            for r in per_commune
            if r["commune__code"]
        }
    )
    for row in per_commune:
        row["commune"] = names.get(row["commune__code"])  # None: cases of no commune
    per_commune.sort(key=lambda row: sort_key(row["commune"]))
    if commune_code not in names:
        commune_code = next(iter(names)) if len(names) == 1 else None
    per_department: list[dict[str, Any]] = []
    if commune_code is not None:
        department_group = ("department_id", "department__name", "department__name_en")
        late = tickets_queue(
            scope=scope, filters=QueueFilter(overdue=True, commune_code=commune_code)
        )
        per_department = _stats(
            _sums(tallies.filter(commune__code=commune_code), late, *department_group),
            *department_group,
        )
        for row in per_department:
            row["commune"] = names[commune_code]
            row["department"] = (
                localized(row["department__name"], row["department__name_en"])
                if row["department_id"]
                else None
            )
        per_department.sort(key=lambda row: sort_key(row["department"]))
    return DashboardTables(
        by_department=per_department,
        by_commune=per_commune,
        commune_code=commune_code,
        commune_name=names.get(commune_code) if commune_code else None,
        several=len(names) > 1,
        overdue=sum(row["overdue"] for row in per_commune),
    )


def _told_apart(labels: dict[str, str]) -> dict[str, str]:
    """Communes' labels by code, with the province beside each name that two
    of them share (a superuser's country-wide view: 2,848 names for 3,321
    communes), or the code where the provinces do not tell them apart, so
    that no two rows or choices read the same. The provinces are read only
    when two labels coincide: never within one province of the real
    boundaries."""
    codes_by_label: dict[str, list[str]] = {}
    for code, label in labels.items():
        codes_by_label.setdefault(label, []).append(code)
    shared = [codes for codes in codes_by_label.values() if len(codes) > 1]
    if not shared:
        return labels
    provinces = {
        code: localized(name or "", name_en or "")
        for code, name, name_en in AdminUnit.objects.filter(
            code__in=[code for codes in shared for code in codes], level=AdminUnit.Level.COMMUNE
        ).values_list("code", "parent__name", "parent__name_en")
    }
    told = dict(labels)
    for codes in shared:
        named = {provinces.get(code) for code in codes}
        apart = None not in named and "" not in named and len(named) == len(codes)
        for code in codes:
            told[code] = f"{labels[code]} ({provinces[code] if apart else code})"
    return told


def sms_usage_for(*, scope: Scope, months: int = 6) -> list[dict[str, Any]]:
    """The SMS bill of the provinces the person administers, newest month first.

    Province administrators see their provinces, superusers every row
    (including SMS about no case); commune leaders see none: it is the
    province's bill.
    """
    if not (scope.is_superuser or scope.admin_province_ids):
        return []
    rows = SmsUsage.objects.select_related("province").order_by("-month", "province__name")
    if not scope.is_superuser:
        rows = rows.filter(province_id__in=scope.admin_province_ids)
    oldest = timezone.localdate().replace(day=1) - dt.timedelta(days=31 * (months - 1))
    return [
        {
            "province": unit_name(row.province) if row.province else "—",
            "month": row.month,
            "messages": row.messages,
            "segments": row.segments,
            "withheld": row.withheld,
        }
        for row in rows.filter(month__gte=oldest.replace(day=1))
    ]


def canned_responses_for(*, ticket: Ticket) -> QuerySet[CannedResponse]:
    """The prepared answers of the department handling the case."""
    if ticket.department_id is None:
        return CannedResponse.objects.none()
    return CannedResponse.objects.filter(department_id=ticket.department_id)


def articles_for(*, ticket: Ticket) -> QuerySet[Article]:
    """Published help articles on the case's topic, to link from a reply."""
    return articles_published().filter(topic_code=ticket.service.code).order_by("title_vi")
