"""How long the scheduler takes to write the queue search's text of every case.

    DATABASE_URL=postgis://…/xadesk_bench .venv/bin/python bench/search_text_fill.py

What a province's database goes through when it first gets the search text
(migration 0035 leaves every case NULL) or loses it: the scheduler's
``search_text_fill`` job (helpdesk/schedule.py), run back to back as the
scheduler runs it when each run outlasts the interval, until a run writes
nothing. The database named by DATABASE_URL is not touched: it is copied
(CREATE DATABASE … TEMPLATE, so nothing else may be connected to it), the
copy's search text set to NULL and vacuumed, the job timed on the copy, and
the copy dropped. Prints each run and the total.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-secret")

import django

django.setup()

from django.db import connection, connections  # noqa: E402

from helpdesk.schedule import search_text_fill_run  # noqa: E402


def _admin_execute(sql: str) -> None:
    """Run ``sql`` outside any database being copied or dropped."""
    with connection._nodb_cursor() as cursor:
        cursor.execute(sql)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.parse_args()
    source = connection.settings_dict["NAME"]
    copy = f"{source}_fill"
    connections.close_all()
    _admin_execute(f'DROP DATABASE IF EXISTS "{copy}"')
    started = time.monotonic()
    _admin_execute(f'CREATE DATABASE "{copy}" TEMPLATE "{source}"')
    print(f"copied {source} to {copy} in {time.monotonic() - started:.1f} s", flush=True)
    connection.settings_dict["NAME"] = copy
    try:
        with connection.cursor() as cursor:
            started = time.monotonic()
            cursor.execute("UPDATE helpdesk_ticket SET search_text = NULL")
            cases = cursor.rowcount
            cursor.execute("VACUUM helpdesk_ticket")  # as autovacuum would, before the job
            print(f"{cases:,} cases unwritten in {time.monotonic() - started:.1f} s", flush=True)
        started = time.monotonic()
        runs = written = 0
        while True:
            run_started = time.monotonic()
            filled = search_text_fill_run()  # the scheduler's own run, its time limit included
            runs += 1
            written += filled.written
            print(f"run {runs}: {filled} in {time.monotonic() - run_started:.1f} s", flush=True)
            if filled.written == 0:
                break
        elapsed = time.monotonic() - started
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM helpdesk_ticket WHERE search_text IS NULL")
            (left,) = cursor.fetchone()
        print(
            f"wrote {written:,} cases in {elapsed:.1f} s ({written / elapsed:,.0f} a second) "
            f"over {runs} runs; {left:,} left unwritten"
        )
    finally:
        connections.close_all()
        connection.settings_dict["NAME"] = source
        _admin_execute(f'DROP DATABASE IF EXISTS "{copy}"')


if __name__ == "__main__":
    main()
