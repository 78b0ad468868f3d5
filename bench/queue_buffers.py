"""Buffers read per URL of bench/queue_scale.py: a figure the machine's load does not move.

    DATABASE_URL=postgis://…/xadesk_scale_1m .venv/bin/python bench/queue_buffers.py [--only LABEL]

For each person and URL of queue_scale.py, the URL is requested once to warm
up and once with its queries captured; every captured query on the ticket or
tally tables is run again under EXPLAIN (ANALYZE, BUFFERS), and the shared
buffers (8 KiB pages, hit or read) of its plan are summed. Printed per URL:
all buffers, the worst query's buffers and its execution time. Timings on a
2-core machine shared with other test runs move with the load average;
buffers move only with the plans and the data.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import queue_scale
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


def buffers_of(sql: str) -> tuple[int, float]:
    """Shared buffers and execution time (ms) of one query, from its plan."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}")
        plan = cursor.fetchone()[0]
    plan = plan if isinstance(plan, list) else json.loads(plan)
    top = plan[0]["Plan"]
    return top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0), plan[0][
        "Execution Time"
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--province", default="19")
    parser.add_argument("--only", help="only URLs whose label contains this")
    args = parser.parse_args()
    print(f"load {os.getloadavg()}")
    grand = 0
    for role, (user, values) in queue_scale.people(args.province).items():
        client = Client(HTTP_HOST="127.0.0.1")
        if user is not None:  # None: the public map, signed out
            client.force_login(user)
        for label, url in queue_scale.urls_for(role, values):
            if args.only and args.only not in label:
                continue
            client.get(url)
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            total, worst, worst_ms = 0, 0, 0.0
            for query in captured.captured_queries:
                if "helpdesk_ticket" not in query["sql"] and "tickettally" not in query["sql"]:
                    continue
                blocks, ms = buffers_of(query["sql"])
                total += blocks
                if blocks > worst:
                    worst, worst_ms = blocks, ms
            grand += total
            print(f"{role:7} {label:20} buffers {total:7d}  worst query {worst:7d} "
                  f"({worst_ms:.1f} ms)")  # fmt: skip
    print(f"all URLs: {grand} buffers; load {os.getloadavg()}")


if __name__ == "__main__":
    main()
