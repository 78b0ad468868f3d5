"""A change's transaction, and what happened to it when its COMMIT's answer is lost.

A COMMIT can reach PostgreSQL and its answer never come back: the connection
breaks at that moment (a network cut, a failover, a restart). The app gets an
OperationalError and a change that may or may not be saved. PostgreSQL can
tell which: ``pg_xact_status()`` of the transaction's id, asked on a new
connection, is there for exactly this (PostgreSQL's "Transaction ID and
Snapshot Information Functions"). ``atomic_saving`` takes the id just before
the COMMIT and, when the COMMIT fails, asks:

- ``committed``: the change is saved. The error is swallowed, the work queued
  for the commit (pushes, deleting withdrawn public copies) runs as if the
  answer had come, and the person is told it is saved. Telling them "nothing
  was saved" would make them file it again.
- ``aborted``: nothing was saved, for certain; the error goes on as before (a
  503 "nothing was saved", the change's files deleted, the abuse-limit count
  given back).
- neither (the database cannot be asked, or the transaction is still in
  progress after ``OUTCOME_WAIT_S``): ``SaveUnconfirmed``, a 503 that says it
  may be saved. The files are kept (the orphan sweep, helpdesk/photo_sweep.py,
  deletes them later if no attachment names them) and the count is kept.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import DatabaseError, connection, transaction

from core.errors import SaveUnconfirmed

logger = logging.getLogger(__name__)

# How long to wait for the answer before calling the outcome unknown: for a
# COMMIT that reached the server to finish (flush the WAL, wait for a
# synchronous standby), or for a restarting server to take connections again.
# A COMMIT that never arrived ends sooner: the server sees its client gone at
# once and rolls back.
OUTCOME_WAIT_S = 3.0
_POLL_S = 0.05


class Saving:
    """How far a change's transaction got (``atomic_saving``).

    ``at_commit``: the body has run and written, so a failure now is the
    COMMIT's and the change may have landed; a caller keeps its files then
    (helpdesk/attachments.py ``files_undo``).
    """

    __slots__ = ("at_commit", "commit_work", "xact_id")

    def __init__(self) -> None:
        self.at_commit = False
        self.xact_id: str | None = None
        # What the transaction queued for its commit (transaction.on_commit).
        self.commit_work: list[Callable[[], object]] = []


@contextmanager
def atomic_saving(saving: Saving | None = None) -> Iterator[None]:
    """transaction.atomic() that, as the outermost block, settles a lost COMMIT
    answer with the database's own record (the module's docstring says how).

    Inside another atomic block there is no COMMIT here (the outer block's is
    the one that counts), so it is a plain savepoint and ``at_commit`` stays
    False: a failure then rolls everything back.
    """
    saving = saving if saving is not None else Saving()
    outermost = not transaction.get_connection().in_atomic_block
    try:
        with transaction.atomic():
            yield
            if outermost:
                with connection.cursor() as cursor:
                    # One round trip per change. None: the body wrote nothing,
                    # so its COMMIT cannot save anything either.
                    cursor.execute("SELECT pg_current_xact_id_if_assigned()::text")
                    saving.xact_id = cursor.fetchone()[0]
                # Django's queue of the transaction's on-commit work, entries of
                # (savepoints, callback, robust): the list its own
                # captureOnCommitCallbacks reads. It is dropped when the COMMIT fails.
                saving.commit_work = [entry[1] for entry in connection.run_on_commit]
                saving.at_commit = saving.xact_id is not None
    except DatabaseError as exc:
        if not saving.at_commit or saving.xact_id is None:
            raise
        outcome = _xact_status(saving.xact_id)
        if outcome == "aborted":
            saving.at_commit = False  # certainly not saved: undo all of it
            raise
        if outcome != "committed":
            logger.warning(
                "COMMIT of transaction %s lost its answer and its outcome is unknown (%s)",
                saving.xact_id,
                outcome,
            )
            raise SaveUnconfirmed() from exc
        logger.warning(
            "COMMIT of transaction %s lost its answer (%r); PostgreSQL says it committed",
            saving.xact_id,
            exc,
        )
        _run_commit_work(saving.commit_work)


def _xact_status(xact_id: str) -> str | None:
    """'committed' or 'aborted'; else, once OUTCOME_WAIT_S has passed, 'in
    progress', or None when the database could not be asked (asked on a
    connection of its own, again and again while it restarts)."""
    deadline = time.monotonic() + OUTCOME_WAIT_S
    status: str | None = None
    broken = True  # the connection the COMMIT was lost on
    while True:
        try:
            if broken:
                connection.close()
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_xact_status(%s::xid8)", [xact_id])
                status = cursor.fetchone()[0]
            broken = False
        except DatabaseError as exc:
            status, broken = None, True
            if time.monotonic() >= deadline:
                logger.warning("Could not ask for the outcome of transaction %s: %r", xact_id, exc)
        if status in ("committed", "aborted") or time.monotonic() >= deadline:
            return status
        time.sleep(_POLL_S)


def _run_commit_work(work: list[Callable[[], object]]) -> None:
    # Each as Django runs a robust on-commit callback: a failure is logged, and
    # the change it follows stays saved.
    for func in work:
        try:
            func()
        except Exception:
            logger.exception("On-commit work after a lost COMMIT answer failed: %r", func)
