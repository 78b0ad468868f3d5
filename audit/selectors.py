"""Reads of the audit trail. Which rows a person may read is decided by the
case core's scope rules (helpdesk/permissions.py, audit_entries_visible_to);
these functions narrow and shape an already-scoped set."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from audit.models import AuditEntry
from core.masking import mask_text


@dataclass(frozen=True)
class AuditFilter:
    actor_id: int | None = None
    action: str | None = None
    # Calendar days in the display time zone, both included.
    since: dt.date | None = None
    until: dt.date | None = None


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_entries_list(
    *, entries: QuerySet[AuditEntry], filters: AuditFilter
) -> QuerySet[AuditEntry]:
    """``entries`` narrowed by ``filters``, newest first, with what a page shows.

    Days become a range of times rather than ``created_at__date``, so the
    (province, created_at) index serves the query.
    """
    if filters.actor_id is not None:
        entries = entries.filter(actor_id=filters.actor_id)
    if filters.action:
        entries = entries.filter(action=filters.action)
    if filters.since is not None:
        entries = entries.filter(created_at__gte=_day_start(filters.since))
    if filters.until is not None and filters.until < dt.date.max:
        # The last day of the calendar has no day after it (it was a 500); up
        # to it is every entry there is, so it filters nothing.
        entries = entries.filter(created_at__lt=_day_start(filters.until + dt.timedelta(days=1)))
    return entries.select_related("actor", "target_type", "province").order_by("-created_at", "-id")


def audit_actors(*, entries: QuerySet[AuditEntry]) -> list[tuple[int, str]]:
    """The people who acted in ``entries``, by name, in one query.

    A person without a name shows as their masked phone number.
    """
    rows = (
        entries.filter(actor__isnull=False)
        .order_by()
        .values_list("actor_id", "actor__full_name", "actor__phone")
        .distinct()
    )
    people = [(pk, name or mask_text(phone)) for pk, name, phone in rows]
    return sorted(people, key=lambda person: person[1])
