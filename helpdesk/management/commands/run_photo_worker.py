"""Make the served images of report photos filed off the request, in a loop."""

from __future__ import annotations

import logging
import os
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

from helpdesk.photo_jobs import WAKE_CHANNEL, photo_jobs_process

logger = logging.getLogger(__name__)

# How often an idle worker looks at its stop flag while it waits.
TICK_SECONDS = 0.1
# After a database outage, wait at least this long before the next pass.
DATABASE_RETRY_SECONDS = 2.0


class Command(BaseCommand):
    help = (
        "Decode, resize and strip report photos accepted by filings (PhotoJob rows). "
        "Several workers may run at once (SKIP LOCKED claims with a lease); a killed "
        "worker's jobs are redone when the lease ends. SIGTERM: the photo in hand "
        "finishes, the rest of the batch is handed back."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run one pass and exit.")
        parser.add_argument(
            "--interval", type=float, default=2.0, help="Seconds between idle passes."
        )
        parser.add_argument("--batch", type=int, default=10, help="Jobs per claim.")
        parser.add_argument(
            "--nice",
            type=int,
            default=10,
            help="Lower this process's CPU priority by this much (0: not at all).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            self.stopping = True

        if options["nice"] > 0:
            # On a busy machine the filings, which a person waits for, come
            # first; the backlog of photos is worked off in the gaps (and any
            # idle core is still used in full: nice only orders, it never idles).
            os.nice(options["nice"])
        if not options["once"]:
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
        while not self.stopping:
            close_old_connections()
            # Listening before the pass: a filing committed during it wakes
            # the idle wait at once instead of after the interval.
            listening = not options["once"] and self._listen()
            try:
                done = photo_jobs_process(limit=options["batch"], should_stop=lambda: self.stopping)
            except (OperationalError, InterfaceError) as exc:
                # As run_delivery_worker: claimed jobs come back when their
                # lease ends; exiting would stop the whole `make run`.
                if options["once"]:
                    raise
                logger.warning("Database unavailable (%s); trying again", type(exc).__name__)
                self._idle(max(options["interval"], DATABASE_RETRY_SECONDS), listening=False)
                continue
            if options["once"] or options["verbosity"] > 1:
                self.stdout.write(f"photo jobs: {done}")
                self.stdout.flush()
            if options["once"]:
                return
            # A full batch means more is waiting: go again at once.
            if done < options["batch"]:
                self._idle(options["interval"], listening=listening)

    def _listen(self) -> bool:
        try:
            connection.ensure_connection()
            raw = connection.connection
            assert raw is not None
            raw.execute(f"LISTEN {WAKE_CHANNEL}")
        except (DatabaseError, psycopg.Error):
            connection.close()
            return False
        return True

    def _idle(self, seconds: float, *, listening: bool) -> None:
        """Wait for a wake-up or the interval, whichever comes first, in short steps."""
        deadline = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < deadline:
            raw = connection.connection if listening else None
            if raw is None:
                time.sleep(min(TICK_SECONDS, seconds))
                continue
            try:
                for _ in raw.notifies(timeout=min(TICK_SECONDS, seconds), stop_after=1):
                    return
            except psycopg.Error:
                connection.close()
                listening = False
