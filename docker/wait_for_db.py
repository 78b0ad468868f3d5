"""Wait until Django can open a connection to the default database.

Used by docker/entrypoint.sh before migrate or start; exits 1 with the last
error when the database is still unreachable after --timeout seconds.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import django
from django.db import connection
from django.db.utils import OperationalError


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()

    # Run as a script, this file's folder is on sys.path, not the project root.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()

    deadline = time.monotonic() + args.timeout
    while True:
        try:
            connection.ensure_connection()
        except OperationalError as exc:
            if time.monotonic() >= deadline:
                print(
                    f"database still unreachable after {args.timeout:.0f}s: {exc}", file=sys.stderr
                )
                return 1
            time.sleep(1)
        else:
            connection.close()
            print("database is up", file=sys.stderr)
            return 0


if __name__ == "__main__":
    sys.exit(main())
