"""Emptying the database after a committing test survives a deadlock with another process.

tests/conftest.py retries the flush when Postgres aborts it to break a lock
cycle. Here a second connection (as a worker or the test server would) holds a
row lock on the table the flush's TRUNCATE reaches last, waits until the flush
waits for that table (holding all the others), and then reads the first one:
a real cycle, which Postgres breaks after deadlock_timeout by aborting the
side that waited first, the flush. The test fails at teardown if the flush is
not tried again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import psycopg
import pytest
from django.db import connection
from psycopg import sql


@dataclass
class Other:
    """What the second connection saw."""

    first: str
    last: str
    done: threading.Event = field(default_factory=threading.Event)
    read_after_wait: bool = False
    error: BaseException | None = None


def _flush_waiting_for(dsn: str, table: str) -> bool:
    """The flush asks for ``table`` and waits: it holds every table before it."""
    with psycopg.connect(dsn, autocommit=True) as probe:
        row = probe.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE c.relname = %s AND l.mode = 'AccessExclusiveLock' AND NOT l.granted",
            [table],
        ).fetchone()
    return bool(row and row[0])


def _hold_last_then_read_first(dsn: str, other: Other, go: threading.Event) -> None:
    try:
        with psycopg.connect(dsn) as conn:
            # As a worker's SELECT ... FOR UPDATE does, even on an empty table.
            conn.execute(
                sql.SQL("LOCK TABLE {} IN ROW SHARE MODE").format(sql.Identifier(other.last))
            )
            go.set()
            deadline = time.monotonic() + 10
            # Not as soon as the flush holds `first`: it must already wait for
            # `last` when this reads `first`. Otherwise, on a busy machine,
            # this side may wait first and be the one Postgres aborts (CI
            # failed so once), and the test would prove nothing of the retry.
            while not _flush_waiting_for(dsn, other.last):
                if time.monotonic() > deadline:
                    raise TimeoutError("the flush never waited for the last table")
                time.sleep(0.02)
            # The flush holds `first` and waits for `last`, which this
            # transaction holds: reading `first` closes the cycle.
            conn.execute(sql.SQL("SELECT 1 FROM {} LIMIT 1").format(sql.Identifier(other.first)))
            other.read_after_wait = True
    except BaseException as error:  # noqa: BLE001 (reported by the fixture)
        other.error = error
    finally:
        other.done.set()


@pytest.fixture
def other_connection() -> Iterator[list[Other]]:
    """Set up before the committing database, so its checks run after the flush."""
    holder: list[Other] = []
    yield holder
    (other,) = holder
    assert other.done.wait(15), "the second connection never finished"
    assert other.error is None, other.error
    assert other.read_after_wait  # it was the flush that Postgres aborted


def test_flush_is_tried_again_when_postgres_breaks_a_deadlock_with_it(
    other_connection: list[Other], transactional_db: None
) -> None:
    tables = connection.introspection.django_table_names(only_existing=True)
    # The TRUNCATE names the tables in this order (the same set, in the same
    # process) and locks them one by one.
    names = list(tables)
    other = Other(first=names[0], last=names[-1])
    other_connection.append(other)
    settings = connection.settings_dict
    dsn = (
        f"host={settings['HOST']} port={settings['PORT']} dbname={settings['NAME']} "
        f"user={settings['USER']} password={settings['PASSWORD']}"
    )
    go = threading.Event()
    threading.Thread(target=_hold_last_then_read_first, args=(dsn, other, go), daemon=True).start()
    assert go.wait(10)
