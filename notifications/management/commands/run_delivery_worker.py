"""Send queued email, SMS and Zalo messages and the daily digests, in a loop."""

from __future__ import annotations

import logging
import signal
import time
from types import FrameType
from typing import Any

import psycopg
from django.core.management.base import BaseCommand, CommandParser
from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    close_old_connections,
    connection,
)

from notifications.fanout import fanouts_process
from notifications.outbox import deliveries_process, digests_send
from notifications.services import WAKE_CHANNEL

logger = logging.getLogger(__name__)

# How often an idle worker looks at its stop flag while it waits.
TICK_SECONDS = 0.1
# A pass that met PostgreSQL restarting or failing over waits at least this
# long before the next one, so a long outage is not a tight loop of errors.
DATABASE_RETRY_SECONDS = 2.0


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
            # Listening before the pass: work committed during it wakes the
            # idle wait below at once instead of after the interval.
            listening = not options["once"] and self._listen()
            try:
                digests = digests_send()
                # First: a fan-out queues the deliveries the next step sends.
                told = fanouts_process(should_stop=lambda: self.stopping)
                counts = deliveries_process(
                    limit=options["batch"], should_stop=lambda: self.stopping
                )
            except (OperationalError, InterfaceError) as exc:
                # The database restarted or is away. Exiting would take the
                # whole `make run` down with it (scripts/serve.sh stops every
                # server when one ends); the pass's transactions were rolled
                # back, and rows it had claimed are taken again when their
                # lease ends. close_old_connections drops the broken
                # connection before the next pass.
                if options["once"]:
                    raise
                logger.warning(
                    "Database unavailable (%s: %s); trying again in %s s",
                    type(exc).__name__,
                    str(exc).strip().splitlines()[0] if str(exc).strip() else "",
                    max(options["interval"], DATABASE_RETRY_SECONDS),
                )
                self._idle(max(options["interval"], DATABASE_RETRY_SECONDS), listening=False)
                continue
            if told:
                counts["told"] = told
            if options["once"] or options["verbosity"] > 1:
                summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing due"
                self.stdout.write(f"deliveries: {summary}; digests: {digests}", ending="\n")
                self.stdout.flush()
            if options["once"]:
                return
            # A full batch means more is waiting: go again at once.
            if sum(counts.values()) - told < options["batch"]:
                self._idle(options["interval"], listening=listening)

    def _listen(self) -> bool:
        """LISTEN for the wake-ups services send at commit; False if the database is away."""
        try:
            connection.ensure_connection()
            raw = connection.connection
            assert raw is not None
            raw.execute(f"LISTEN {WAKE_CHANNEL}")
        except (DatabaseError, psycopg.Error):
            # A raw psycopg error does not mark Django's connection as broken:
            # close it here, or the next pass would try it again.
            connection.close()
            return False
        return True

    def _idle(self, seconds: float, *, listening: bool) -> None:
        """Wait for a wake-up or the interval, whichever comes first.

        In short steps: a stop signal must not wait out a long interval.
        """
        deadline = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < deadline:
            raw = connection.connection if listening else None
            if raw is None:
                time.sleep(min(TICK_SECONDS, seconds))
                continue
            try:
                for _ in raw.notifies(timeout=min(TICK_SECONDS, seconds), stop_after=1):
                    return
            except psycopg.Error:  # the connection was lost: poll until the next pass
                connection.close()
                listening = False
