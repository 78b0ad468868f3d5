"""Run the periodic jobs (helpdesk/schedule.py) on their intervals, in a loop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.scheduler import job_run_if_due
from core.worker_loop import PassResult, WorkerCommand
from helpdesk.schedule import scheduled_jobs


class Command(WorkerCommand):
    help = (
        "Run close_resolved_cases, sweep_orphan_files --commit and search_text_fill "
        "(renamed accounts' cases, unwritten cases) every XADESK_SCHEDULE_*_SECONDS. "
        "Several schedulers may run at once (on several machines): each job runs once "
        "per interval, never twice at the same time. "
        "SIGTERM or Ctrl-C: the job in hand finishes, then the scheduler exits."
    )
    # Nothing to wake it: the jobs are due by the clock.
    wake_channel = ""
    heartbeat_name = "scheduler"
    default_batch = 1
    batch_help = "Unused: every due job runs in each pass."
    default_interval = 10.0

    def run_pass(
        self, *, batch: int, should_stop: Callable[[], bool], options: dict[str, Any]
    ) -> PassResult:
        ran = []
        for job in scheduled_jobs():
            if should_stop():
                break
            summary = job_run_if_due(job=job)
            if summary is not None:
                ran.append(f"{job.name}: {summary}")
        return PassResult(summary="; ".join(ran) or "nothing due", full=False)
