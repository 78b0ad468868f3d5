"""GET /healthz: can this node serve? Database, PostGIS, Redis, the channel layer's
Redis hosts and the media storage; and how the read replica is.

Load balancers and `make run` poll this, so it answers quickly and never raises:
each check reports its own failure and the whole answer is 503 naming what is
down. A replica that is down or lags is "degraded", not down: reads then go to
the primary (core/db_routing.py), so the node still serves (200), and the
answer says so for whoever watches the replica.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import redis
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.db_routing import replica_configured, replica_lag_seconds, replica_lag_within_bound
from core.media_storage import MediaS3Storage

REDIS_TIMEOUT_SECONDS = 1.0
# The bucket's answer: short, and one attempt, so that compose's 4 s health
# check timeout sees a 503 naming the media rather than a hung request.
S3_TIMEOUT_SECONDS = 1


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _check_postgis() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT postgis_lib_version()")
        row = cursor.fetchone()
    return f"ok ({row[0]})" if row else "missing"


def _ping(url: str) -> None:
    client = redis.Redis.from_url(
        url,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    finally:
        client.close()


def _check_redis() -> str:
    _ping(settings.REDIS_URL)
    return "ok"


def _check_channel_hosts() -> str:
    """Each Redis host the channel layer shards groups over (CHANNEL_REDIS_URLS):
    one that is down loses the live pushes of the groups that hash to it."""
    others = [url for url in settings.CHANNEL_REDIS_URLS if url != settings.REDIS_URL]
    for url in others:
        _ping(url)
    return f"ok ({len(others)} more host{'s' if len(others) != 1 else ''})" if others else "ok"


# One probe storage per set of storage options (tests and a settings change
# give new ones), so that its client, with its connection pool, is made once.
_probes: dict[str, MediaS3Storage] = {}


def _bucket_probe() -> MediaS3Storage:
    """The media storage as configured, with a probe's waits: the storage's own
    suit an upload, not a health check."""
    options = {
        **settings.STORAGES["default"].get("OPTIONS", {}),
        "connect_timeout": S3_TIMEOUT_SECONDS,
        "read_timeout": S3_TIMEOUT_SECONDS,
        "max_attempts": 1,
    }
    key = repr(sorted(options.items()))
    if key not in _probes:
        _probes[key] = MediaS3Storage(**options)
    return _probes[key]


def _check_media() -> str:
    """Where photos and voice notes are written: a report cannot be filed without it."""
    storage = default_storage
    if isinstance(storage, MediaS3Storage):
        _bucket_probe().bucket_head()
        return "ok (s3)"
    root = Path(settings.MEDIA_ROOT)
    try:
        # The storage makes the folder on its first save; so does the check,
        # or a fresh node would be "down" until its first photo.
        root.mkdir(parents=True, exist_ok=True)
    except OSError:
        return "down: the media folder cannot be made"
    if not os.access(root, os.W_OK | os.X_OK):
        return "down: the media folder is not writable"
    return "ok (filesystem)"


def _check_replica() -> str:
    if not replica_configured():
        return "ok (none configured)"
    lag = replica_lag_seconds()
    if replica_lag_within_bound(lag):
        return f"ok ({lag:.1f} s behind)"
    if lag is None:
        return "not used: it has replayed nothing yet"
    return f"not used: {lag:.1f} s behind the primary"


CHECKS: dict[str, Callable[[], str]] = {
    "database": _check_database,
    "postgis": _check_postgis,
    "redis": _check_redis,
    "channel_layer": _check_channel_hosts,
    "media": _check_media,
}
# Reported, but the node serves without them.
OPTIONAL_CHECKS: dict[str, Callable[[], str]] = {
    "replica": _check_replica,
}


def _run(check: Callable[[], str]) -> str:
    try:
        return check()
    except Exception as exc:  # noqa: BLE001 - a health probe reports every failure
        return f"down: {exc.__class__.__name__}"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    results = {name: _run(check) for name, check in CHECKS.items()}
    down = [name for name, result in results.items() if not result.startswith("ok")]
    optional = {name: _run(check) for name, check in OPTIONAL_CHECKS.items()}
    degraded = [name for name, result in optional.items() if not result.startswith("ok")]
    status = "down" if down else "degraded" if degraded else "ok"
    return JsonResponse(
        {
            "status": status,
            "down": down,
            "degraded": degraded,
            "checks": {**results, **optional},
        },
        status=503 if down else 200,
    )
