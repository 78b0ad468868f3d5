"""Claiming rows of a job table with a lease, for the background workers.

A job table (notifications' FanOut, helpdesk's PhotoJob) has ``done_at``,
``next_attempt_at`` and ``attempts``. A worker claims due rows with SKIP
LOCKED, so several workers never take the same row, and pushes their
``next_attempt_at`` to the lease end: a worker killed mid-batch leaves its
rows to be taken again when the lease ends. Rows it hands back unstarted (a
stop signal mid-batch) are due at once, the attempt uncounted.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F


def jobs_claim(
    model: Any, *, now: datetime, limit: int, lease: timedelta
) -> tuple[list[int], datetime]:
    """Take up to ``limit`` due rows of ``model``; return their ids and the lease end."""
    until = now + lease
    with transaction.atomic():
        ids = list(
            model.objects.select_for_update(skip_locked=True)
            .filter(done_at__isnull=True, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")
            .values_list("id", flat=True)[:limit]
        )
        if ids:
            model.objects.filter(id__in=ids).update(
                next_attempt_at=until, attempts=F("attempts") + 1
            )
    return ids, until


def jobs_hand_back(model: Any, *, ids: list[int], until: datetime, now: datetime) -> None:
    """Give back claimed rows not started, or not done for a reason not theirs
    (due again at ``now``), the attempt uncounted."""
    model.objects.filter(pk__in=ids, next_attempt_at=until).update(
        next_attempt_at=now, attempts=F("attempts") - 1
    )
