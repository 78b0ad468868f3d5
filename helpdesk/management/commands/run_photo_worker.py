"""Make the served images of report photos filed off the request, in a loop."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from django.core.management.base import CommandParser

from core.worker_loop import PassResult, WorkerCommand
from helpdesk.photo_jobs import WAKE_CHANNEL, photo_jobs_process


class Command(WorkerCommand):
    help = (
        "Decode, resize and strip report photos accepted by filings (PhotoJob rows). "
        "Several workers may run at once (SKIP LOCKED claims with a lease); a killed "
        "worker's jobs are redone when the lease ends. SIGTERM: the photo in hand "
        "finishes, the rest of the batch is handed back."
    )
    wake_channel = WAKE_CHANNEL
    heartbeat_name = "photo"
    default_batch = 10
    batch_help = "Jobs per claim."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--nice",
            type=int,
            default=10,
            help="Lower this process's CPU priority by this much (0: not at all).",
        )

    def before_loop(self, options: dict[str, Any]) -> None:
        if options["nice"] > 0:
            # On a busy machine the filings, which a person waits for, come
            # first; the backlog of photos is worked off in the gaps (and any
            # idle core is still used in full: nice only orders, it never idles).
            os.nice(options["nice"])

    def run_pass(
        self, *, batch: int, should_stop: Callable[[], bool], options: dict[str, Any]
    ) -> PassResult:
        done = photo_jobs_process(limit=batch, should_stop=should_stop)
        return PassResult(summary=f"photo jobs: {done}", full=done >= batch)
