"""A change's transaction, and what happened to it when its COMMIT's answer is lost.

A COMMIT can reach PostgreSQL and its answer never come back: the connection
breaks at that moment (a network cut, a failover, a restart). The app gets an
OperationalError and a change that may or may not be saved. PostgreSQL can
tell which: ``pg_xact_status()`` of the transaction's id, asked on a new
connection, is there for exactly this (PostgreSQL's "Transaction ID and
Snapshot Information Functions"). ``atomic_saving`` takes the id just before
the COMMIT and, when the COMMIT's connection breaks, asks:

- ``committed``: the change is saved. The error is swallowed, the work queued
  for the commit (pushes, deleting withdrawn public copies) runs as if the
  answer had come, and the person is told it is saved. Telling them "nothing
  was saved" would make them file it again.
- ``aborted``: nothing was saved, for certain; the error goes on as before (a
  503 "nothing was saved", the change's files deleted, the abuse-limit count
  given back).
- neither (the database cannot be asked, the transaction is still in progress
  after ``OUTCOME_WAIT_S``, or the server restarted in between):
  ``SaveUnconfirmed``, a 503 that says it may be saved. The files are kept (the
  orphan sweep, helpdesk/photo_sweep.py, deletes them later if no attachment
  names them) and the count is kept.

Why "committed" needs a witness: a transaction whose COMMIT never reached the
disk leaves its id unused, and after a crash (even one the server recovers
from without restarting) or a failover to a replica that had not received it,
the same id can be given to another transaction, whose commit
``pg_xact_status`` would then report. "aborted" is sure either way: an id
whose COMMIT was durable is never given out again. So a change names one row
it inserted (``saving_witness``: the case's timeline event, the audit entry,
or a commune alert; none is ever updated), its writer's id (``xmin``) is read just
before the COMMIT, and "committed" is believed only if that row is there
with that writer. Not covered: the id's new owner inserting into the same
table under the same primary key, which needs the crash to have lost the
sequence's step as well (PostgreSQL logs a sequence 32 values ahead).
Without a witness, "committed" is believed only from the same server run
(``pg_postmaster_start_time``), which misses a crash the server recovers
from in place.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import Model

from core.errors import SaveUnconfirmed

logger = logging.getLogger(__name__)

# How long to wait for the answer before calling the outcome unknown: for a
# COMMIT that reached the server to finish (flush the WAL, wait for a
# synchronous standby), or for a restarting server to take connections again.
# A COMMIT that never arrived ends sooner: the server sees its client gone at
# once and rolls back. Django's own reconnect after the failed COMMIT comes
# first and may take up to DATABASE_CONNECT_TIMEOUT (config/settings.py).
OUTCOME_WAIT_S = 3.0
# Per attempt; libpq's smallest.
_CONNECT_TIMEOUT_S = 2
_POLL_S = 0.05


# A row by (table, primary key column, value), and with its writer's id.
Row = tuple[str, str, int | str]
Witness = tuple[Row, str]


class Saving:
    """How far a change's transaction got (``atomic_saving``).

    ``at_commit``: the body has run and written, so a failure now is the
    COMMIT's and the change may have landed; a caller keeps its files then
    (helpdesk/attachments.py ``files_undo``).
    """

    __slots__ = (
        "at_commit",
        "candidates",
        "commit_work",
        "committed",
        "server_started",
        "witness",
        "xact_id",
    )

    def __init__(self) -> None:
        self.at_commit = False
        self.xact_id: str | None = None
        self.server_started: datetime | None = None
        # Rows the body inserted, first ones first: (table, primary key column, value).
        self.candidates: list[Row] = []
        # The first of them still there at the COMMIT, and its writer's id.
        self.witness: Witness | None = None
        # What the transaction queued for its commit (transaction.on_commit),
        # as Django's own entries: (savepoints, callback, robust).
        self.commit_work: list[Any] = []
        # Set by the first on-commit callback: the COMMIT was answered, so an
        # error after it is a later callback's, not a lost answer.
        self.committed = False

    def _answered(self) -> None:
        self.committed = True


# The outermost atomic_saving block running in this thread or task.
_current: ContextVar[Saving | None] = ContextVar("saving", default=None)


# A few, in case the first was inside a savepoint that rolled back.
_CANDIDATES = 3


def saving_witness(row: Model) -> None:
    """Name ``row``, just inserted and never updated, as proof that the change
    running now was saved (the module's docstring says why); the first one
    still there at the COMMIT counts. Nothing outside an atomic_saving block."""
    saving = _current.get()
    if saving is not None and len(saving.candidates) < _CANDIDATES:
        meta = row._meta
        saving.candidates.append((meta.db_table, str(meta.pk.column), row.pk))


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
    token = _current.set(saving) if outermost else None
    try:
        with transaction.atomic():
            if outermost:
                transaction.on_commit(saving._answered)
            yield
            if outermost:
                _before_commit(saving)
                # Django's queue of the transaction's on-commit work, the list its
                # own captureOnCommitCallbacks reads. It is dropped when the COMMIT fails.
                saving.commit_work = [
                    entry for entry in connection.run_on_commit if entry[1] != saving._answered
                ]
                saving.at_commit = saving.xact_id is not None
    except (OperationalError, InterfaceError) as exc:
        # Only a broken connection loses an answer; any other error (a deferred
        # constraint) is the server's answer, and a definite failure.
        if not saving.at_commit or saving.committed or saving.xact_id is None:
            raise
        outcome = xact_outcome(
            saving.xact_id, started=saving.server_started, witness=saving.witness
        )
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
        # Run as Django would have after the answer: robust ones logged if they fail.
        connection.run_on_commit = saving.commit_work
        connection.run_and_clear_commit_hooks()
    finally:
        if token is not None:
            _current.reset(token)


def _before_commit(saving: Saving) -> None:
    """The transaction's id, the server run, and the witness with its writer:
    one round trip per change (more only when the first candidate row was
    rolled back with its savepoint). A None id: the body wrote nothing, so its
    COMMIT cannot save anything either."""
    first = saving.candidates[0] if saving.candidates else None
    others = saving.candidates[1:]
    writer = "NULL" if first is None else f"({_writer_sql(first)})"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_current_xact_id_if_assigned()::text, pg_postmaster_start_time(), " + writer,
            [] if first is None else [first[2]],
        )
        saving.xact_id, saving.server_started, xmin = cursor.fetchone()
        if xmin is not None and first is not None:
            saving.witness = (first, xmin)
            return
        for row in others:
            cursor.execute(_writer_sql(row), [row[2]])
            found = cursor.fetchone()
            if found is not None:
                saving.witness = (row, found[0])
                return


def _writer_sql(row: Row) -> str:
    quote = connection.ops.quote_name
    table, column, _value = row
    # Names from a model's _meta, quoted; the value goes as a parameter.
    return f"SELECT xmin::text FROM {quote(table)} WHERE {quote(column)} = %s"  # noqa: S608


def xact_outcome(
    xact_id: str, *, started: datetime | None, witness: Witness | None = None
) -> str | None:
    """'committed' or 'aborted'; else, once OUTCOME_WAIT_S has passed, 'in
    progress', 'restarted' (no witness, and the server is not the run that
    gave the id, so 'committed' may be another transaction's), or None when the
    database could not be asked. With a witness, 'committed' without its row
    is another transaction's: this one is 'aborted'. Asked on a short-lived
    connection of its own, again and again while the server restarts, leaving
    Django's connection alone."""
    deadline = time.monotonic() + OUTCOME_WAIT_S
    status: str | None = None
    params = {**connection.get_connection_params(), "connect_timeout": _CONNECT_TIMEOUT_S}
    while True:
        try:
            with connection.wrap_database_errors:  # psycopg's errors as Django's
                raw = connection.get_new_connection(params)
                try:
                    with raw.cursor() as cursor:
                        cursor.execute(
                            "SELECT pg_xact_status(%s::xid8), pg_postmaster_start_time()",
                            [xact_id],
                        )
                        status, now_started = cursor.fetchone()
                        if status == "committed" and witness is not None:
                            (row, xmin) = witness
                            cursor.execute(_witnessed_sql(row), [row[2], xmin])
                            if not cursor.fetchone()[0]:
                                status = "aborted"
                finally:
                    raw.close()
            if status == "committed" and witness is None and now_started != started:
                status = "restarted"
        except DatabaseError as exc:
            status = None
            if time.monotonic() >= deadline:
                logger.warning("Could not ask for the outcome of transaction %s: %r", xact_id, exc)
        if status in ("committed", "aborted", "restarted") or time.monotonic() >= deadline:
            return status
        time.sleep(_POLL_S)


def _witnessed_sql(row: Row) -> str:
    return f"SELECT EXISTS ({_writer_sql(row)} AND xmin = %s::xid)"
