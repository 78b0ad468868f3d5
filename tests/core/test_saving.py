"""core/saving.py: what PostgreSQL says about a transaction, and when it is believed.

The lost-answer paths themselves run through a relay that cuts the COMMIT
(tests/faults/test_commit_answer_lost.py); these pin the rules around them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db import DataError, OperationalError, connection, transaction

from audit.models import AuditAction, AuditEntry
from audit.services import audit_record
from core.saving import Saving, atomic_saving, xact_outcome

pytestmark = pytest.mark.django_db(transaction=True)


def _xact_id_and_start() -> tuple[str, datetime]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_xact_id()::text, pg_postmaster_start_time()")
        xact_id, started = cursor.fetchone()
    return xact_id, started


def test_a_committed_transaction_is_committed_only_on_the_same_server_run() -> None:
    with transaction.atomic():
        xact_id, started = _xact_id_and_start()
    assert xact_outcome(xact_id, started=started) == "committed"
    # After a restart or a failover its id may have gone to another
    # transaction: not believed.
    assert xact_outcome(xact_id, started=started - timedelta(seconds=1)) == "restarted"


def test_with_a_witness_committed_means_its_row_is_there_with_its_writer() -> None:
    """A change names a row it inserted (an audit entry here, a timeline event
    for case changes): "committed" is believed when that row is there, written
    by this transaction, whatever the server run; not when it is missing, nor
    when another transaction wrote it (the id and the primary key both given
    out again after a crash the server recovered from in place)."""
    saving = Saving()
    with atomic_saving(saving):
        entry = audit_record(action=AuditAction.CASE_ACCEPT, actor=None, ip=None)
    assert saving.witness is not None
    row, writer = saving.witness
    assert row == (AuditEntry._meta.db_table, "id", entry.pk)
    assert saving.xact_id is not None
    assert saving.server_started is not None
    earlier = saving.server_started - timedelta(seconds=1)
    assert xact_outcome(saving.xact_id, started=earlier, witness=saving.witness) == "committed"
    started = saving.server_started
    missing = ((AuditEntry._meta.db_table, "id", -1), writer)
    assert xact_outcome(saving.xact_id, started=started, witness=missing) == "aborted"
    someone_else = (row, str(int(writer) + 1))
    assert xact_outcome(saving.xact_id, started=started, witness=someone_else) == "aborted"


def test_a_witness_rolled_back_with_its_savepoint_gives_way_to_the_next() -> None:
    def undone() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            audit_record(action=AuditAction.CASE_ACCEPT, actor=None, ip=None)
            cursor.execute("SELECT 1/0")

    saving = Saving()
    with atomic_saving(saving):
        with pytest.raises(DataError):
            undone()
        kept = audit_record(action=AuditAction.CASE_START, actor=None, ip=None)
    assert saving.witness is not None
    assert saving.witness[0] == (AuditEntry._meta.db_table, "id", kept.pk)
    assert saving.xact_id is not None
    assert xact_outcome(saving.xact_id, started=None, witness=saving.witness) == "committed"


def test_a_rolled_back_transaction_is_aborted_whatever_the_server_run() -> None:
    with transaction.atomic():
        xact_id, started = _xact_id_and_start()
        transaction.set_rollback(True)
    assert xact_outcome(xact_id, started=started) == "aborted"
    assert xact_outcome(xact_id, started=started - timedelta(seconds=1)) == "aborted"


def test_an_error_after_an_answered_commit_is_not_taken_for_a_lost_answer() -> None:
    """A non-robust on-commit callback failing after the COMMIT was answered:
    the error is its own, and the other callbacks are not run a second time."""
    ran: list[str] = []

    def breaks() -> None:
        ran.append("breaks")
        raise OperationalError("a callback's own failure")

    def change() -> None:
        with atomic_saving(saving):
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_current_xact_id()")  # writes nothing, but has an id
            transaction.on_commit(lambda: ran.append("push"), robust=True)
            transaction.on_commit(breaks)

    saving = Saving()
    with pytest.raises(OperationalError, match="callback's own"):
        change()
    assert saving.committed
    assert ran == ["push", "breaks"]


def test_inside_another_transaction_there_is_no_commit_to_settle() -> None:
    saving = Saving()
    with transaction.atomic():
        with atomic_saving(saving), connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_xact_id()")
        assert not saving.at_commit
        assert saving.xact_id is None
