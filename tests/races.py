"""Two requests racing, made certain rather than likely.

A third connection holds what both must wait for (a row lock, or an
uncommitted row with the same unique key) while they start; once both wait on
it, it lets go. So both are past their early checks (a replay found at the
start) and meet at the same point, which is the path a race test is for.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from django.db import connection, connections
from django.db.backends.utils import CursorWrapper


def race_while_held(
    run: Callable[[], None],
    *,
    hold: str,
    params: Sequence[int | str | None],
    release: str = "COMMIT",
    racers: int = 2,
) -> None:
    """Run ``run`` in ``racers`` threads while another connection holds what
    ``hold`` (one SQL statement, in a transaction) takes; ``release`` ends that
    transaction once every racer waits on it. Each racer's connection is closed."""

    racer_pids: list[int] = []

    def racer() -> None:
        try:
            racer_pids.append(backend_pid())  # run() goes on with this connection
            run()
        finally:
            connection.close()

    holder = connections.create_connection("default")
    threads = [threading.Thread(target=racer) for _ in range(racers)]
    try:
        with holder.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute(hold, list(params))
            for thread in threads:
                thread.start()
            try:
                deadline = time.monotonic() + 30
                while len(racer_pids) < racers or waiting_on_locks(cursor, racer_pids) < racers:
                    assert time.monotonic() < deadline, "the racers never reached what is held"
                    time.sleep(0.02)
            finally:
                cursor.execute(release)  # in any case, or the joins would wait forever
    finally:
        for thread in threads:
            thread.join()
        holder.close()


def waiting_on_locks(cursor: CursorWrapper, pids: Sequence[int]) -> int:
    """How many of the connections ``pids`` wait on a lock now. Only those: a
    connection another test left behind may be waiting on something else."""
    # Inside one transaction PostgreSQL shows the same snapshot of the activity
    # every time unless it is cleared.
    cursor.execute("SELECT pg_stat_clear_snapshot()")
    cursor.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s) AND wait_event_type = 'Lock'",
        [list(pids)],
    )
    row = cursor.fetchone()
    return int(row[0]) if row else 0


def backend_pid() -> int:
    """The PostgreSQL process behind this thread's connection."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])
