"""Heartbeat files of the background processes, and how old each one is.

A worker or the scheduler touches ``RUN_DIR/heartbeats/<name>`` while its loop
turns (core/worker_loop.py); ``manage.py worker_health <name>`` compares the
file's age with a limit, so a container's health check is one cheap process
that needs neither the database nor Redis. A file rather than a database row:
the check asks whether the process in this container still turns, and a
database that is away is the loop's to ride out, not a reason to call the
worker dead (it keeps beating while it waits for PostgreSQL).
"""

from __future__ import annotations

import logging
import os
import re
import time
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

# A name becomes a file name: nothing that could leave the folder.
NAME_PATTERN = re.compile(r"[a-z][a-z0-9_-]{0,39}")


def heartbeat_path(*, name: str) -> Path:
    if not NAME_PATTERN.fullmatch(name):
        raise ValueError(f"Heartbeat name {name!r} is not lowercase letters, digits, - or _.")
    return Path(settings.RUN_DIR) / "heartbeats" / name


def heartbeat_touch(*, name: str) -> bool:
    """Record that the process called ``name`` is alive now; False if the file cannot be written.

    Never raises: a read-only folder must not stop the work itself.
    """
    path = heartbeat_path(name=name)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
        os.utime(path)  # the time of this beat, also when the file was there
    except OSError as exc:
        logger.warning("Cannot write the heartbeat %s: %s", path, exc)
        return False
    return True


def heartbeat_age(*, name: str, now: float | None = None) -> float | None:
    """Seconds since the last beat of ``name``, or None if it never beat."""
    try:
        beat = heartbeat_path(name=name).stat().st_mtime
    except FileNotFoundError:
        return None
    return max(0.0, (time.time() if now is None else now) - beat)
