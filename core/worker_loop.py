"""The loop of a background worker command: passes, LISTEN wake-ups, stop signals.

The delivery worker (notifications), the photo worker and the scheduler
(helpdesk) run the same loop around different work: claim what is due, do it, and when a pass
did less than a full batch wait for a NOTIFY on the worker's channel (a
service sends one at commit) or the interval, whichever comes first.
SIGTERM or Ctrl-C lets the item in hand finish; the rest of the batch is
handed back by the work itself (its ``should_stop``).

A pass that meets PostgreSQL restarting or away is not fatal: exiting would
take the whole ``make run`` down with it (scripts/serve.sh stops every server
when one ends); the pass's transactions were rolled back and the rows it had
claimed are taken again when their lease ends. The loop waits at least
DATABASE_RETRY_SECONDS and tries again with a fresh connection.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
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

from core.heartbeat import heartbeat_touch

logger = logging.getLogger(__name__)

# How often an idle worker looks at its stop flag while it waits.
TICK_SECONDS = 0.1
# A pass that met PostgreSQL restarting or failing over waits at least this
# long before the next one, so a long outage is not a tight loop of errors.
DATABASE_RETRY_SECONDS = 2.0
# At most one heartbeat write (core/heartbeat.py) this often: between items of
# a pass, while idle, and while the database is away. A health check's
# --max-age must exceed the longest single item (one send, one photo, one job).
HEARTBEAT_SECONDS = 5.0


@dataclass(frozen=True)
class PassResult:
    summary: str  # one line for --once and -v 2
    full: bool  # a full batch: more is waiting, go again at once


class WorkerCommand(BaseCommand):
    """Subclasses name their ``wake_channel``, ``heartbeat_name`` and ``default_batch``
    and do one pass. An empty ``wake_channel``: no LISTEN, the interval alone."""

    wake_channel: str
    heartbeat_name: str
    default_batch: int
    batch_help: str = "Items per claim."
    default_interval: float = 2.0

    def run_pass(
        self, *, batch: int, should_stop: Callable[[], bool], options: dict[str, Any]
    ) -> PassResult:
        raise NotImplementedError

    def before_loop(self, options: dict[str, Any]) -> None:
        """Set-up once the command starts (e.g. a lower CPU priority)."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run one pass and exit.")
        parser.add_argument(
            "--interval",
            type=float,
            default=self.default_interval,
            help="Seconds between idle passes.",
        )
        parser.add_argument("--batch", type=int, default=self.default_batch, help=self.batch_help)

    def handle(self, *args: Any, **options: Any) -> None:
        self.stopping = False
        self._last_beat = 0.0

        def stop(signum: int, frame: FrameType | None) -> None:
            self.stopping = True

        self.before_loop(options)
        once = options["once"]
        if not once:
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
        while not self.stopping:
            self._beat()
            close_old_connections()
            # Listening before the pass: work committed during it wakes the
            # idle wait below at once instead of after the interval.
            listening = not once and self._listen()
            try:
                result = self.run_pass(
                    batch=options["batch"], should_stop=self._should_stop, options=options
                )
            except (OperationalError, InterfaceError) as exc:
                if once:
                    raise
                retry = max(options["interval"], DATABASE_RETRY_SECONDS)
                first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                logger.warning(
                    "Database unavailable (%s: %s); trying again in %s s",
                    type(exc).__name__,
                    first_line,
                    retry,
                )
                self._idle(retry, listening=False)
                continue
            if once or options["verbosity"] > 1:
                self.stdout.write(result.summary, ending="\n")
                self.stdout.flush()
            if once:
                return
            if not result.full:
                self._idle(options["interval"], listening=listening)

    def _should_stop(self) -> bool:
        """Asked between the items of a pass: also the moment to beat."""
        self._beat()
        return self.stopping

    def _beat(self) -> None:
        now = time.monotonic()
        if now - self._last_beat >= HEARTBEAT_SECONDS:
            self._last_beat = now
            heartbeat_touch(name=self.heartbeat_name)

    def _listen(self) -> bool:
        """LISTEN for the wake-ups services send at commit; False if the database is away."""
        if not self.wake_channel:
            return False
        try:
            connection.ensure_connection()
            raw = connection.connection
            assert raw is not None
            raw.execute(f"LISTEN {self.wake_channel}")
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
            self._beat()
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
