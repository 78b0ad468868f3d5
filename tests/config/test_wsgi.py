"""Booting the WSGI app (as each gunicorn worker does) builds the batch-lookup index.

Each check imports config.wsgi in a fresh interpreter, the way a worker does
after the fork, on the test database, and reads the module-level cache of
geo/index.py from inside that process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from geo.index import commune_index_clear, commune_index_current
from geo.models import AdminUnit, BoundaryPiece
from geo.warmup import commune_index_preload

ROOT = Path(__file__).resolve().parents[2]

BOOT = """
import json, time
started = time.monotonic()
import config.wsgi
from geo.index import commune_index_current
index = commune_index_current()
print(json.dumps({
    "communes": None if index is None else len(index.matches),
    "boot_seconds": time.monotonic() - started,
}))
"""


def _boot(database_url: str) -> dict[str, float | None]:
    env = {
        **os.environ,
        # The production settings: the test settings turn the warm-up off.
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": database_url,
    }
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", BOOT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result: dict[str, float | None] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.django_db
def test_booting_the_wsgi_app_builds_the_commune_index_before_any_request() -> None:
    db = connection.settings_dict
    url = f"postgis://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    communes = BoundaryPiece.objects.filter(level=AdminUnit.Level.COMMUNE)
    assert _boot(url)["communes"] == communes.values("unit").distinct().count()


def test_a_worker_boots_without_the_index_when_the_database_is_unreachable() -> None:
    booted = _boot("postgis://xadesk:xadesk@127.0.0.1:9/nowhere")
    assert booted["communes"] is None
    assert booted["boot_seconds"] is not None
    assert booted["boot_seconds"] < 20


@pytest.mark.django_db
def test_with_no_boundaries_imported_nothing_is_built() -> None:
    commune_index_clear()
    BoundaryPiece.objects.filter(level=AdminUnit.Level.COMMUNE).delete()
    assert commune_index_preload() == 0
    assert commune_index_current() is None
