"""Send queued email, SMS and Zalo messages and the daily digests, in a loop."""

from __future__ import annotations

import signal
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from notifications.outbox import deliveries_process, digests_send

# How often an idle worker looks at its stop flag while it waits.
TICK_SECONDS = 0.1


class Command(BaseCommand):
    help = (
        "Deliver queued notifications with retries, and the daily digests. Several "
        "workers may run at once; each message is sent by one of them. SIGTERM or "
        "Ctrl-C: the send in progress finishes, the rest of the batch is handed back."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run one pass and exit.")
        parser.add_argument(
            "--interval", type=float, default=2.0, help="Seconds between idle passes."
        )
        parser.add_argument("--batch", type=int, default=100, help="Deliveries per claim.")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            self.stopping = True

        if not options["once"]:
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
        while not self.stopping:
            close_old_connections()
            digests = digests_send()
            counts = deliveries_process(limit=options["batch"], should_stop=lambda: self.stopping)
            if options["once"] or options["verbosity"] > 1:
                summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing due"
                self.stdout.write(f"deliveries: {summary}; digests: {digests}", ending="\n")
                self.stdout.flush()
            if options["once"]:
                return
            # A full batch means more is waiting: go again at once.
            if sum(counts.values()) < options["batch"]:
                self._idle(options["interval"])

    def _idle(self, seconds: float) -> None:
        # In short steps: a stop signal must not wait out a long interval.
        deadline = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(min(TICK_SECONDS, seconds))
