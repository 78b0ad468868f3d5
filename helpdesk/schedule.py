"""The periodic jobs `manage.py run_scheduler` runs, with their intervals from settings.

All are case-core work (closing resolved cases, deleting orphan photo
files, writing the search text of renamed reporters' cases and of cases filed
during a deploy), which is why the scheduler's command lives in this app: a
job of a higher layer (alerts, say) would move the command up with it.
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings

from core.scheduler import Job
from helpdesk.lifecycle import tickets_close_resolved
from helpdesk.photo_sweep import orphan_files_sweep
from helpdesk.search_text import Filled, search_text_fill


def _close_resolved() -> str:
    return f"closed {tickets_close_resolved()}"


def _sweep_orphans() -> str:
    result = orphan_files_sweep(grace=timedelta(hours=settings.ORPHAN_GRACE_HOURS), commit=True)
    if result.no_attachments:
        # As the command refuses: every file would look orphaned.
        return f"no attachment in the database: none of {result.scanned} files deleted"
    return (
        f"scanned {result.scanned}, referenced {result.referenced}, "
        f"deleted {result.deleted}, kept young {result.kept_young}"
    )


# The longest one run of search_text_fill writes before it leaves the rest to
# the next run (its progress is kept per batch): the scheduler's heartbeat
# waits for the job, and its health check gives up after 300 s
# (docker-compose.yml). A renamed account's 400,000 cases take longer.
SEARCH_TEXT_RUN_SECONDS = 120


def search_text_fill_run() -> Filled:
    """One run of the job: search_text_fill until SEARCH_TEXT_RUN_SECONDS have
    passed (bench/search_text_fill.py times a province's fill by these runs)."""
    deadline = time.monotonic() + SEARCH_TEXT_RUN_SECONDS
    return search_text_fill(should_stop=lambda: time.monotonic() >= deadline)


def _search_text_fill() -> str:
    filled = search_text_fill_run()
    return (
        f"wrote {filled.written}; renamed accounts: {filled.renamed} done, {filled.waiting} waiting"
    )


def scheduled_jobs() -> list[Job]:
    """The jobs, read from settings when called (never at import)."""
    seconds = settings.SCHEDULE_SECONDS
    return [
        Job(
            name="close_resolved_cases",
            interval=timedelta(seconds=seconds["close_resolved_cases"]),
            run=_close_resolved,
        ),
        Job(
            name="sweep_orphan_files",
            interval=timedelta(seconds=seconds["sweep_orphan_files"]),
            run=_sweep_orphans,
        ),
        Job(
            name="search_text_fill",
            interval=timedelta(seconds=seconds["search_text_fill"]),
            run=_search_text_fill,
        ),
    ]
