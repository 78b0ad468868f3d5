"""Where one slow request of a queue URL spends its time: SQL, garbage collection, Python.

    DATABASE_URL=postgis://…/xadesk_scale_1m .venv/bin/python bench/queue_spikes.py \\
        [--role admin] [--url /api/v1/helpdesk/cases] [--runs 60] [--no-freeze]

Same process setup and people as bench/queue_scale.py. Each request's queries
are timed with ``connection.execute_wrapper`` and the garbage collector's
pauses with ``gc.callbacks``; the remainder is Python (middleware, session,
schema rendering). Requests over twice the median are listed with their
queries. ``--no-freeze`` undoes config/wsgi.py's ``gc.freeze()`` to show what
it removes: full collections of 100-220 ms, about one request in ten.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import queue_scale  # sets Django up as a gunicorn worker is
from django.db import connection
from django.test import Client


class QueryTimes:
    def __init__(self) -> None:
        self.rows: list[tuple[float, str]] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.rows.append(((time.perf_counter() - started) * 1000, sql[:100]))


class GcPauses:
    def __init__(self) -> None:
        self.ms = 0.0
        self.full = 0
        self._started = 0.0
        gc.callbacks.append(self._on_gc)

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        self.ms += (time.perf_counter() - self._started) * 1000
        self.full += info["generation"] == 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--role", default="admin", choices=("officer", "leader", "admin", "public"))
    parser.add_argument("--url", default=queue_scale.API)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--province", default="19")
    parser.add_argument("--no-freeze", action="store_true")
    args = parser.parse_args()
    if args.no_freeze:
        gc.unfreeze()
    user, _values = queue_scale.people(args.province)[args.role]
    client = Client(HTTP_HOST="127.0.0.1")
    if user is not None:
        client.force_login(user)
    client.get(args.url)  # the first request of a process is not what is measured
    pauses = GcPauses()
    runs = []
    for _ in range(args.runs):
        queries = QueryTimes()
        pauses.ms, pauses.full = 0.0, 0
        with connection.execute_wrapper(queries):
            started = time.perf_counter()
            status = client.get(args.url).status_code
            total = (time.perf_counter() - started) * 1000
        if status != 200:
            sys.exit(f"{args.url}: HTTP {status}")
        runs.append((total, queries.rows, pauses.ms, pauses.full))
    totals = [run[0] for run in runs]
    median = statistics.median(totals)
    print(f"{args.role} {args.url}: {args.runs} runs, p50 {median:.1f} ms, max {max(totals):.1f} "
          f"ms; frozen objects {gc.get_freeze_count():,}; load {os.getloadavg()}")  # fmt: skip
    for i, (total, rows, gc_ms, full) in enumerate(runs):
        sql = sum(ms for ms, _sql in rows)
        slow = total > 2 * median
        print(f"run {i:3}: total {total:6.1f}  sql {sql:6.1f}  gc {gc_ms:6.1f} ({full} full)  "
              f"python {total - sql - gc_ms:6.1f}{'  <- slow' if slow else ''}")  # fmt: skip
        if slow:
            for ms, text in rows:
                print(f"          {ms:6.1f} ms  {text}")


if __name__ == "__main__":
    main()
