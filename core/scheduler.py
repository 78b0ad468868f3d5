"""Run periodic jobs once per interval, however many schedulers run.

Each job is guarded by a PostgreSQL session advisory lock on its name, taken
with pg_try_advisory_lock: a scheduler that finds it held skips the job for
this pass instead of waiting, and a scheduler that dies mid-job frees it with
its connection (no lease to wait out). Under the lock the job's row
(core.models.PeriodicJob) says whether it is due; the run moves the row's
next_due_at on before the lock is let go, so two schedulers never run a job
at the same time, nor one right after the other.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.db.models import F
from django.utils import timezone

from core.models import PeriodicJob

logger = logging.getLogger(__name__)

# The first key of pg_try_advisory_lock(int, int): the scheduler's own space,
# apart from any other advisory lock of the app (the crc32 of "xadesk.scheduler").
LOCK_SPACE = zlib.crc32(b"xadesk.scheduler") - 2**31


@dataclass(frozen=True)
class Job:
    name: str
    interval: timedelta
    run: Callable[[], str]  # does the work, returns a one-line summary


def _lock_key(name: str) -> int:
    return zlib.crc32(name.encode()) - 2**31  # into the int4 range


def _try_lock(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_SPACE, _lock_key(name)])
        row = cursor.fetchone()
    return bool(row and row[0])


def _unlock(name: str) -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_SPACE, _lock_key(name)])
    except DatabaseError:
        # The session is unusable: closing it frees every lock it held.
        connection.close()


def job_run_if_due(*, job: Job, now: Callable[[], datetime] = timezone.now) -> str | None:
    """Run ``job`` if it is due and no other scheduler holds it; return its summary, else None.

    The run is claimed (its next due time moved on) before the job starts, so
    a scheduler whose lock went with a dropped connection mid-job cannot let
    another start the same run, and a job that fails in any way — a database
    error or timeout included — waits for its next interval instead of being
    tried on every pass. A database that goes away is still the caller's to
    handle (core/worker_loop.py).
    """
    if not _try_lock(job.name):
        return None
    try:
        started = now()
        row, _created = PeriodicJob.objects.get_or_create(
            name=job.name, defaults={"next_due_at": started}
        )
        if row.next_due_at > started:
            return None
        PeriodicJob.objects.filter(pk=job.name).update(
            last_started_at=started, next_due_at=started + job.interval
        )
        try:
            summary = job.run()
        except (OperationalError, InterfaceError):
            raise
        except Exception as exc:
            logger.exception("Periodic job %s failed", job.name)
            summary = f"failed: {type(exc).__name__}: {exc}"
        PeriodicJob.objects.filter(pk=job.name).update(
            last_finished_at=now(), last_summary=summary[:300], runs=F("runs") + 1
        )
        return summary
    finally:
        _unlock(job.name)
